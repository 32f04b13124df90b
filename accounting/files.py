"""What accounting adds to a customer's files: each invoice's PDF, rendered when opened."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounting.models import Invoice
from accounting.pdf import invoice_filename
from contacts.files import GeneratedFile


def invoice_pdfs(user, customer) -> list[GeneratedFile]:
    invoices = (
        Invoice.objects.visible_to(user).filter(order__customer=customer).only("pk", "number", "issue_date")
    )
    return [
        GeneratedFile(
            name=invoice_filename(invoice),
            url=reverse("accounting:invoice_pdf", args=[invoice.pk]),
            kind=_("Invoice PDF"),
            record=_("Invoice %(number)s") % {"number": invoice.number},
            record_url=invoice.get_absolute_url(),
            date=invoice.issue_date,
        )
        for invoice in invoices
    ]
