from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "crm.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from contacts.panels import customer_panels
        from contacts.value_segments import value_segments
        from crm.insights import panels
        from crm.insights.models import SegmentRule

        value_segments.provide(lambda: SegmentRule.objects.choices())
        customer_panels.register(panels.ValuePanel, order=15)
