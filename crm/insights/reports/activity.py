"""The activity report: what reps and telemarketers did, and what was turned down.

- Visits, calls, meetings and emails (notes are not work done with a customer) by who did
  them, per rep and per day, week or month, in the site's time zone.
- Calls by outcome, as logged (the call screen writes the outcome's name).
- Rejections: deals lost in the period by reason; leads disqualified in the period (by
  their last change) by reason.
- Proposals: quotes sent in the period per opportunity, and how many of them were revisions.
- Telemarketing, per telemarketer: calls; reached (an outcome other than no answer, busy or
  wrong number); the leads those calls were about, and how many of them are now qualified or
  converted (conversion).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Activity
from crm.accounts.roles import Role
from crm.insights.reports import activity_sections as sections
from crm.insights.reports.activity_queries import (
    CONVERTED,
    KINDS,
    BucketStart,
    bucket_bounds,
    disqualified,
    lead_calls,
    lost,
    reached,
    sent_quotes,
    telemarketing_calls,
    work,
)
from crm.insights.reports.base import (
    Context,
    Records,
    Report,
    Result,
    UnknownFigure,
    by_label,
    key_date,
    key_id,
    person_names,
    ref,
    split_key,
)
from crm.insights.reports.periods import bucket_label
from crm.insights.reports.tables import Chart, Column, Row, Table, series
from leads.models import Lead


@dataclass
class Counted:
    per_rep: dict  # user id → kind → count
    per_bucket: dict  # first day of the bucket → kind → count, every bucket of the period
    outcomes: dict  # call outcome → count
    calls: dict  # user id → call outcome → count


def counted(activities: QuerySet, days: list[date], granularity: str) -> Counted:
    """One pass over the activities, counted by who, bucket, kind and outcome; Python adds up
    the few grouped rows (outcomes count for calls only). The database reads only its index of
    each person's work (``activity_work_idx``: notes left out, kind and outcome included),
    never the table, and groups its columns as they are (no expression per row)."""
    rows = (
        activities.annotate(bucket=BucketStart("occurred_at", days, granularity))
        .values_list("user_id", "bucket", "kind", "outcome")
        .annotate(count=Count("*"))
    )
    counts = Counted({}, {day: dict.fromkeys(KINDS, 0) for day in days}, {}, {})
    for user_id, bucket, kind, outcome, count in rows:
        per_rep = counts.per_rep.setdefault(user_id, dict.fromkeys(KINDS, 0))
        per_rep[kind] += count
        counts.per_bucket[bucket][kind] += count
        if kind == Activity.Kind.CALL and outcome is not None:
            counts.outcomes[outcome] = counts.outcomes.get(outcome, 0) + count
            calls = counts.calls.setdefault(user_id, {})
            calls[outcome] = calls.get(outcome, 0) + count
    return counts


class ActivityReport(Report):
    slug = "activity"
    title = gettext_lazy("Activity")
    description = gettext_lazy(
        "Visits, calls, meetings and emails per rep and day, week or month; call outcomes; lost deals "
        "and disqualified leads by reason; proposals sent and revised; telemarketers' contact and "
        "conversion rates."
    )
    roles = (Role.SALES_REP, Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team")
    granularity = True
    default_period = "this_month"

    def build(self, context: Context) -> Result:
        links = context.links
        granularity = context.filters.granularity
        activities = work(context)
        days = list(context.filters.period.buckets(granularity))
        counts = counted(activities, days, granularity)
        per_rep, per_bucket = counts.per_rep, counts.per_bucket

        people = person_names(per_rep)
        by_rep = self._kind_table("by_rep", _("Per rep"), _("Rep"), links)
        for user_id in by_label(per_rep, {key: str(person) for key, person in people.items()}):
            self._kind_row(by_rep, str(people[user_id]), f"rep:{ref(user_id)}", per_rep[user_id], links)
        totals = {kind: sum(figures[kind] for figures in per_rep.values()) for kind in KINDS}
        by_rep.total = self._kind_row(by_rep, _("Total"), "", totals, links, add=False)

        by_bucket = self._kind_table("by_period", PER[granularity][0], PER[granularity][1], links)
        for day in sorted(per_bucket):
            self._kind_row(
                by_bucket, bucket_label(day, granularity), f"bucket:{day.isoformat()}", per_bucket[day], links
            )
        by_bucket.total = self._kind_row(by_bucket, _("Total"), "", totals, links, add=False)

        chart = Chart(
            kind="bar",
            labels=[bucket_label(day, granularity) for day in sorted(per_bucket)],
            datasets=[
                series(
                    Activity.Kind(kind).label,
                    [per_bucket[day].get(kind, 0) for day in sorted(per_bucket)],
                    key=kind,
                )
                for kind in KINDS
            ],
            stacked=True,
            money=False,
            label=str(PER[granularity][2]),
        )
        tables = [
            by_rep,
            by_bucket,
            sections.outcomes_table(counts.outcomes, links),
            sections.lost_table(context, links),
            sections.disqualified_table(context, links),
            sections.proposals_table(context, links),
            sections.telemarketing_table(activities, counts.calls, people, links),
        ]
        return Result(tables=tables, chart=chart)

    @staticmethod
    def _kind_table(key: str, title, label, links) -> Table:
        return Table(
            key=key,
            title=str(title),
            label=str(label),
            columns=[*(Column(kind, _plural(kind)) for kind in KINDS), Column("all", _("Total"))],
            empty_text=_("No visits, calls, meetings or emails in this period."),
        )

    @staticmethod
    def _kind_row(table: Table, label: str, key: str, counts: dict, links, *, add: bool = True) -> Row:
        values = {kind: counts.get(kind, 0) for kind in KINDS}
        values["all"] = sum(values.values())

        def link(column: str) -> str:
            return links(column, key) if values[column] else ""

        row = Row(label, table.cells_for(values, link))
        if add:
            table.rows.append(row)
        return row

    # --- drill-down ---------------------------------------------------------------------

    def records(self, context: Context, measure: str, key: str) -> Records:
        kind, value = split_key(key)
        if measure in (*KINDS, "all"):
            activities = work(context)
            if measure != "all":
                activities = activities.filter(kind=measure)
            if kind == "rep":
                activities = activities.filter(user_id=key_id(value))
            elif kind == "bucket":
                start, stop = bucket_bounds(key_date(value), context.filters.granularity)
                activities = activities.filter(occurred_at__gte=start, occurred_at__lt=stop)
            elif kind == "outcome":
                activities = activities.filter(outcome=value)
            elif kind:
                raise UnknownFigure(key)
            return Records("activities", activities, _("Visits, calls, meetings and emails"))
        if measure == "lost":
            return Records(
                "opportunities",
                lost(context).filter(**self._reason(kind, value, "lost_reason")),
                _("Lost opportunities"),
            )
        if measure == "disqualified":
            leads = disqualified(context).filter(**self._reason(kind, value, "disqualification_reason"))
            return Records("leads", leads, _("Disqualified leads"))
        if measure in ("sent", "revisions"):
            quotes = sent_quotes(context)
            if measure == "revisions":
                quotes = quotes.filter(revision_of__isnull=False)
            if kind == "opportunity":
                quotes = quotes.filter(opportunity_id=key_id(value))
            elif kind:
                raise UnknownFigure(key)
            return Records("quotes", quotes, _("Proposals sent"))
        if measure.startswith("tm_"):
            calls = telemarketing_calls(context)
            if kind == "rep":
                calls = calls.filter(user_id=key_id(value))
            elif kind:
                raise UnknownFigure(key)
            if measure == "tm_calls":
                return Records("activities", calls, _("Telemarketing calls"))
            if measure == "tm_reached":
                return Records("activities", calls.filter(reached()), _("Calls that reached someone"))
            leads = Lead.objects.filter(pk__in=lead_calls(calls).values("related_id"))
            if measure == "tm_converted":
                return Records(
                    "leads", leads.filter(status__in=CONVERTED), _("Leads called, now qualified or converted")
                )
            if measure == "tm_leads":
                return Records("leads", leads, _("Leads called"))
        raise UnknownFigure(measure)

    @staticmethod
    def _reason(kind: str, value: str, field: str) -> dict:
        if kind == "reason":
            return {f"{field}_id": key_id(value)}
        if kind:
            raise UnknownFigure(kind)
        return {}


# Per granularity: the table's title, its first column's heading, the chart's description.
PER = {
    "day": (
        gettext_lazy("Per day"),
        gettext_lazy("Day"),
        gettext_lazy("Visits, calls, meetings and emails per day"),
    ),
    "week": (
        gettext_lazy("Per week"),
        gettext_lazy("Week"),
        gettext_lazy("Visits, calls, meetings and emails per week"),
    ),
    "month": (
        gettext_lazy("Per month"),
        gettext_lazy("Month"),
        gettext_lazy("Visits, calls, meetings and emails per month"),
    ),
}


def _plural(kind: str) -> str:
    return {
        Activity.Kind.VISIT: _("Visits"),
        Activity.Kind.CALL: _("Calls"),
        Activity.Kind.MEETING: _("Meetings"),
        Activity.Kind.EMAIL: _("Emails"),
    }[kind]
