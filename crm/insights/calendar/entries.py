"""What a calendar shows: visits and meetings, open follow-up tasks and telemarketing callbacks.

Each source is limited to the viewer's visible records and the people shown, and read as plain
values (a month of a busy team is thousands of rows; model instances cost more than the SQL).
A month or a week shows only the first entries of each day: each source ranks its rows per day
in SQL (a window function) and only those are read, with every day's count for its "more"
link, so an overfull calendar costs about what a few entries a day cost.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Expression, F, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Activity, Task
from crm.accounts.models import User
from leads.models import Lead

# Kinds of activity that are appointments, so they belong on a calendar (the index
# activity_appointment_idx is limited to the same kinds).
APPOINTMENTS = [Activity.Kind.VISIT, Activity.Kind.MEETING]
DEFAULT_MINUTES = 60
CALLBACK_MINUTES = 15
# A list of entries (a day, the feed) reads at most this many of each source; beyond, it says so.
LIMIT = 1000
CUSTOMER = ("customer_id", "customer__legal_name", "customer__trade_name")


def _person(relation: str) -> tuple[str, ...]:
    return tuple(f"{relation}__{name}" for name in ("first_name", "last_name", "username"))


@dataclass(frozen=True)
class Entry:
    uid: str  # "<source>-<pk>"
    pk: int
    kind: str  # visit, meeting, task, callback
    kind_label: str
    title: str
    start: datetime | date  # a date for all-day entries (tasks)
    end: datetime | date
    day: date  # local
    who: str
    customer: str
    url: str
    notes: str = ""
    remind: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def sort_key(self) -> tuple:
        # All-day entries first, then by time; each source's own in the order they were made.
        timestamp = 0 if self.all_day else self.start.timestamp()
        return (self.day, not self.all_day, timestamp, self.uid.partition("-")[0], self.pk)


@dataclass
class Found:
    entries: list[Entry]
    truncated: bool  # a source had more than LIMIT entries in the period


@dataclass(frozen=True)
class Day:
    day: date
    entries: list[Entry]  # the first ones, in calendar order
    more: int  # the day's entries not in ``entries``


def _url_for(viewname: str) -> Callable[[int], str]:
    """A fast url-for-pk: one reverse() per page instead of one per entry."""
    sentinel = 987654321
    prefix, suffix = reverse(viewname, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _customer_name(row: dict) -> str:
    return row["customer__trade_name"] or row["customer__legal_name"]


def _person_name(row: dict, relation: str) -> str:
    full = f"{row[f'{relation}__first_name'] or ''} {row[f'{relation}__last_name'] or ''}".strip()
    return full or (row[f"{relation}__username"] or "")


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the end of ``last``, local time."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


class _Texts:
    """Labels and addresses, worked out once per calendar rather than once per entry."""

    def __init__(self) -> None:
        self.kinds = {kind: str(label) for kind, label in Activity.Kind.choices}
        self.task = _("Task")
        self.callback = _("Callback")
        self.customer_url = _url_for("contacts:customer_detail")
        self.lead_url = _url_for("leads:lead_detail")
        self.timezone = timezone.get_current_timezone()


def _appointment_rows(viewer: User, people: list[int], first: date, last: date) -> QuerySet:
    start, end = _bounds(first, last)
    return Activity.objects.visible_to(viewer).filter(
        user__in=people, kind__in=APPOINTMENTS, occurred_at__gte=start, occurred_at__lt=end
    )


def _appointment(row: dict, texts: _Texts) -> Entry:
    return Entry(
        uid=f"activity-{row['pk']}",
        pk=row["pk"],
        kind=row["kind"],
        kind_label=texts.kinds[row["kind"]],
        title=row["subject"],
        start=row["occurred_at"],
        end=row["occurred_at"] + timedelta(minutes=row["duration_minutes"] or DEFAULT_MINUTES),
        day=row["occurred_at"].astimezone(texts.timezone).date(),
        who=_person_name(row, "user"),
        customer=_customer_name(row),
        url=texts.customer_url(row["customer_id"]),
        notes=row["notes"],
        remind=row["kind"] == Activity.Kind.VISIT,
    )


def _task_rows(viewer: User, people: list[int], first: date, last: date) -> QuerySet:
    """Open tasks due from ``first`` to ``last`` (inclusive), shown all day on their due date."""
    return (
        Task.objects.assigned_visible_to(viewer, people)
        .open()
        .filter(due_date__gte=first, due_date__lte=last)
    )


def _task(row: dict, texts: _Texts) -> Entry:
    return Entry(
        uid=f"task-{row['pk']}",
        pk=row["pk"],
        kind="task",
        kind_label=texts.task,
        title=row["title"],
        start=row["due_date"],
        end=row["due_date"] + timedelta(days=1),
        day=row["due_date"],
        who=_person_name(row, "assignee"),
        customer=_customer_name(row),
        url=texts.customer_url(row["customer_id"]),
        notes=row["notes"],
    )


def _callback_rows(viewer: User, people: list[int], first: date, last: date) -> QuerySet:
    start, end = _bounds(first, last)
    return (
        Lead.objects.visible_to(viewer)
        .in_queue()
        .filter(assigned_to__in=people, callback_at__gte=start, callback_at__lt=end)
    )


def _callback(row: dict, texts: _Texts) -> Entry:
    customer = _customer_name(row)
    return Entry(
        uid=f"callback-{row['pk']}",
        pk=row["pk"],
        kind="callback",
        kind_label=texts.callback,
        title=_("Call back %(customer)s") % {"customer": customer},
        start=row["callback_at"],
        end=row["callback_at"] + timedelta(minutes=CALLBACK_MINUTES),
        day=row["callback_at"].astimezone(texts.timezone).date(),
        who=_person_name(row, "assigned_to"),
        customer=customer,
        url=texts.lead_url(row["pk"]),
        notes=row["notes"],
    )


@dataclass(frozen=True)
class _Source:
    rows: Callable[[User, list[int], date, date], QuerySet]
    day: Callable[[], Expression]  # the local date an entry is on, in SQL
    order: tuple[str, ...]  # calendar order, the same as Entry.sort_key within the source
    fields: tuple[str, ...]
    entry: Callable[[dict, _Texts], Entry]


SOURCES = (
    _Source(
        _appointment_rows,
        lambda: TruncDate("occurred_at"),
        ("occurred_at", "pk"),
        ("pk", "kind", "subject", "notes", "duration_minutes", "occurred_at", *CUSTOMER, *_person("user")),
        _appointment,
    ),
    _Source(
        _task_rows,
        lambda: F("due_date"),
        ("due_date", "pk"),
        ("pk", "title", "notes", "due_date", *CUSTOMER, *_person("assignee")),
        _task,
    ),
    _Source(
        _callback_rows,
        lambda: TruncDate("callback_at"),
        ("callback_at", "pk"),
        ("pk", "callback_at", "notes", *CUSTOMER, *_person("assigned_to")),
        _callback,
    ),
)


def entries_between(viewer: User, people: Iterable[int], first: date, last: date) -> Found:
    """Every entry of ``people`` from ``first`` to ``last`` (local dates, inclusive), in order,
    up to LIMIT of each source."""
    people, texts = list(people), _Texts()
    entries, truncated = [], False
    for source in SOURCES:
        rows = list(
            source.rows(viewer, people, first, last)
            .order_by(*source.order)
            .values(*source.fields)[: LIMIT + 1]
        )
        truncated = truncated or len(rows) > LIMIT
        entries += [source.entry(row, texts) for row in rows[:LIMIT]]
    return Found(sorted(entries, key=lambda entry: entry.sort_key), truncated)


def days_between(
    viewer: User, people: Iterable[int], first: date, last: date, *, per_day: int
) -> dict[date, Day]:
    """The first ``per_day`` entries of each day from ``first`` to ``last`` that has any, and
    how many more it has. Two queries per source: the ranked keys, then those entries."""
    people, texts = list(people), _Texts()
    totals: Counter[date] = Counter()
    shown: dict[date, list[Entry]] = defaultdict(list)
    for source in SOURCES:
        rows = source.rows(viewer, people, first, last).order_by()
        day = source.day()
        ranked = (
            rows.annotate(
                calendar_day=day,
                day_rank=Window(RowNumber(), partition_by=[day], order_by=list(source.order)),
                day_total=Window(Count("pk"), partition_by=[day]),
            )
            .filter(day_rank__lte=per_day)
            .values_list("pk", "calendar_day", "day_total")
        )
        keys, counted = [], set()
        for pk, calendar_day, day_total in ranked:
            keys.append(pk)
            if calendar_day not in counted:
                counted.add(calendar_day)
                totals[calendar_day] += day_total
        if keys:
            for row in rows.model.objects.filter(pk__in=keys).values(*source.fields):
                entry = source.entry(row, texts)
                shown[entry.day].append(entry)
    days = {}
    for day, entries in shown.items():
        entries.sort(key=lambda entry: entry.sort_key)
        days[day] = Day(day, entries[:per_day], totals[day] - min(len(entries), per_day))
    return days
