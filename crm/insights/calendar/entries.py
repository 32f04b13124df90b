"""What a calendar shows: visits and meetings, follow-up tasks and telemarketing callbacks.

Each source is one query, limited to the viewer's visible records and the people shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Activity, Task
from crm.accounts.models import User
from leads.models import Lead

# Kinds of activity that are appointments, so they belong on a calendar.
APPOINTMENTS = [Activity.Kind.VISIT, Activity.Kind.MEETING]
DEFAULT_MINUTES = {Activity.Kind.VISIT: 60, Activity.Kind.MEETING: 60}
CALLBACK_MINUTES = 15
# A calendar period shows at most this many entries of each source.
LIMIT = 1000


@dataclass(frozen=True)
class Entry:
    uid: str
    kind: str  # visit, meeting, task, callback
    kind_label: str
    title: str
    start: datetime | date  # a date for all-day entries (tasks)
    end: datetime | date
    who: User | None
    customer: str
    url: str
    notes: str = ""
    done: bool = False
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


def appointments(viewer: User, people: Iterable[int], start: datetime, end: datetime) -> list[Entry]:
    visits = (
        Activity.objects.visible_to(viewer)
        .filter(user__in=people, kind__in=APPOINTMENTS, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("customer", "user")
        .order_by("occurred_at", "pk")[:LIMIT]
    )
    return [
        Entry(
            uid=f"activity-{visit.pk}",
            kind=visit.kind,
            kind_label=visit.get_kind_display(),
            title=visit.subject,
            start=visit.occurred_at,
            end=visit.occurred_at
            + timedelta(minutes=visit.duration_minutes or DEFAULT_MINUTES.get(visit.kind, 60)),
            who=visit.user,
            customer=str(visit.customer),
            url=visit.customer.get_absolute_url(),
            notes=visit.notes,
            remind=visit.kind == Activity.Kind.VISIT,
        )
        for visit in visits
    ]


def tasks(viewer: User, people: Iterable[int], first: date, last: date) -> list[Entry]:
    """Tasks due from ``first`` to ``last`` (inclusive), as all-day entries on their due date."""
    rows = (
        Task.objects.visible_to(viewer)
        .filter(assignee__in=people, due_date__gte=first, due_date__lte=last)
        .select_related("customer", "assignee")
        .order_by("due_date", "pk")[:LIMIT]
    )
    return [
        Entry(
            uid=f"task-{task.pk}",
            kind="task",
            kind_label=_("Task"),
            title=task.title,
            start=task.due_date,
            end=task.due_date + timedelta(days=1),
            who=task.assignee,
            customer=str(task.customer),
            url=task.customer.get_absolute_url(),
            notes=task.notes,
            done=task.is_done,
        )
        for task in rows
    ]


def callbacks(viewer: User, people: Iterable[int], start: datetime, end: datetime) -> list[Entry]:
    leads = (
        Lead.objects.visible_to(viewer)
        .in_queue()
        .filter(assigned_to__in=people, callback_at__gte=start, callback_at__lt=end)
        .select_related("customer", "assigned_to")
        .order_by("callback_at", "pk")[:LIMIT]
    )
    return [
        Entry(
            uid=f"callback-{lead.pk}",
            kind="callback",
            kind_label=_("Callback"),
            title=_("Call back %(customer)s") % {"customer": lead.customer},
            start=lead.callback_at,
            end=lead.callback_at + timedelta(minutes=CALLBACK_MINUTES),
            who=lead.assigned_to,
            customer=str(lead.customer),
            url=lead.get_absolute_url(),
            notes=lead.notes,
        )
        for lead in leads
    ]


def entries_between(viewer: User, people: Iterable[int], first: date, last: date) -> list[Entry]:
    """Every entry of ``people`` from ``first`` to ``last`` (local dates, inclusive), in order."""
    people = list(people)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    found = [
        *appointments(viewer, people, start, end),
        *tasks(viewer, people, first, last),
        *callbacks(viewer, people, start, end),
    ]
    return sorted(found, key=lambda entry: entry.sort_key)
