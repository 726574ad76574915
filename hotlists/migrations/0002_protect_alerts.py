"""Alerts, their dispositions and stop records are audit-trail data: append-only
for everyone, read/insert-only for the application role."""

from django.db import migrations

from audits import sql

TABLES = ("hotlists_alert", "hotlists_disposition", "hotlists_stop")


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("hotlists", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(sql.protect_table(table) for table in TABLES),
            "".join(sql.unprotect_table(table) for table in TABLES),
        ),
    ]
