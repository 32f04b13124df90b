"""Filing email on customers: by matching addresses (a batch at a time), or by hand from review.

Matching is set-based: one query finds every contact, one every customer, whose email is
among the batch's addresses (case-insensitive), limited to the customers the mailbox's owner
may see, so that nobody's mail lands where they cannot find it. The sender is tried first,
then the recipients in order. Each message is known once by its Message-ID; filing makes an
``Activity`` of kind email, so the customer's timeline shows it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from contacts.documents.models import Document
from contacts.mail.models import EmailMessage, Mailbox
from contacts.mail.parsing import ParsedEmail
from contacts.models import Activity, Contact, Customer
from contacts.uploads import check_upload, display_name, storage_name

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crm.accounts.models import User

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Match:
    customer_id: int
    contact_id: int | None


class FilingError(ValueError):
    pass


def match_addresses(addresses: Iterable[str], *, user: User) -> dict[str, Match]:
    """Each address that is a contact's or a customer's email, among customers ``user`` sees."""
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    customers = Customer.objects.visible_to(user)
    found: dict[str, Match] = {}
    contacts = (
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted, customer__in=customers.values("pk"))
        .order_by("customer_id", "pk")
        .values_list("email_lower", "customer_id", "pk")
    )
    for address, customer_id, contact_id in contacts:
        found.setdefault(address, Match(customer_id, contact_id))
    direct = (
        customers.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .order_by("pk")
        .values_list("email_lower", "pk")
    )
    for address, customer_id in direct:
        found.setdefault(address, Match(customer_id, None))
    return found


def first_match(email: ParsedEmail, matches: dict[str, Match]) -> Match | None:
    return next((matches[a] for a in email.addresses if a in matches), None)


def excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"


def email_activity(
    *, customer_id: int, contact_id: int | None, subject: str, body: str, sent_at, user: User | None
) -> Activity:
    return Activity(
        customer_id=customer_id,
        contact_id=contact_id,
        kind=Activity.Kind.EMAIL,
        subject=(subject or _("(no subject)"))[:200],
        notes=excerpt(body),
        occurred_at=sent_at,
        user=user,
    )


def kept_attachments(email: ParsedEmail) -> tuple[list[tuple[str, bytes, str]], list[str]]:
    """The attachments we keep (name, bytes, type), and a note for each one we do not."""
    kept, notes = [], []
    for attachment in email.attachments:
        name = display_name(
            attachment.name, default=pgettext("file name of an attachment sent without one", "attachment")
        )
        try:
            content_type = check_upload(
                io.BytesIO(attachment.content),
                name=name,
                size=len(attachment.content),
                max_bytes=settings.CRM_DOCUMENT_MAX_BYTES,
                extensions=settings.CRM_DOCUMENT_TYPES,
            )
        except ValidationError as error:
            notes.append(
                _("Attachment %(name)s was not kept: %(reason)s")
                % {"name": name, "reason": error.messages[0]}
            )
        else:
            kept.append((name, attachment.content, content_type))
    return kept, notes


def _documents_for(
    message: EmailMessage, files: list[tuple[str, bytes, str]], stored: list[str]
) -> list[Document]:
    target_type = ContentType.objects.get_for_model(EmailMessage)
    documents = []
    for name, content, content_type in files:
        document = Document(
            customer_id=message.customer_id,
            target_type=target_type,
            target_id=message.pk,
            name=name,
            size=len(content),
            content_type=content_type,
        )
        document.file.save(storage_name(name, default="attachment"), ContentFile(content), save=False)
        stored.append(document.file.name)
        documents.append(document)
    return documents


@dataclass
class FilingSummary:
    fetched: int = 0
    filed: int = 0
    unmatched: int = 0
    already_known: int = 0


@dataclass
class _Pending:
    email: ParsedEmail
    body: str
    match: Match | None
    activity: Activity | None
    files: list[tuple[str, bytes, str]]


def _pending(emails: list[ParsedEmail], user: User) -> list[_Pending]:
    matches = match_addresses({a for email in emails for a in email.addresses}, user=user)
    pending = []
    for email in emails:
        files, notes = kept_attachments(email)
        body = "\n\n".join([email.body_text, *notes]) if notes else email.body_text
        match = first_match(email, matches)
        activity = None
        if match:
            activity = email_activity(
                customer_id=match.customer_id,
                contact_id=match.contact_id,
                subject=email.subject,
                body=body,
                sent_at=email.sent_at,
                user=user,
            )
        pending.append(_Pending(email, body, match, activity, files))
    return pending


def _message(row: _Pending, mailbox: Mailbox, now) -> EmailMessage:
    email, match = row.email, row.match
    return EmailMessage(
        message_id=email.message_id,
        mailbox=mailbox,
        direction=EmailMessage.Direction.RECEIVED,
        status=EmailMessage.Status.FILED if match else EmailMessage.Status.UNMATCHED,
        from_address=email.from_address,
        from_name=email.from_name,
        to_addresses=email.to,
        cc_addresses=email.cc,
        subject=email.subject,
        sent_at=email.sent_at,
        body_text=row.body,
        customer_id=match.customer_id if match else None,
        contact_id=match.contact_id if match else None,
        activity=row.activity,
        filed_at=now if match else None,
    )


def file_fetched(
    *, mailbox: Mailbox, fetched: list[tuple[int, ParsedEmail]], uidvalidity: int, last_uid: int
) -> FilingSummary:
    """File a fetched batch (UID, email) and move the mailbox's state past it, in one transaction.

    The mailbox row is locked, so two fetches of the same mailbox (the schedule and "fetch
    now") file one after the other: the second skips the UIDs the first already took, and
    Message-IDs already known (from any mailbox) are never filed again.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            mailbox = Mailbox.objects.select_for_update().select_related("user").get(pk=mailbox.pk)
            same_folder = uidvalidity == mailbox.uidvalidity
            if same_folder:
                fetched = [(uid, email) for uid, email in fetched if uid > mailbox.last_uid]
            unique = list({email.message_id: email for _uid, email in fetched}.values())
            known = set(
                EmailMessage.objects.filter(message_id__in=[e.message_id for e in unique]).values_list(
                    "message_id", flat=True
                )
            )
            rows = _pending([email for email in unique if email.message_id not in known], mailbox.user)
            Activity.objects.bulk_create([row.activity for row in rows if row.activity])
            now = timezone.now()
            messages = [_message(row, mailbox, now) for row in rows]
            EmailMessage.objects.bulk_create(messages)
            Document.objects.bulk_create(
                [
                    document
                    for message, row in zip(messages, rows, strict=True)
                    for document in _documents_for(message, row.files, stored)
                ]
            )
            summary = FilingSummary(fetched=len(fetched), already_known=len(fetched) - len(messages))
            summary.filed = sum(1 for message in messages if message.customer_id)
            summary.unmatched = len(messages) - summary.filed
            Mailbox.objects.filter(pk=mailbox.pk).update(
                uidvalidity=uidvalidity,
                last_uid=max(last_uid, mailbox.last_uid) if same_folder else last_uid,
                fetched_count=F("fetched_count") + len(messages),
                filed_count=F("filed_count") + summary.filed,
                unmatched_count=F("unmatched_count") + summary.unmatched,
                last_synced_at=now,
                last_error="",
                last_error_at=None,
            )
    except Exception:
        # Nothing was written: neither are the attachments' files kept.
        storage = Document._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise
    return summary


def contact_for(customer: Customer, addresses: Iterable[str]) -> Contact | None:
    wanted = {address.lower() for address in addresses if address}
    return (
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(customer=customer, email_lower__in=wanted)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def file_message(*, message: EmailMessage, customer: Customer, by: User) -> EmailMessage:
    """File a message from the review list on ``customer``, as its timeline entry."""
    message = EmailMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == EmailMessage.Status.FILED:
        raise FilingError(_("This message is already filed on a customer."))
    contact = contact_for(customer, [message.from_address, *message.recipients])
    activity = email_activity(
        customer_id=customer.pk,
        contact_id=contact.pk if contact else None,
        subject=message.subject,
        body=message.body_text,
        sent_at=message.sent_at,
        user=by,
    )
    activity.save()
    message.customer, message.contact, message.activity = customer, contact, activity
    message.status = EmailMessage.Status.FILED
    message.filed_by, message.filed_at = by, timezone.now()
    message.save()
    message.documents.update(customer=customer)
    if message.mailbox_id:
        Mailbox.objects.filter(pk=message.mailbox_id).update(filed_count=F("filed_count") + 1)
    return message


@transaction.atomic
def ignore_message(*, message: EmailMessage) -> EmailMessage:
    """Take a message off the review list: it is not about any customer."""
    EmailMessage.objects.filter(pk=message.pk, status=EmailMessage.Status.UNMATCHED).update(
        status=EmailMessage.Status.IGNORED
    )
    message.refresh_from_db()
    return message
