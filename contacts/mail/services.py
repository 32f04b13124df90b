"""Connecting, changing and checking a user's mailbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from contacts.mail.models import Mailbox
from contacts.mail.secrets import encrypt_password
from contacts.mail.servers import MailServerError, check_imap, check_smtp
from contacts.mail.sync import mailbox_password
from contacts.tasks import fetch_mailbox_task

if TYPE_CHECKING:
    from crm.accounts.models import User

# Change any of these and the UIDs stored for the folder mean nothing any more.
FOLDER_FIELDS = ("imap_host", "imap_port", "imap_folder", "username")


@transaction.atomic
def save_mailbox(*, mailbox: Mailbox | None, user: User, data: dict[str, Any], password: str = "") -> Mailbox:
    """Create or change ``user``'s mailbox; a new password is encrypted, an empty one kept."""
    if mailbox is None:
        mailbox = Mailbox(user=user)
    elif any(
        value != data.get(name, value)
        for name, value in Mailbox.objects.filter(pk=mailbox.pk).values(*FOLDER_FIELDS).get().items()
    ):
        # Another folder: fetch it afresh (recent mail only; Message-IDs keep it from doubling).
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    for name, value in data.items():
        setattr(mailbox, name, value)
    if password:
        mailbox.password_encrypted = encrypt_password(password)
        mailbox.last_error = ""
    mailbox.save()
    return mailbox


def check_mailbox(mailbox: Mailbox) -> list[tuple[str, str]]:
    """Log in to both servers: (what, the error or "") for IMAP and for SMTP."""
    results = []
    try:
        password = mailbox_password(mailbox)
    except MailServerError as error:
        return [(_("Password"), str(error))]
    for label, check in ((_("Receiving (IMAP)"), check_imap), (_("Sending (SMTP)"), check_smtp)):
        try:
            check(mailbox, password=password)
        except MailServerError as error:
            results.append((label, str(error)))
        else:
            results.append((label, ""))
    return results


def request_fetch(mailbox: Mailbox) -> None:
    """Fetch this mailbox now, in the background, once the request's transaction is committed."""
    transaction.on_commit(lambda: fetch_mailbox_task.delay(mailbox_id=mailbox.pk))
