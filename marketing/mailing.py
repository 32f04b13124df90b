"""Email mailings: merge fields, a test send, queueing the recipients, batched sending, unsubscribe.

Sending goes through Django's email backend, one SMTP connection per batch. Each batch
locks its queued recipients (``skip_locked``), so two workers never send the same one,
and marks them sent or failed when it commits; a second run sends nothing twice.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Contact, Customer
from marketing.models import EmailOptOut, Mailing, MailingRecipient
from marketing.segments import filters_are_valid, segment_customers

if TYPE_CHECKING:
    from crm.accounts.models import User

BATCH_SIZE = 200
UNSUBSCRIBE_SALT = "unsubscribe"

MERGE_FIELDS = {
    "name": gettext_lazy("the customer's name"),
    "legal_name": gettext_lazy("the legal name"),
    "contact_name": gettext_lazy("the legal representative, or the first contact"),
    "city": gettext_lazy("the city"),
    "owner_name": gettext_lazy("the customer's owner"),
}
FIELD_PATTERN = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


class MailingError(Exception):
    """A mailing cannot do what was asked; the message says why."""


# --- Merge fields -----------------------------------------------------------------------


def allowed_fields_text() -> str:
    return ", ".join("{{ %s }}" % name for name in MERGE_FIELDS)  # noqa: UP031


def template_errors(text: str) -> list[str]:
    """What is wrong with a subject or body as typed: template tags, unknown or broken fields."""
    errors = []
    if "{%" in text or "%}" in text:
        errors.append(_("Template tags ({% … %}) are not allowed; use only merge fields."))
    unknown = sorted({name for name in FIELD_PATTERN.findall(text) if name not in MERGE_FIELDS})
    if unknown:
        errors.append(
            _("Unknown merge field(s): %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": allowed_fields_text()}
        )
    leftover = FIELD_PATTERN.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.append(
            _("A merge field is not closed or not well written. Write them like {{ name }}; allowed: %s.")
            % allowed_fields_text()
        )
    return errors


def render_text(text: str, values: dict[str, str]) -> str:
    """Fill the merge fields; plain substitution, nothing else in the text is interpreted."""
    return FIELD_PATTERN.sub(lambda match: values.get(match.group(1), ""), text)


def merge_values(customer: Customer) -> dict[str, str]:
    """The merge values of a customer loaded with ``owner`` and ``mail_contacts``."""
    contacts = getattr(customer, "mail_contacts", None)
    if contacts is None:
        contacts = list(customer.contacts.order_by("-is_legal_representative", "name", "pk")[:1])
    owner = customer.owner
    return {
        "name": customer.display_name,
        "legal_name": customer.legal_name,
        "contact_name": contacts[0].name if contacts else "",
        "city": customer.city,
        "owner_name": (owner.get_full_name() or owner.username) if owner else "",
    }


def sample_values() -> dict[str, str]:
    return {
        "name": _("Sample Company"),
        "legal_name": _("Sample Company S.A.S."),
        "contact_name": _("Ana Example"),
        "city": _("Bogotá"),
        "owner_name": _("Your name"),
    }


def _customers_for_mail(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    first_contacts = Contact.objects.order_by("-is_legal_representative", "name", "pk").only(
        "pk", "customer_id", "name", "is_legal_representative"
    )
    return queryset.select_related("owner").prefetch_related(
        Prefetch("contacts", queryset=first_contacts, to_attr="mail_contacts")
    )


# --- Audience ---------------------------------------------------------------------------


def audience(mailing: Mailing, user: User) -> QuerySet[Customer]:
    """The customers the mailing targets, each once."""
    if mailing.campaign_id:
        members = Customer.objects.visible_to(user).filter(campaign_memberships__campaign=mailing.campaign_id)
    elif mailing.segment_id:
        if not filters_are_valid(mailing.segment.filters or {}, user=user):
            raise MailingError(_("The segment's filters are no longer valid; fix the segment first."))
        members = segment_customers(mailing.segment, user)
    else:
        raise MailingError(_("Choose a campaign or a segment to send to."))
    return Customer.objects.filter(pk__in=members.values("pk"))


# --- Writes -----------------------------------------------------------------------------


def create_mailing(*, by: User, name: str, subject: str, body: str, campaign=None, segment=None) -> Mailing:
    return Mailing.objects.create(
        name=name, subject=subject, body=body, campaign=campaign, segment=segment, created_by=by
    )


def update_mailing(*, mailing: Mailing, **fields) -> Mailing:
    if mailing.status != Mailing.Status.DRAFT:
        raise MailingError(_("This mailing has been sent; it can no longer be changed."))
    for name, value in fields.items():
        setattr(mailing, name, value)
    mailing.save()
    return mailing


def send_test(*, mailing: Mailing, to: User) -> str:
    """Send the mailing, marked [TEST], to ``to``, filled in for its first recipient."""
    if not to.email:
        raise MailingError(_("Your user has no email address; add one to receive the test."))
    customer = _customers_for_mail(audience(mailing, to).order_by("legal_name", "pk")).first()
    values = merge_values(customer) if customer else sample_values()
    message = build_message(
        mailing, values, to=to.email, token=unsubscribe_token(None, mailing.pk), language=to.language
    )
    message.subject = "[TEST] " + message.subject
    message.send()
    return to.email


def queue_mailing(*, mailing: Mailing, by: User) -> int:
    """Create one recipient per customer (skipping opted-out ones and those with no email),
    mark the mailing as sending and enqueue the sending after commit. Returns the queued count."""
    from marketing.tasks import send_mailing_task

    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status != Mailing.Status.DRAFT:
            raise MailingError(_("This mailing has already been sent."))
        rows = (
            audience(mailing, by)
            .annotate(opted_out=Exists(EmailOptOut.objects.filter(customer=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", "email", "opted_out")
        )
        recipients = [_recipient(mailing, pk, email, opted_out) for pk, email, opted_out in rows]
        if not recipients:
            raise MailingError(_("The mailing has nobody to send to."))
        MailingRecipient.objects.bulk_create(recipients, batch_size=1000)
        mailing.status = Mailing.Status.SENDING
        mailing.started_at = timezone.now()
        mailing.save(update_fields=["status", "started_at"])
        transaction.on_commit(lambda: send_mailing_task.delay(mailing_id=mailing.pk))
    return sum(1 for recipient in recipients if recipient.status == MailingRecipient.Status.QUEUED)


def _recipient(mailing: Mailing, customer_id: int, email: str, opted_out: bool) -> MailingRecipient:
    status, error = MailingRecipient.Status.QUEUED, ""
    if opted_out:
        status, error = MailingRecipient.Status.SKIPPED, _("Opted out of marketing email.")
    elif not email:
        status, error = MailingRecipient.Status.SKIPPED, _("No email address.")
    return MailingRecipient(mailing=mailing, customer_id=customer_id, email=email, status=status, error=error)


# --- Sending ----------------------------------------------------------------------------


@dataclass
class _Templates:
    text: object
    html: object


def _templates() -> _Templates:
    return _Templates(
        text=get_template("marketing/email/mailing.txt"), html=get_template("marketing/email/mailing.html")
    )


def build_message(
    mailing: Mailing, values: dict[str, str], *, to: str, token: str, language: str, templates=None
) -> EmailMultiAlternatives:
    templates = templates or _templates()
    url = settings.CRM_BASE_URL.rstrip("/") + reverse("marketing:unsubscribe", args=[token])
    body = render_text(mailing.body, values)
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"body": body, "unsubscribe_url": url}
        text, html = templates.text.render(context), templates.html.render(context)
    message = EmailMultiAlternatives(
        subject=render_text(mailing.subject, values).replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_batch(*, mailing_id: int, size: int = BATCH_SIZE) -> int:
    """Send up to ``size`` queued recipients over one connection; returns how many were handled.

    If the mail server cannot be reached, what was handled so far is saved, the rest stays
    queued, and the error is raised so that the task is retried later.
    """
    mailing = Mailing.objects.get(pk=mailing_id)
    templates = _templates()
    unreachable: OSError | None = None
    with transaction.atomic():
        batch = list(
            MailingRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(mailing_id=mailing_id, status=MailingRecipient.Status.QUEUED)
            .order_by("pk")[:size]
        )
        if not batch:
            return 0
        customers = _customers_for_mail(
            Customer.objects.filter(pk__in=[r.customer_id for r in batch]).annotate(
                opted_out=Exists(EmailOptOut.objects.filter(customer=OuterRef("pk")))
            )
        ).in_bulk()
        connection = get_connection(fail_silently=False)
        handled: list[MailingRecipient] = []
        try:
            for recipient in batch:
                if connection.connection is None:
                    connection.open()
                _send_one(mailing, recipient, customers.get(recipient.customer_id), connection, templates)
                handled.append(recipient)
        except OSError as error:  # the server is down or refused the connection
            unreachable = error
        finally:
            connection.close()
        _save_outcomes(handled)
    if unreachable is not None:
        raise unreachable
    return len(handled)


def _save_outcomes(handled: list[MailingRecipient]) -> None:
    """One UPDATE per outcome (failures, rare, one each for their own error text)."""
    by_status: dict[str, list[MailingRecipient]] = {}
    for recipient in handled:
        by_status.setdefault(recipient.status, []).append(recipient)
    recipients = MailingRecipient.objects
    if sent := by_status.get(MailingRecipient.Status.SENT):
        # Batches are small and quick, so the batch's time stands for each message's.
        recipients.filter(pk__in=[r.pk for r in sent]).update(
            status=MailingRecipient.Status.SENT, error="", sent_at=timezone.now()
        )
    if skipped := by_status.get(MailingRecipient.Status.SKIPPED):
        recipients.filter(pk__in=[r.pk for r in skipped]).update(
            status=MailingRecipient.Status.SKIPPED, error=skipped[0].error
        )
    for recipient in by_status.get(MailingRecipient.Status.FAILED, []):
        recipients.filter(pk=recipient.pk).update(status=recipient.status, error=recipient.error)


def _send_one(mailing, recipient, customer, connection, templates) -> None:
    if customer is None or customer.opted_out:
        recipient.status, recipient.error = (
            MailingRecipient.Status.SKIPPED,
            _("Opted out of marketing email."),
        )
        return
    message = build_message(
        mailing,
        merge_values(customer),
        to=recipient.email,
        token=unsubscribe_token(customer.pk, mailing.pk),
        language=customer.language,
        templates=templates,
    )
    message.connection = connection
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        raise  # not this recipient's fault: the batch stops and is retried
    except (smtplib.SMTPException, ValueError) as error:
        # Refused by the server (bad address, policy) or not an address at all: this one fails.
        recipient.status, recipient.error = MailingRecipient.Status.FAILED, describe_error(error)[:300]
        return
    recipient.status = MailingRecipient.Status.SENT


def describe_error(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    return str(error) or error.__class__.__name__


def finish_if_done(*, mailing_id: int) -> bool:
    """Mark the mailing sent once nothing is queued; true when it is (or already was) sent."""
    queued = MailingRecipient.objects.filter(mailing_id=mailing_id, status=MailingRecipient.Status.QUEUED)
    if queued.exists():
        return False
    Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.SENT, finished_at=timezone.now()
    )
    return True


def send_mailing(*, mailing_id: int, size: int = BATCH_SIZE) -> int:
    """Send every queued recipient, batch after batch; returns how many were handled."""
    handled = 0
    while done := send_batch(mailing_id=mailing_id, size=size):
        handled += done
    finish_if_done(mailing_id=mailing_id)
    return handled


# --- Reads ------------------------------------------------------------------------------


def status_counts(mailing: Mailing) -> dict[str, int]:
    statuses = MailingRecipient.Status
    totals = MailingRecipient.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in statuses.values}
    )
    processed = totals["sent"] + totals["failed"]
    to_send = processed + totals["queued"]
    totals["percent"] = round(100 * processed / to_send) if to_send else 100
    return totals


# --- Unsubscribe ------------------------------------------------------------------------


def unsubscribe_token(customer_id: int | None, mailing_id: int) -> str:
    """A signed token for the unsubscribe link; ``None`` as customer marks a test send."""
    return signing.dumps([customer_id, mailing_id], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int | None, int]:
    """The customer and mailing ids, or ``signing.BadSignature`` for a bad or tampered token."""
    try:
        customer_id, mailing_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (ValueError, TypeError) as error:
        raise signing.BadSignature(str(error)) from error
    if not (customer_id is None or isinstance(customer_id, int)) or not isinstance(mailing_id, int):
        raise signing.BadSignature("unexpected payload")
    return customer_id, mailing_id


def unsubscribe(*, customer_id: int, mailing_id: int) -> EmailOptOut | None:
    """Opt the customer out of marketing email; once is enough, a second call changes nothing."""
    if not Customer.objects.filter(pk=customer_id).exists():
        return None
    opt_out, _created = EmailOptOut.objects.get_or_create(
        customer_id=customer_id, defaults={"source": f"mailing {mailing_id}"[:50]}
    )
    return opt_out
