"""The customer's satisfaction with a resolved ticket, asked for through a signed, expiring link.

The link carries the ticket id signed with a timestamp (``django.core.signing``), so the
customer rates without an account and nobody can rate another ticket by changing a digit.
A ticket is rated once: a second answer is refused, so a forwarded link cannot overwrite it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from service.models import Ticket

SALT = "service.satisfaction"


def link_lifetime() -> timedelta:
    return timedelta(days=settings.SERVICE_SATISFACTION_LINK_DAYS)


def make_token(ticket: Ticket) -> str:
    return signing.dumps(ticket.pk, salt=SALT)


def read_token(token: str) -> int:
    """The ticket id; ``signing.SignatureExpired`` when too old, ``signing.BadSignature`` when not ours."""
    try:
        ticket_id = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except (ValueError, TypeError) as error:  # not base64, not JSON
        raise signing.BadSignature(str(error)) from error
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        raise signing.BadSignature("unexpected payload")
    return ticket_id


def survey_url(ticket: Ticket) -> str:
    path = reverse("service:satisfaction", args=[make_token(ticket)])
    return settings.CRM_BASE_URL.rstrip("/") + path


def recipient_of(ticket: Ticket) -> str:
    """The customer's email, else that of their first contact who has one (legal representative first)."""
    if ticket.customer.email:
        return ticket.customer.email
    contact = ticket.customer.contacts.exclude(email="").first()
    return contact.email if contact else ""


def send_satisfaction_request(*, ticket_id: int) -> bool:
    """Email the survey link for a resolved, unrated ticket, once per resolution.

    The claim (``satisfaction_requested_at`` later than the resolution) and the email share
    one transaction: a redelivered task sends nothing more, a worker killed mid-send leaves the
    claim undone for the retry, and a ticket reopened and resolved again is asked again.
    """
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != Ticket.Status.RESOLVED or ticket.satisfaction_rating:
        return False
    to = recipient_of(ticket)
    if not to:
        return False
    with transaction.atomic():
        claimed = (
            Ticket.objects.filter(pk=ticket.pk)
            .filter(
                Q(satisfaction_requested_at__isnull=True) | Q(satisfaction_requested_at__lt=F("resolved_at"))
            )
            .update(satisfaction_requested_at=timezone.now())
        )
        if not claimed:
            return False
        with translation.override(ticket.customer.language or settings.LANGUAGE_CODE):
            context = {
                "ticket": ticket,
                "customer": ticket.customer,
                "url": survey_url(ticket),
                "days": settings.SERVICE_SATISFACTION_LINK_DAYS,
                "company": settings.CRM_COMPANY_NAME,
            }
            send_mail(
                subject=_("How did we do with your request %(ticket)s?") % {"ticket": f"#{ticket.pk}"},
                message=render_to_string("service/email/satisfaction_request.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[to],
            )
    return True


def rate(*, ticket: Ticket, rating: int, comment: str) -> bool:
    """Record the customer's rating; False when the ticket was already rated (first answer wins)."""
    now = timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, satisfaction_rating__isnull=True).update(
        satisfaction_rating=rating, satisfaction_comment=comment, satisfaction_at=now
    )
    if updated:
        ticket.satisfaction_rating, ticket.satisfaction_comment, ticket.satisfaction_at = rating, comment, now
    return bool(updated)
