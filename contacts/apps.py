from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from contacts.documents.panels import FilesPanel
        from contacts.panels import customer_panels

        customer_panels.register(FilesPanel, order=90)

        from contacts.choices import lookup_tables
        from contacts.counts import customer_rows
        from contacts.models import Customer, EconomicActivity, RelationshipType, Tag
        from crm.accounts.models import Team, User

        # Dropdowns of filter bars list these; a login (last_login) changes none of them.
        lookup_tables.watch(User, ignore={"last_login"})
        lookup_tables.watch(Team, Tag, EconomicActivity, RelationshipType)
        lookup_tables.watch_links(User.groups.through)
        # The list counts depend on which customers exist and whose they are.
        customer_rows.watch(Customer, Team)

        from contacts.files import document_targets
        from contacts.mail.models import EmailMessage

        # An email's attachments come with it; nobody uploads to an email.
        document_targets.register(EmailMessage, uploads=False)
