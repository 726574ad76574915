"""django-auditlog's field-level history is audit-trail data too: same guard."""

from django.db import migrations

from audits import sql


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(
            sql.protect_table("auditlog_logentry"),
            sql.unprotect_table("auditlog_logentry"),
        ),
    ]
