from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from contacts.panels import customer_panels
        from service import panels

        customer_panels.register(panels.TicketsPanel, order=60)

        from contacts.files import customer_file_sources
        from service import files

        # Tickets keep their files as attachments (on the ticket page); the customer's files list them.
        customer_file_sources.register(files.ticket_attachments)
