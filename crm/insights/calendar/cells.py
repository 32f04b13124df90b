"""The days of a month grid or a week, their entries written straight from their values.

A full month shows about 170 entries; a template include for each was the costliest part of
the page, so they are written here, as the pipeline board writes its cards. Every value is
escaped; the markup is what the template wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from crm.insights.calendar.entries import Day, Entry

ENTRY_HTML = (
    '<a href="{url}" class="calendar-entry calendar-{kind}" data-testid="calendar-entry">'
    "{time}{title}{who}</a>"
)


@dataclass(frozen=True)
class Cell:
    day: date
    html: SafeString  # the day's first entries
    more: int  # the day's entries not written


class EntryWriter:
    def __init__(self, *, show_who: bool) -> None:
        self.show_who = show_who
        self.empty = mark_safe("")

    def _entry(self, entry: Entry) -> str:
        time = ""
        if not entry.all_day:
            start = formats.time_format(timezone.localtime(entry.start))
            time = f'<span class="calendar-time">{escape(start)}</span> '
        who = (
            f' <span class="calendar-who">· {escape(entry.who)}</span>' if self.show_who and entry.who else ""
        )
        return ENTRY_HTML.format(
            url=escape(entry.url), kind=escape(entry.kind), time=time, title=escape(entry.title), who=who
        )

    def cell(self, days: dict[date, Day], day: date) -> Cell:
        found = days.get(day)
        if found is None:
            return Cell(day, self.empty, 0)
        html = "".join(self._entry(entry) for entry in found.entries)
        return Cell(day, mark_safe(html), found.more)  # noqa: S308 - _entry escapes every value
