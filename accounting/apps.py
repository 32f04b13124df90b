from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "accounting"
    verbose_name = _("Accounting")

    def ready(self) -> None:
        from accounting import panels
        from contacts.panels import customer_panels

        customer_panels.register(panels.OrdersPanel, order=50)

        from accounting import files
        from contacts.files import customer_file_sources

        customer_file_sources.register(files.invoice_pdfs)
