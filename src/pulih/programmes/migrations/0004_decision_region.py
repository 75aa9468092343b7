from django.db import migrations, models
from django.db.models import Max, Min


def regions_fill(apps, schema_editor):  # noqa: ANN001, ANN201
    """Lists made before this field: the narrowest region holding their lines."""
    from pulih.reference.selectors import common_region

    Decision = apps.get_model("programmes", "Decision")
    for decision in Decision.objects.all().iterator():
        span = decision.entries.aggregate(low=Min("region_code"), high=Max("region_code"))
        if span["low"] is None:
            continue
        decision.region_code = common_region(span["low"], span["high"])
        decision.save(update_fields=["region_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_ledger_round_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=13),
        ),
        migrations.RunPython(regions_fill, migrations.RunPython.noop),
    ]
