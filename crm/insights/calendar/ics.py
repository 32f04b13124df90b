"""A person's calendar as an iCalendar (RFC 5545) feed that Outlook and Google Calendar subscribe to.

Written line by line rather than through a component library: a busy calendar has thousands
of events, and building an object per property cost several times the queries. The lines
follow the RFC's rules for text values (escaped), times (UTC or plain dates) and length
(folded at 75 octets, never inside a character); the tests read the feed back with ``icalendar``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.insights.calendar.entries import Entry, entries_between

# The feed covers a little of the past (what just happened) and the months ahead.
DAYS_BACK = 30
DAYS_AHEAD = 365
MAX_DESCRIPTION = 1000
# Ask subscribers to refresh every quarter of an hour (RFC 7986 and Outlook's own name).
REFRESH_MINUTES = 15
LINE_OCTETS = 75
# Control characters are not allowed in text values; tabs and line breaks are.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> str:
    """A TEXT value: backslashes, semicolons, commas and line breaks escaped."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """One content line, folded into pieces of at most 75 octets without splitting a character."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    pieces, start, size = [], 0, LINE_OCTETS
    while len(data) - start > size:
        end = start + size
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            end -= 1
        pieces.append(data[start:end].decode())
        start, size = end, LINE_OCTETS - 1  # each continuation line starts with a space
    pieces.append(data[start:].decode())
    return "\r\n ".join(pieces)


def _when(value: datetime | date) -> str:
    """``:<UTC time>`` (UTC needs no VTIMEZONE block), or ``;VALUE=DATE:<date>`` for all-day entries."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(":%Y%m%dT%H%M%SZ")
    return value.strftime(";VALUE=DATE:%Y%m%d")


def _minutes(minutes: int) -> str:
    """A DURATION value."""
    return f"{'-' if minutes < 0 else ''}PT{abs(minutes)}M"


class _EventWriter:
    """The lines of each event; what every event shares is worked out once."""

    def __init__(self) -> None:
        self.host = _text(urlsplit(settings.CRM_BASE_URL).hostname or "crm")
        self.base_url = settings.CRM_BASE_URL.rstrip("/")
        self.stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.alarm = _minutes(-settings.CRM_VISIT_REMINDER_MINUTES)
        self.categories: dict[str, str] = {}

    def lines(self, entry: Entry) -> list[str]:
        summary = _text(f"{entry.kind_label}: {entry.title}")
        details = [entry.customer]
        if entry.who:
            details.append(entry.who)
        if entry.notes:
            details.append(entry.notes[:MAX_DESCRIPTION])
        description = _text("\n".join(details))
        category = self.categories.get(entry.kind_label)
        if category is None:
            category = self.categories[entry.kind_label] = _text(entry.kind_label)
        lines = [
            "BEGIN:VEVENT",
            # Stable across downloads, so a calendar app updates the event instead of duplicating it.
            f"UID:{entry.uid}@{self.host}",
            f"DTSTAMP:{self.stamp}",
            f"DTSTART{_when(entry.start)}",
            f"DTEND{_when(entry.end)}",
            f"SUMMARY:{summary}",
            f"DESCRIPTION:{description}",
            f"URL:{self.base_url}{entry.url}",
            f"CATEGORIES:{category}",
        ]
        if entry.remind:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{summary}",
                f"TRIGGER:{self.alarm}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
        return lines


def feed_for(user: User, *, today: date | None = None) -> bytes:
    """``user``'s visits, meetings, tasks and callbacks from a month ago to a year ahead."""
    today = today or timezone.localdate()
    # Two windows, each capped on its own: an overfull past never pushes out what is ahead.
    past = entries_between(user, [user.pk], today - timedelta(days=DAYS_BACK), today - timedelta(days=1))
    ahead = entries_between(user, [user.pk], today, today + timedelta(days=DAYS_AHEAD))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CRM//Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(_('CRM: %(name)s') % {'name': user})}",
        f"X-WR-TIMEZONE:{_text(settings.TIME_ZONE)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{_minutes(REFRESH_MINUTES)}",
        f"X-PUBLISHED-TTL:{_minutes(REFRESH_MINUTES)}",
    ]
    writer = _EventWriter()
    for entry in (*past.entries, *ahead.entries):
        lines += writer.lines(entry)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(map(_fold, lines)) + "\r\n").encode()
