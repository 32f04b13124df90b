from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from contacts.documents.panels import FilesPanel
        from contacts.panels import customer_panels

        customer_panels.register(FilesPanel, order=90)

        from contacts.files import document_targets
        from contacts.mail.models import EmailMessage

        # An email's attachments come with it; nobody uploads to an email.
        document_targets.register(EmailMessage, uploads=False)
