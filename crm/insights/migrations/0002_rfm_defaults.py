"""The default RFM settings row and segment rules (editable in the admin afterwards)."""

from django.db import migrations
from django.utils.translation import gettext_noop

# (code, name, what to do, R from, R to, F from, F to); the first matching rule wins.
DEFAULT_RULES = [
    ("champions", gettext_noop("Champions"), gettext_noop("Bought recently and often: reward them, ask for referrals."), 5, 5, 4, 5),
    ("loyal", gettext_noop("Loyal"), gettext_noop("Buy often: offer more of the catalogue."), 3, 4, 4, 5),
    ("new", gettext_noop("New"), gettext_noop("First order just now: welcome them, help them start."), 5, 5, 1, 1),
    ("potential", gettext_noop("Potential"), gettext_noop("Recent, not yet frequent: a reason to buy again."), 4, 5, 1, 3),
    ("need_attention", gettext_noop("Need attention"), gettext_noop("Neither recent nor frequent: a timely offer."), 3, 3, 1, 3),
    ("cant_lose", gettext_noop("Can't lose"), gettext_noop("Used to buy the most, long ago: call them now."), 1, 2, 5, 5),
    ("at_risk", gettext_noop("At risk"), gettext_noop("Bought often, not lately: win them back."), 1, 2, 3, 4),
    ("hibernating", gettext_noop("Hibernating"), gettext_noop("Few orders, long ago: a reminder now and then."), 2, 2, 1, 2),
    ("lost", gettext_noop("Lost"), gettext_noop("Few orders, longest ago: keep costs low."), 1, 1, 1, 2),
]


def seed(apps, schema_editor):
    RfmSettings = apps.get_model("insights", "RfmSettings")
    SegmentRule = apps.get_model("insights", "SegmentRule")
    RfmSettings.objects.get_or_create(pk=1)
    for priority, (slug, label, description, r_min, r_max, f_min, f_max) in enumerate(DEFAULT_RULES, start=1):
        SegmentRule.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "description": description,
                "r_min": r_min,
                "r_max": r_max,
                "f_min": f_min,
                "f_max": f_max,
                "priority": priority * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_rfm")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
