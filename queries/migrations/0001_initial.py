"""Cameras, reads (partitioned by UTC day; SQL in ``queries/sql.py``) and searches.

Searches are audit-trail data and get the same append-only guard as the trail.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import flockgov.db.expressions
from django.conf import settings
from django.db import migrations, models

from audits import sql as audit_sql
from flockgov.db.partitions import READS, ensure_range
from queries import sql


def create_current_partitions(apps, schema_editor):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ensure_range(READS, now - timedelta(days=22), now + timedelta(days=7))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("audits", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='Camera',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('device_id', models.CharField(max_length=64, unique=True)),
                ('name', models.CharField(max_length=120)),
                ('kind', models.CharField(choices=[('fixed', 'Fixed'), ('vehicle', 'Vehicle-mounted'), ('temporary', 'Temporary')], default='fixed', max_length=10)),
                ('location', models.CharField(blank=True, max_length=200)),
                ('latitude', models.FloatField(blank=True, null=True)),
                ('longitude', models.FloatField(blank=True, null=True)),
                ('installed_on', models.DateField(blank=True, null=True)),
                ('removed_on', models.DateField(blank=True, null=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='OffenseType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ProhibitedTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=60, unique=True)),
                ('category', models.CharField(choices=[('assembly', 'Protest or lawful assembly'), ('immigration', 'Immigration status'), ('reproductive', 'Reproductive health care'), ('speech', 'Protected speech')], max_length=16)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['category', 'term'],
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(sql.CREATE_PLATE_READ_TABLE, sql.DROP_PLATE_READ_TABLE),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='PlateRead',
                    fields=[
                        ('pk', models.CompositePrimaryKey('id', 'captured_at', blank=True, editable=False, primary_key=True, serialize=False)),
                        ('id', models.BigIntegerField(db_default=flockgov.db.expressions.DatabaseGenerated(), editable=False)),
                        ('captured_at', models.DateTimeField()),
                        ('plate', models.CharField(max_length=64)),
                        ('plate_hashed', models.BooleanField(default=False)),
                        ('state', models.CharField(blank=True, default='', max_length=2)),
                        ('latitude', models.FloatField(null=True)),
                        ('longitude', models.FloatField(null=True)),
                        ('make', models.CharField(blank=True, default='', max_length=32)),
                        ('color', models.CharField(blank=True, default='', max_length=32)),
                        ('confidence', models.FloatField(null=True)),
                        ('image_ref', models.CharField(blank=True, default='', max_length=255)),
                        ('source', models.CharField(blank=True, default='', max_length=100)),
                        ('camera', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='queries.camera')),
                    ],
                    options={
                        'indexes': [models.Index(fields=['plate', 'captured_at'], name='queries_read_plate'), models.Index(fields=['captured_at'], name='queries_read_captured'), models.Index(fields=['camera', 'captured_at'], name='queries_read_camera')],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_current_partitions, migrations.RunPython.noop),
        migrations.CreateModel(
            name='Search',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(db_index=True)),
                ('purpose', models.CharField(choices=[('A', 'A: criminal investigation of a violation of state law or a local ordinance, with reasonable suspicion that a crime was committed'), ('B', 'B: active investigation of a missing or endangered person (including whether to issue an alert) or of human trafficking'), ('C', 'C: follow-up of a notification about a missing or endangered person, an outstanding warrant, human trafficking, a stolen vehicle or a stolen plate')], max_length=1)),
                ('case_number', models.CharField(blank=True, max_length=40)),
                ('offense_type', models.CharField(max_length=120)),
                ('justification', models.TextField()),
                ('plate_query', models.CharField(max_length=64)),
                ('kind', models.CharField(choices=[('exact', 'Exact plate'), ('pattern', 'Pattern'), ('hashed', 'Hashed plate (exact)')], max_length=8)),
                ('window_start', models.DateTimeField()),
                ('window_end', models.DateTimeField()),
                ('camera_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None)),
                ('result_count', models.IntegerField()),
                ('read_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None)),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='searches', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'searches',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['officer', 'created_at'], name='queries_sea_officer_8c8de8_idx')],
            },
        ),
        migrations.RunSQL(
            audit_sql.protect_table("queries_search"),
            audit_sql.unprotect_table("queries_search"),
        ),
    ]
