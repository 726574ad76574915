"""Dissemination records, exports, acknowledgments, FOIA answers and sharing
settings snapshots are audit-trail data: append-only, like the trail itself."""

from django.db import migrations

from audits import sql

TABLES = [
    "sharing_dissemination",
    "sharing_export",
    "sharing_acknowledgment",
    "sharing_foiarequest",
    "sharing_sharingsettings",
]


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_protect_auditlog"),
        ("sharing", "0002_requests_and_records"),
    ]

    operations = [
        migrations.RunSQL(sql.protect_table(table), sql.unprotect_table(table))
        for table in TABLES
    ]
