"""What sales adds to a customer's files: documents on opportunities and quotes, sent quote PDFs."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.files import GeneratedFile
from sales.models import Quote
from sales.pdf import quote_filename


def sent_quote_pdfs(user, customer) -> list[GeneratedFile]:
    """Each quote's PDF as it was sent, kept by ``store_quote_pdf`` (one query)."""
    quotes = Quote.objects.visible_to(user).filter(customer=customer).exclude(pdf="").order_by("-issued_on")
    return [
        GeneratedFile(
            name=quote_filename(quote),
            url=reverse("sales:quote_pdf", args=[quote.pk]),
            kind=_("Quote PDF"),
            record=_("Quote %(quote)s") % {"quote": quote},
            record_url=quote.get_absolute_url(),
            date=timezone.localdate(quote.sent_at) if quote.sent_at else quote.issued_on,
        )
        for quote in quotes.only("pk", "number", "version", "issued_on", "sent_at", "pdf")
    ]
