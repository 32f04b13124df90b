from django.db import migrations

# name, order, default probability, won, lost; editable in the admin afterwards.
STAGES = [
    ("Prospecting", 10, 10, False, False),
    ("Qualification", 20, 20, False, False),
    ("Needs analysis", 30, 40, False, False),
    ("Proposal", 40, 60, False, False),
    ("Negotiation", 50, 80, False, False),
    ("Won", 60, 100, True, False),
    ("Lost", 70, 0, False, True),
]
LOST_REASONS = ["Price", "Competitor", "No budget", "No decision", "Timing", "Product fit"]


def seed(apps, schema_editor):
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    if not Stage.objects.exists():
        for name, order, probability, won, lost in STAGES:
            Stage.objects.create(
                name=name, order=order, default_probability=probability, is_won=won, is_lost=lost
            )
    for name in LOST_REASONS:
        LostReason.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
