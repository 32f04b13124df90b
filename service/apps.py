from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from contacts.panels import customer_panels
        from service import panels

        customer_panels.register(panels.TicketsPanel, order=60)
