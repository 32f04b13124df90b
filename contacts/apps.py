from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from contacts.documents.panels import FilesPanel
        from contacts.panels import customer_panels

        customer_panels.register(FilesPanel, order=90)
