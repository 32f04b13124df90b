"""What a calendar shows: visits and meetings, open follow-up tasks and telemarketing callbacks.

Each source is one query, limited to the viewer's visible records and the people shown, read
as plain values (a month of a busy team is thousands of rows; model instances cost more than
the SQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Activity, Task
from crm.accounts.models import User
from leads.models import Lead

# Kinds of activity that are appointments, so they belong on a calendar.
APPOINTMENTS = [Activity.Kind.VISIT, Activity.Kind.MEETING]
DEFAULT_MINUTES = 60
CALLBACK_MINUTES = 15
# A calendar period reads at most this many entries of each source; beyond, it says so.
LIMIT = 1000
CUSTOMER = ("customer_id", "customer__legal_name", "customer__trade_name")


def _person(relation: str) -> tuple[str, ...]:
    return tuple(f"{relation}__{name}" for name in ("first_name", "last_name", "username"))


@dataclass(frozen=True)
class Entry:
    uid: str
    kind: str  # visit, meeting, task, callback
    kind_label: str
    title: str
    start: datetime | date  # a date for all-day entries (tasks)
    end: datetime | date
    who: str
    customer: str
    url: str
    notes: str = ""
    remind: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def day(self) -> date:
        return self.start if self.all_day else timezone.localdate(self.start)

    @property
    def sort_key(self) -> tuple:
        # All-day entries first, then by time.
        return (self.day, not self.all_day, 0 if self.all_day else self.start.timestamp(), self.uid)


@dataclass
class Found:
    entries: list[Entry]
    truncated: bool  # a source had more than LIMIT entries in the period


def _url_for(viewname: str):
    """A fast url-for-pk: one reverse() per page instead of one per entry."""
    sentinel = 987654321
    prefix, suffix = reverse(viewname, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _customer_name(row: dict) -> str:
    return row["customer__trade_name"] or row["customer__legal_name"]


def _person_name(row: dict, relation: str) -> str:
    full = f"{row[f'{relation}__first_name'] or ''} {row[f'{relation}__last_name'] or ''}".strip()
    return full or (row[f"{relation}__username"] or "")


def appointments(viewer: User, people: Iterable[int], start: datetime, end: datetime) -> list[Entry]:
    rows = (
        Activity.objects.visible_to(viewer)
        .filter(user__in=people, kind__in=APPOINTMENTS, occurred_at__gte=start, occurred_at__lt=end)
        .order_by("occurred_at", "pk")
        .values(
            "pk", "kind", "subject", "notes", "duration_minutes", "occurred_at", *CUSTOMER, *_person("user")
        )[: LIMIT + 1]
    )
    labels = {kind: str(label) for kind, label in Activity.Kind.choices}
    customer_url = _url_for("contacts:customer_detail")
    return [
        Entry(
            uid=f"activity-{row['pk']}",
            kind=row["kind"],
            kind_label=labels[row["kind"]],
            title=row["subject"],
            start=row["occurred_at"],
            end=row["occurred_at"] + timedelta(minutes=row["duration_minutes"] or DEFAULT_MINUTES),
            who=_person_name(row, "user"),
            customer=_customer_name(row),
            url=customer_url(row["customer_id"]),
            notes=row["notes"],
            remind=row["kind"] == Activity.Kind.VISIT,
        )
        for row in rows
    ]


def tasks(viewer: User, people: Iterable[int], first: date, last: date) -> list[Entry]:
    """Open tasks due from ``first`` to ``last`` (inclusive), as all-day entries on their due date."""
    rows = (
        Task.objects.visible_to(viewer)
        .open()
        .filter(assignee__in=people, due_date__gte=first, due_date__lte=last)
        .order_by("due_date", "pk")
        .values("pk", "title", "notes", "due_date", *CUSTOMER, *_person("assignee"))[: LIMIT + 1]
    )
    label = _("Task")
    customer_url = _url_for("contacts:customer_detail")
    return [
        Entry(
            uid=f"task-{row['pk']}",
            kind="task",
            kind_label=label,
            title=row["title"],
            start=row["due_date"],
            end=row["due_date"] + timedelta(days=1),
            who=_person_name(row, "assignee"),
            customer=_customer_name(row),
            url=customer_url(row["customer_id"]),
            notes=row["notes"],
        )
        for row in rows
    ]


def callbacks(viewer: User, people: Iterable[int], start: datetime, end: datetime) -> list[Entry]:
    rows = (
        Lead.objects.visible_to(viewer)
        .in_queue()
        .filter(assigned_to__in=people, callback_at__gte=start, callback_at__lt=end)
        .order_by("callback_at", "pk")
        .values("pk", "callback_at", "notes", *CUSTOMER, *_person("assigned_to"))[: LIMIT + 1]
    )
    label = _("Callback")
    lead_url = _url_for("leads:lead_detail")
    return [
        Entry(
            uid=f"callback-{row['pk']}",
            kind="callback",
            kind_label=label,
            title=_("Call back %(customer)s") % {"customer": _customer_name(row)},
            start=row["callback_at"],
            end=row["callback_at"] + timedelta(minutes=CALLBACK_MINUTES),
            who=_person_name(row, "assigned_to"),
            customer=_customer_name(row),
            url=lead_url(row["pk"]),
            notes=row["notes"],
        )
        for row in rows
    ]


def entries_between(viewer: User, people: Iterable[int], first: date, last: date) -> Found:
    """Every entry of ``people`` from ``first`` to ``last`` (local dates, inclusive), in order."""
    people = list(people)
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    sources = [
        appointments(viewer, people, start, end),
        tasks(viewer, people, first, last),
        callbacks(viewer, people, start, end),
    ]
    truncated = any(len(found) > LIMIT for found in sources)
    entries = [entry for found in sources for entry in found[:LIMIT]]
    return Found(sorted(entries, key=lambda entry: entry.sort_key), truncated)
