"""Talking to a user's mail servers: new messages over IMAP, a connection for sending over SMTP.

Only this module opens sockets. Every failure becomes a ``MailServerError`` whose message a
user can act on (wrong password, server unreachable, certificate refused), which the mailbox
page shows as the mailbox's last error.
"""

from __future__ import annotations

import datetime
import imaplib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.utils.translation import gettext as _

from contacts.mail.models import Security

if TYPE_CHECKING:
    from contacts.mail.models import Mailbox

FETCH_CHUNK = 25
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
UID_IN_FETCH = re.compile(rb"\bUID (\d+)")


class MailServerError(Exception):
    """A mail server could not be reached or refused us; the message says why, for the user."""


@dataclass
class FetchResult:
    uidvalidity: int
    # (UID, raw message) in UID order
    messages: list[tuple[int, bytes]] = field(default_factory=list)
    # The highest UID this fetch accounted for: the next fetch starts after it.
    last_uid: int = 0
    more: bool = False


def _server_text(error: Exception | bytes | str) -> str:
    text = (error.args[0] if error.args else error) if isinstance(error, Exception) else error
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return str(text)[:300]


@contextmanager
def _plain_errors(host: str, port: int) -> Iterator[None]:
    timeout = settings.CRM_MAIL_TIMEOUT
    where = f"{host}:{port}"
    try:
        yield
    except TimeoutError as error:
        raise MailServerError(
            _("%(server)s did not answer within %(seconds)s seconds.") % {"server": where, "seconds": timeout}
        ) from error
    except ssl.SSLError as error:
        raise MailServerError(
            _("The secure connection to %(server)s failed: %(error)s") % {"server": where, "error": error}
        ) from error
    except (imaplib.IMAP4.abort, smtplib.SMTPServerDisconnected) as error:
        raise MailServerError(
            _("%(server)s closed the connection: %(error)s") % {"server": where, "error": _server_text(error)}
        ) from error
    except smtplib.SMTPAuthenticationError as error:
        raise MailServerError(
            _("%(server)s refused the user name or app password: %(error)s")
            % {"server": where, "error": _server_text(error.smtp_error)}
        ) from error
    except (imaplib.IMAP4.error, smtplib.SMTPException) as error:
        raise MailServerError(
            _("%(server)s answered: %(error)s") % {"server": where, "error": _server_text(error)}
        ) from error
    except OSError as error:
        raise MailServerError(
            _("Could not connect to %(server)s: %(error)s")
            % {"server": where, "error": error.strerror or error}
        ) from error


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_date(day: datetime.date) -> str:
    # IMAP wants English month names whatever the server's or our locale.
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def _response_number(connection: imaplib.IMAP4, code: str) -> int | None:
    _typ, values = connection.response(code)
    try:
        return int(values[0])
    except (TypeError, ValueError, IndexError):
        return None


@contextmanager
def imap_session(mailbox: Mailbox, password: str) -> Iterator[imaplib.IMAP4]:
    """Logged in, with the mailbox's folder selected read-only (nothing is marked as read)."""
    host, port, timeout = mailbox.imap_host, mailbox.imap_port, settings.CRM_MAIL_TIMEOUT
    with _plain_errors(host, port):
        if mailbox.imap_security == Security.SSL:
            connection = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            connection = imaplib.IMAP4(host, port, timeout=timeout)
            if mailbox.imap_security == Security.STARTTLS:
                connection.starttls(ssl.create_default_context())
        try:
            try:
                connection.login(mailbox.username, password)
            except imaplib.IMAP4.error as error:
                raise MailServerError(
                    _("%(server)s refused the user name or app password: %(error)s")
                    % {"server": f"{host}:{port}", "error": _server_text(error)}
                ) from error
            typ, data = connection.select(_quoted(mailbox.imap_folder), readonly=True)
            if typ != "OK":
                raise MailServerError(
                    _("The folder %(folder)s cannot be opened: %(error)s")
                    % {"folder": mailbox.imap_folder, "error": _server_text(data or [typ])}
                )
            yield connection
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()


def _uids(data: list) -> list[int]:
    return sorted(int(uid) for uid in (data[0] or b"").split()) if data else []


def _fetch(connection: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
    messages = []
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = uids[start : start + FETCH_CHUNK]
        _typ, data = connection.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
        messages.extend(
            (int(match[1]), item[1])
            for item in data or []
            if isinstance(item, tuple) and (match := UID_IN_FETCH.search(item[0]))
        )
    return sorted(messages)


def fetch_new_messages(mailbox: Mailbox, *, password: str, limit: int, since: datetime.date) -> FetchResult:
    """Messages after the mailbox's last UID, at most ``limit``, oldest first.

    When the folder's UIDVALIDITY is not the one stored (first fetch, or the server renumbered
    the folder) UIDs mean nothing any more: start again from the messages since ``since``; the
    Message-IDs already filed keep them from being filed twice.
    """
    with imap_session(mailbox, password) as connection, _plain_errors(mailbox.imap_host, mailbox.imap_port):
        uidvalidity = _response_number(connection, "UIDVALIDITY") or 0
        uidnext = _response_number(connection, "UIDNEXT")
        if uidvalidity and uidvalidity == mailbox.uidvalidity:
            start = mailbox.last_uid
            _typ, data = connection.uid("SEARCH", None, "UID", f"{start + 1}:*")
            # "n:*" always names the newest message, even one below n.
            uids = [uid for uid in _uids(data) if uid > start]
        else:
            start = 0
            _typ, data = connection.uid("SEARCH", None, "SINCE", _imap_date(since))
            uids = _uids(data)
        batch = uids[:limit]
        messages = _fetch(connection, batch)
        if batch:
            last_uid = batch[-1]
        elif start == 0 and uidnext:
            last_uid = uidnext - 1  # nothing recent: start from the folder's present end
        else:
            last_uid = start
        return FetchResult(
            uidvalidity=uidvalidity, messages=messages, last_uid=last_uid, more=len(uids) > limit
        )


def check_imap(mailbox: Mailbox, *, password: str) -> None:
    """Log in and open the folder, or raise ``MailServerError``."""
    with imap_session(mailbox, password):
        pass


def smtp_connection(mailbox: Mailbox, *, password: str) -> EmailBackend:
    """A Django email backend that sends through this mailbox's SMTP server."""
    return EmailBackend(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.username,
        password=password,
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.SSL,
        timeout=settings.CRM_MAIL_TIMEOUT,
        fail_silently=False,
    )


@contextmanager
def smtp_errors(mailbox: Mailbox) -> Iterator[None]:
    """Turn what sending through ``mailbox`` may raise into a ``MailServerError``."""
    with _plain_errors(mailbox.smtp_host, mailbox.smtp_port):
        yield


def check_smtp(mailbox: Mailbox, *, password: str) -> None:
    connection = smtp_connection(mailbox, password=password)
    with smtp_errors(mailbox):
        connection.open()
        connection.close()
