from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from contacts.panels import customer_panels
        from leads.panels import LeadsPanel

        customer_panels.register(LeadsPanel, order=15)

        from contacts.choices import lookup_tables
        from marketing.models import Campaign

        lookup_tables.watch(Campaign)
