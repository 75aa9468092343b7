from django.db import migrations, models


def _half_empty_pages(apps, schema_editor):  # noqa: ANN001, ANN201
    """PostgreSQL: applications keep half of each page free, so that a round's steps (the
    evaluation, then selected, then recipient: no index holds them) are HOT updates. At 500,000
    applicants each status step took 8-9 s with the (round, status, id) index, 2.2 s without
    it on half-empty pages (see Application)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE programmes_application SET (fillfactor = 50)")


def _full_pages(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE programmes_application RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0004_decision_region"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="application",
            name="application_round_status_idx",
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["round", "id"], name="application_round_idx"),
        ),
        migrations.RunPython(_half_empty_pages, _full_pages),
    ]
