"""What service adds to a customer's files: the attachments of its tickets."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.files import GeneratedFile
from service.models import Attachment, Ticket


def ticket_attachments(user, customer) -> list[GeneratedFile]:
    """Attachments of the customer's tickets ``user`` may see (one query)."""
    tickets = Ticket.objects.visible_to(user).filter(customer=customer)
    attachments = (
        Attachment.objects.filter(ticket__in=tickets)
        .select_related("ticket")
        .only("pk", "name", "created_at", "ticket__id", "ticket__subject")
    )
    return [
        GeneratedFile(
            name=attachment.name,
            url=reverse("service:attachment_download", args=[attachment.ticket_id, attachment.pk]),
            kind=_("Ticket attachment"),
            record=str(attachment.ticket),
            record_url=attachment.ticket.get_absolute_url(),
            date=timezone.localdate(attachment.created_at),
        )
        for attachment in attachments
    ]
