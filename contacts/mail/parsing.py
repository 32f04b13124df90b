"""Reading one raw email into the fields we keep: addresses, subject, date, text and attachments.

Mail from the outside world is often malformed; nothing here raises on a bad header, a
missing date or an unknown charset. A message without a Message-ID gets one made from its
content, so fetching it again still finds it.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.message import Message

from django.utils import timezone
from django.utils.html import strip_tags

MESSAGE_ID_MAX = 255
SUBJECT_MAX = 300


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


@dataclass
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    sent_at: datetime.datetime
    body_text: str
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        """Sender first, then recipients: the order in which they are tried against contacts."""
        return list(dict.fromkeys(a for a in [self.from_address, *self.to, *self.cc] if a))


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL characters; some mailers send them.
    return text.replace("\x00", "")


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot decode is as good as absent
        return ""
    return _clean(str(value or "")).strip()


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except Exception:
        return []
    pairs = email.utils.getaddresses(values)
    return [(_clean(display), address.strip().lower()) for display, address in pairs if "@" in address]


def _date(message: Message) -> datetime.datetime:
    try:
        sent_at = email.utils.parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return timezone.now()
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=datetime.UTC)
    return sent_at


def _part_text(part: Message) -> str:
    try:
        return _clean(part.get_content())
    except (LookupError, UnicodeError, AttributeError, KeyError):
        payload = part.get_payload(decode=True) or b""
        return _clean(payload.decode("utf-8", errors="replace"))


def _body(message: MimeMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    return strip_tags(text).strip() if part.get_content_type() == "text/html" else text.strip()


def _attachments(message: MimeMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append(Attachment(name=_clean(name), content=payload))
    return found


def _message_id(message: Message, raw: bytes) -> str:
    message_id = _header(message, "Message-ID")
    if message_id and len(message_id) <= MESSAGE_ID_MAX:
        return message_id
    # None, or too long to index: a stable id from the content (or from the long id).
    digest = hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()
    return f"<{digest}@crm.generated>"


def parse_email(raw: bytes) -> ParsedEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    senders = _addresses(message, "From")
    from_name, from_address = senders[0] if senders else ("", "")
    return ParsedEmail(
        message_id=_message_id(message, raw),
        from_address=from_address,
        from_name=from_name[:200],
        to=[address for _name, address in _addresses(message, "To")],
        cc=[address for _name, address in _addresses(message, "Cc")],
        subject=_header(message, "Subject")[:SUBJECT_MAX],
        sent_at=_date(message),
        body_text=_body(message),
        attachments=_attachments(message),
    )
