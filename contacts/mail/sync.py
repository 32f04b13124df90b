"""Fetching each mailbox: new messages over IMAP, filed on customers, the mailbox's state kept.

A mailbox that fails (wrong password, server down, a message we cannot store) records why in
``last_error`` for its owner to see, and the other mailboxes are fetched all the same.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.mail.filing import FilingSummary, file_fetched
from contacts.mail.models import Mailbox
from contacts.mail.parsing import ParsedEmail, parse_email
from contacts.mail.secrets import InvalidToken, decrypt_password
from contacts.mail.servers import MailServerError, fetch_new_messages

logger = logging.getLogger(__name__)


def record_error(mailbox: Mailbox, message: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error=message, last_error_at=timezone.now())


def mailbox_password(mailbox: Mailbox) -> str:
    try:
        return decrypt_password(mailbox.password_encrypted)
    except InvalidToken as error:
        raise MailServerError(
            _("The saved app password can no longer be read (the server's key changed); enter it again.")
        ) from error


def fetch_mailbox(*, mailbox_id: int) -> FilingSummary | None:
    """Fetch and file one mailbox's new mail; on failure, record why and return None."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        return None
    since = timezone.localdate() - datetime.timedelta(days=settings.CRM_MAIL_FIRST_FETCH_DAYS)
    try:
        result = fetch_new_messages(
            mailbox, password=mailbox_password(mailbox), limit=settings.CRM_MAIL_FETCH_LIMIT, since=since
        )
        fetched: list[tuple[int, ParsedEmail]] = [(uid, parse_email(raw)) for uid, raw in result.messages]
        return file_fetched(
            mailbox=mailbox, fetched=fetched, uidvalidity=result.uidvalidity, last_uid=result.last_uid
        )
    except MailServerError as error:
        record_error(mailbox, str(error))
    except Exception as error:
        # Our fault, not the server's: keep it for the admins, tell the owner, go on with the others.
        logger.exception("Fetching mailbox %s failed", mailbox.pk)
        record_error(mailbox, _("The fetch failed unexpectedly: %(error)s") % {"error": error})
    return None


def active_mailbox_ids() -> list[int]:
    return list(Mailbox.objects.filter(is_active=True, user__is_active=True).values_list("pk", flat=True))
