"""The record sets of the activity report, narrowed by the viewer's scope and the filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, Exists, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Trunc
from django.utils import timezone, translation

from contacts.models import Activity
from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.insights.reports import common
from crm.insights.reports.base import Context
from crm.insights.reports.periods import add_months
from leads.models import Lead
from leads.services import CallOutcome
from sales.models import Quote

KINDS = [Activity.Kind.VISIT, Activity.Kind.CALL, Activity.Kind.MEETING, Activity.Kind.EMAIL]
CONVERTED = [Lead.Status.QUALIFIED, Lead.Status.CONVERTED]


def not_reached_outcomes() -> list[str]:
    """The outcomes of calls nobody answered, in every language the call screen may write them."""
    outcomes = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            outcomes |= {
                CallOutcome.label(value)
                for value in (CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.WRONG_NUMBER)
            }
    return sorted(outcomes)


def reached() -> Q:
    return ~Q(outcome="") & ~Q(outcome__in=not_reached_outcomes())


def is_reached(outcome: str, not_reached: frozenset[str]) -> bool:
    """``reached()`` for one logged outcome (``not_reached`` from ``not_reached_outcomes()``)."""
    return outcome != "" and outcome not in not_reached


def work(context: Context) -> QuerySet:
    """The viewer's visits, calls, meetings and emails of the period."""
    start, stop = context.filters.period.moments()
    return common.activities(context).filter(kind__in=KINDS, occurred_at__gte=start, occurred_at__lt=stop)


class BucketStart(Func):
    """The first day of the day, week or month (in the site's time zone) that ``field`` falls
    in, ``days`` being those first days in order, as the period's buckets give them.

    PostgreSQL looks the moment up among the buckets' first moments (a binary search per
    row), a small part of what converting every moment to local time and truncating it
    costs; other databases truncate. Both answer the same day: a bucket starts at local
    midnight, as in ``bucket_bounds``.
    """

    output_field = DateField()

    def __init__(self, field: str, days: list[date], granularity: str) -> None:
        super().__init__(Trunc(field, granularity, output_field=DateField()))
        self.days = days
        self.granularity = granularity

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0].lhs)
        starts = [bucket_bounds(day, self.granularity)[0] for day in self.days]
        return f"(%s::date[])[width_bucket({sql}, %s::timestamptz[])]", (self.days, *params, starts)


def bucket_bounds(day: date, granularity: str) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    if granularity == "month":
        end = add_months(day, 1)
    else:
        end = day + timedelta(days=7 if granularity == "week" else 1)
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(end, time.min, tzinfo=zone)


def lost(context: Context) -> QuerySet:
    period = context.filters.period
    return common.opportunities(context).filter(
        stage__is_lost=True, closed_on__gte=period.start, closed_on__lt=period.stop
    )


def disqualified(context: Context) -> QuerySet:
    filters = context.filters
    start, stop = filters.period.moments()
    leads = context.scope.apply(Lead.objects.order_by(), owner="assigned_to", team="team").filter(
        status=Lead.Status.DISQUALIFIED, updated_at__gte=start, updated_at__lt=stop
    )
    if filters.rep:
        leads = leads.filter(assigned_to=filters.rep)
    if filters.team:
        leads = leads.filter(team=filters.team)
    return leads


def sent_quotes(context: Context) -> QuerySet:
    filters = context.filters
    start, stop = filters.period.moments()
    quotes = context.scope.apply(
        Quote.objects.order_by(), owner="opportunity__owner", team="opportunity__team"
    ).filter(sent_at__gte=start, sent_at__lt=stop)
    if filters.rep:
        quotes = quotes.filter(opportunity__owner=filters.rep)
    if filters.team:
        quotes = quotes.filter(opportunity__team=filters.team)
    return quotes


def telemarketing_calls(context: Context) -> QuerySet:
    return work(context).filter(kind=Activity.Kind.CALL, user__groups__name=Role.TELEMARKETER)


def telemarketers(user_ids) -> list[int]:
    """Those of ``user_ids`` who are telemarketers."""
    if not user_ids:
        return []
    callers = User.objects.order_by().filter(pk__in=list(user_ids), groups__name=Role.TELEMARKETER)
    return list(callers.values_list("pk", flat=True))


def lead_calls(calls: QuerySet) -> QuerySet:
    return calls.filter(related_type=ContentType.objects.get_for_model(Lead))


def converted_lead() -> Exists:
    return Exists(Lead.objects.filter(pk=OuterRef("related_id"), status__in=CONVERTED))
