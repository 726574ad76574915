"""The audit trail's purge path (SECURITY DEFINER functions) and the guard on the
vault of held audit records, which is audit-trail data itself."""

from django.db import migrations

from audits import sql as audit_sql
from retention import sql


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("audits", "0002_protect_auditlog"),
    ]

    operations = [
        migrations.RunSQL(
            audit_sql.protect_table("retention_heldauditrecord"),
            audit_sql.unprotect_table("retention_heldauditrecord"),
        ),
        migrations.RunSQL(sql.CREATE_PURGE_FUNCTIONS, sql.DROP_PURGE_FUNCTIONS),
    ]
