"""Email written in the CRM: sent through the user's own SMTP server, then filed like fetched mail."""

from __future__ import annotations

from email.utils import formataddr, make_msgid
from typing import TYPE_CHECKING

from django.core.mail import EmailMessage as OutgoingEmail
from django.db import transaction
from django.utils import timezone

from contacts.documents.services import add_document
from contacts.mail.filing import email_activity
from contacts.mail.models import EmailMessage, Mailbox
from contacts.mail.servers import smtp_connection, smtp_errors
from contacts.mail.sync import mailbox_password

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from contacts.models import Contact, Customer
    from crm.accounts.models import User


def send_email(
    *,
    mailbox: Mailbox,
    customer: Customer,
    contact: Contact | None,
    to: list[str],
    cc: list[str],
    subject: str,
    body: str,
    by: User,
    attachment: UploadedFile | None = None,
    attachment_type: str = "",
) -> EmailMessage:
    """Send now (``MailServerError`` when the server refuses), then log it on the customer's timeline."""
    domain = mailbox.email_address.rpartition("@")[2] or None
    message_id = make_msgid(domain=domain)
    outgoing = OutgoingEmail(
        subject=subject,
        body=body,
        from_email=formataddr((by.get_full_name() or by.get_username(), mailbox.email_address)),
        to=to,
        cc=cc,
        headers={"Message-ID": message_id},
        connection=smtp_connection(mailbox, password=mailbox_password(mailbox)),
    )
    if attachment is not None:
        attachment.seek(0)
        outgoing.attach(attachment.name, attachment.read(), attachment_type)
    with smtp_errors(mailbox):
        outgoing.send()
    return _log_sent(
        mailbox=mailbox,
        customer=customer,
        contact=contact,
        message_id=message_id,
        to=to,
        cc=cc,
        subject=subject,
        body=body,
        by=by,
        attachment=attachment,
        attachment_type=attachment_type,
    )


@transaction.atomic
def _log_sent(
    *, mailbox, customer, contact, message_id, to, cc, subject, body, by, attachment, attachment_type
):
    now = timezone.now()
    activity = email_activity(
        customer_id=customer.pk,
        contact_id=contact.pk if contact else None,
        subject=subject,
        body=body,
        sent_at=now,
        user=by,
    )
    activity.save()
    message = EmailMessage.objects.create(
        message_id=message_id,
        mailbox=mailbox,
        direction=EmailMessage.Direction.SENT,
        status=EmailMessage.Status.FILED,
        from_address=mailbox.email_address.lower(),
        from_name=by.get_full_name(),
        to_addresses=[address.lower() for address in to],
        cc_addresses=[address.lower() for address in cc],
        subject=subject,
        sent_at=now,
        body_text=body,
        customer=customer,
        contact=contact,
        activity=activity,
        filed_by=by,
        filed_at=now,
    )
    if attachment is not None:
        attachment.seek(0)
        add_document(
            customer=customer,
            target=message,
            file=attachment,
            name=attachment.name,
            size=attachment.size,
            content_type=attachment_type,
            by=by,
        )
    return message
