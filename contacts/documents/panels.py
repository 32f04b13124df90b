"""The Files panel on the customer page: the latest documents, an upload form, the whole list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.documents.forms import DocumentForm
from contacts.documents.models import Document
from contacts.panels import CustomerPanel


class FilesPanel(CustomerPanel):
    title = _("Files")
    template_name = "contacts/panels/files.html"
    shown_documents = 5

    def get_context(self, request, customer):
        documents = Document.objects.visible_to(request.user).filter(customer=customer)
        return {
            "documents": documents.for_list()[: self.shown_documents],
            "form": DocumentForm(),
        }
