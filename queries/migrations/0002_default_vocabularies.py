from django.db import migrations

from queries.vocabulary import load_defaults


def load(apps, schema_editor):
    load_defaults(
        apps.get_model("queries", "OffenseType"),
        apps.get_model("queries", "ProhibitedTerm"),
    )


class Migration(migrations.Migration):
    dependencies = [("queries", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
