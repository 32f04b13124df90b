from django.apps import AppConfig
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def segment_choices() -> list[tuple[str, str]]:
    """The value segments for the customer list's filter, cached like the other dropdowns."""
    from contacts.choices import lookup_tables
    from crm.insights.models import SegmentRule

    key = f"segment-rules:{get_language()}"
    return lookup_tables.fetch({key: SegmentRule.objects.choices})[key]


class InsightsConfig(AppConfig):
    name = "crm.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from contacts.choices import lookup_tables
        from contacts.panels import customer_panels
        from contacts.value_segments import value_segments
        from crm.insights import panels
        from crm.insights.models import SegmentRule

        lookup_tables.watch(SegmentRule)
        value_segments.provide(segment_choices)
        customer_panels.register(panels.ValuePanel, order=15)
