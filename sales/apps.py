from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from contacts.panels import customer_panels
        from sales import panels

        customer_panels.register(panels.OpportunitiesPanel, order=20)
        customer_panels.register(panels.InstalledBasePanel, order=30)
        customer_panels.register(panels.QuotesPanel, order=40)

        from contacts.files import customer_file_sources, document_targets
        from sales import files
        from sales.models import Opportunity, Quote

        document_targets.register(Opportunity)
        document_targets.register(Quote)
        customer_file_sources.register(files.sent_quote_pdfs)

        from contacts.choices import lookup_tables
        from sales.models import Product, Stage

        lookup_tables.watch(Stage, Product)

        from crm.accounts.models import Team
        from sales.history import pipeline_history
        from sales.models import StageChange

        pipeline_history.watch(Opportunity, StageChange, Stage)
        # Deleting a team takes it off its deals without a signal per deal (SET_NULL).
        pipeline_history.watch(Team)
