from django.db import migrations

from queries.vocabulary import OFFENSE_TYPES, PROHIBITED_TERMS


def load(apps, schema_editor):
    OffenseType = apps.get_model("queries", "OffenseType")
    ProhibitedTerm = apps.get_model("queries", "ProhibitedTerm")
    for name in OFFENSE_TYPES:
        OffenseType.objects.get_or_create(name=name)
    for category, terms in PROHIBITED_TERMS.items():
        for term in terms:
            ProhibitedTerm.objects.get_or_create(
                term=term, defaults={"category": category}
            )


class Migration(migrations.Migration):
    dependencies = [("queries", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
