"""A person's calendar as an iCalendar (RFC 5545) feed that Outlook and Google Calendar subscribe to."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from crm.accounts.models import User
from crm.insights.calendar.entries import Entry, entries_between

# The feed covers a little of the past (what just happened) and the months ahead.
DAYS_BACK = 30
DAYS_AHEAD = 365
MAX_DESCRIPTION = 1000


def _absolute(url: str) -> str:
    return settings.CRM_BASE_URL.rstrip("/") + url


def _event(entry: Entry, host: str, stamp) -> Event:
    event = Event()
    # Stable across downloads, so a calendar app updates the event instead of duplicating it.
    event.add("uid", f"{entry.uid}@{host}")
    event.add("dtstamp", stamp)
    # UTC times need no VTIMEZONE block; all-day entries stay plain dates.
    event.add("dtstart", entry.start if entry.all_day else entry.start.astimezone(UTC))
    event.add("dtend", entry.end if entry.all_day else entry.end.astimezone(UTC))
    event.add("summary", f"{entry.kind_label}: {entry.title}")
    lines = [entry.customer]
    if entry.who:
        lines.append(entry.who)
    if entry.notes:
        lines.append(entry.notes[:MAX_DESCRIPTION])
    event.add("description", "\n".join(lines))
    event.add("url", _absolute(entry.url))
    event.add("categories", [entry.kind_label])
    if entry.remind:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{entry.kind_label}: {entry.title}")
        alarm.add("trigger", -timedelta(minutes=settings.CRM_VISIT_REMINDER_MINUTES))
        event.add_component(alarm)
    return event


def feed_for(user: User, *, today: date | None = None) -> bytes:
    """``user``'s visits, meetings, tasks and callbacks from a month ago to a year ahead."""
    today = today or timezone.localdate()
    found = entries_between(
        user, [user.pk], today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    )
    host = urlsplit(settings.CRM_BASE_URL).hostname or "crm"
    calendar = Calendar()
    calendar.add("prodid", "-//CRM//Calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("CRM: %(name)s") % {"name": user})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Ask subscribers to refresh every quarter of an hour (RFC 7986 and Outlook's own name).
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    stamp = timezone.now()
    for entry in found.entries:
        calendar.add_component(_event(entry, host, stamp))
    return calendar.to_ical()
