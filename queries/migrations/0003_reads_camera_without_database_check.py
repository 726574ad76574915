from django.db import migrations, models

from queries import sql


class Migration(migrations.Migration):
    dependencies = [
        ("queries", "0002_default_vocabularies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql.CAMERAS_NEVER_DELETED, sql.CAMERAS_MAY_BE_DELETED
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="plateread",
                    name="camera",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to="queries.camera",
                    ),
                ),
            ],
        ),
    ]
