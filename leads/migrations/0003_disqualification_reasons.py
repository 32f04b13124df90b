from django.db import migrations

REASONS = [
    "No need",
    "No budget",
    "Wrong contact data",
    "Already a customer of a competitor",
    "Not reachable",
    "Duplicate",
]


def seed(apps, schema_editor):
    DisqualificationReason = apps.get_model("leads", "DisqualificationReason")
    for name in REASONS:
        DisqualificationReason.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
