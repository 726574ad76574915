"""The audit trail table, partitioned by month, append-only and hash-chained.

The table is created by SQL (``audits/sql.py``); the model state is declared
separately so Django knows its fields. See ``flockgov/db/partitions.py``.
"""

import django.db.models.deletion
import flockgov.db.expressions
from django.conf import settings
from django.db import migrations, models

from audits import sql
from flockgov.db.partitions import AUDIT, ensure_range


def create_current_partitions(apps, schema_editor):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ensure_range(AUDIT, now - timedelta(days=31), now + timedelta(days=62))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(sql.CREATE_APP_ROLE, migrations.RunSQL.noop),
        migrations.RunSQL(
            sql.CREATE_APPEND_ONLY_FUNCTION,
            "DROP FUNCTION IF EXISTS flockgov_append_only();",
        ),
        migrations.RunSQL(
            sql.CREATE_ENSURE_PARTITION_FUNCTION,
            "DROP FUNCTION IF EXISTS flockgov_ensure_partition("
            "text, text, timestamptz, timestamptz);",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql.CREATE_AUDIT_EVENT_TABLE
                    + sql.protect_table("audits_auditevent"),
                    "DROP TABLE audits_auditevent;",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('pk', models.CompositePrimaryKey('id', 'occurred_at', blank=True, editable=False, primary_key=True, serialize=False)),
                        ('id', models.BigIntegerField(db_default=flockgov.db.expressions.DatabaseGenerated(), editable=False)),
                        ('occurred_at', models.DateTimeField()),
                        ('seq', models.BigIntegerField()),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64)),
                        ('event_type', models.CharField(max_length=64)),
                        ('outcome', models.CharField(choices=[('success', 'Succeeded'), ('refused', 'Refused'), ('failed', 'Failed')], max_length=16)),
                        ('actor_label', models.CharField(max_length=150)),
                        ('actor_role', models.CharField(max_length=16)),
                        ('os_user', models.CharField(max_length=64)),
                        ('ip', models.GenericIPAddressField(null=True)),
                        ('request_id', models.CharField(max_length=32)),
                        ('object_type', models.CharField(max_length=64)),
                        ('object_id', models.CharField(max_length=64)),
                        ('object_repr', models.CharField(max_length=200)),
                        ('summary', models.CharField(max_length=300)),
                        ('data', models.JSONField()),
                        ('logentry_id', models.BigIntegerField(null=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-seq'],
                        'indexes': [models.Index(fields=['seq'], name='audits_auditevent_seq'), models.Index(fields=['event_type', 'occurred_at'], name='audits_auditevent_type_time'), models.Index(fields=['actor', 'occurred_at'], name='audits_auditevent_actor_time'), models.Index(fields=['object_type', 'object_id'], name='audits_auditevent_object')],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_current_partitions, migrations.RunPython.noop),
    ]
