"""The pipeline report's queries: how far deals got, how long they stayed in each stage,
how old the open ones are, and win rates. Each one query; Python only arranges its rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lead

from crm.insights.reports import common
from crm.insights.reports.base import Context
from sales.models import StageChange

# Open deals by days since they were opened: (first day, last day or None).
AGES = [(0, 30), (31, 60), (61, 90), (91, 180), (181, None)]


def created_in_period(context: Context) -> QuerySet:
    start, stop = context.filters.period.moments()
    return common.opportunities(context).filter(created_at__gte=start, created_at__lt=stop)


def furthest_stage() -> Coalesce:
    """The highest stage order the deal ever entered, lost stages aside; without any history
    (deals loaded in bulk), its current stage's (and nothing for a lost one)."""
    entered = (
        StageChange.objects.filter(opportunity=OuterRef("pk"), to_stage__is_lost=False)
        .order_by()
        .values("opportunity")
        .annotate(furthest=Max("to_stage__order"))
        .values("furthest")
    )
    current = Case(
        When(stage__is_lost=True, then=Value(-1)), default=F("stage__order"), output_field=IntegerField()
    )
    return Coalesce(Subquery(entered, output_field=IntegerField()), current, output_field=IntegerField())


def reached_rows(cohort: QuerySet) -> list[dict]:
    """Deals of ``cohort`` per (furthest stage order, won, lost): a handful of rows."""
    return list(
        cohort.annotate(furthest=furthest_stage())
        .values("furthest", "stage__is_won", "stage__is_lost")
        .annotate(deals=Count("pk"))
    )


def reached(cohort: QuerySet, order: int) -> QuerySet:
    """The deals of ``cohort`` that got to a stage of ``order`` (won ones got everywhere)."""
    return cohort.annotate(furthest=furthest_stage()).filter(Q(furthest__gte=order) | Q(stage__is_won=True))


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0"
    if connection.vendor == "sqlite":
        return f"(julianday({later}) - julianday({earlier}))"
    raise NotImplementedError(connection.vendor)


def stays(context: Context) -> QuerySet:
    """Each stage change of the viewer's deals with the moment the deal left that stage (the
    next change, by a window function), for deals that changed stage within the period."""
    start, stop = context.filters.period.moments()
    deals = common.opportunities(context)
    moved = StageChange.objects.filter(changed_at__gte=start, changed_at__lt=stop).values("opportunity_id")
    changes = StageChange.objects.filter(opportunity_id__in=moved, changed_at__lt=stop)
    if deals.query.where:  # someone's or some teams' deals only
        changes = changes.filter(opportunity_id__in=deals.values("pk"))
    return (
        changes.order_by()
        .annotate(
            stage_ref=F("to_stage_id"),
            entered_at=F("changed_at"),
            left_at=Window(
                Lead("changed_at"),
                partition_by=[F("opportunity_id")],
                order_by=[F("changed_at").asc(), F("id").asc()],
            ),
        )
        .values("opportunity_id", "stage_ref", "entered_at", "left_at")
    )


def _bounds(context: Context) -> list:
    return [connection.ops.adapt_datetimefield_value(moment) for moment in context.filters.period.moments()]


def time_in_stage(context: Context) -> dict[int, tuple[int, float]]:
    """{stage id: (stays that ended in the period, their average days)}: the window function
    inside, the average outside, in one statement."""
    inner, params = stays(context).query.sql_with_params()
    sql = (
        f"SELECT stage_ref, COUNT(*), AVG({_days('left_at', 'entered_at')}) FROM ({inner}) stays "  # noqa: S608
        "WHERE left_at >= %s AND left_at < %s GROUP BY stage_ref"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *_bounds(context)])
        return {stage: (count, float(days)) for stage, count, days in cursor.fetchall()}


def opportunities_with_stays(context: Context, stage_id: int) -> QuerySet:
    """The deals behind a stage's stays: those whose stay in it ended in the period."""
    inner, params = stays(context).query.sql_with_params()
    sql = (
        f"SELECT opportunity_id FROM ({inner}) stays "  # noqa: S608
        "WHERE stage_ref = %s AND left_at >= %s AND left_at < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, stage_id, *_bounds(context)])
        ids = {row[0] for row in cursor.fetchall()}
    return common.opportunities(context).filter(pk__in=ids)


def open_now(context: Context) -> QuerySet:
    return common.opportunities(context).filter(stage__is_won=False, stage__is_lost=False)


def age_bucket(now: datetime) -> Case:
    """0 for deals opened in the last 30 days, 1 for 31-60 days ago... (see ``AGES``)."""
    whens = [
        When(created_at__gt=now - timedelta(days=last + 1), then=Value(index))
        for index, (_first, last) in enumerate(AGES)
        if last is not None
    ]
    return Case(*whens, default=Value(len(AGES) - 1), output_field=IntegerField())


def open_deals(context: Context, now: datetime, today: date) -> list[dict]:
    """The open deals per (stage, age bucket): count, amount, time in the stage so far (summed)
    and how many are past their expected close; one query for two tables."""
    in_stage = ExpressionWrapper(Value(now) - F("stage_changed_at"), output_field=DurationField())
    return list(
        open_now(context)
        .annotate(age=age_bucket(now))
        .values("stage_id", "age")
        .annotate(
            deals=Count("pk"),
            amount=Sum("amount"),
            in_stage=Sum(in_stage),
            overdue=Count("pk", filter=Q(expected_close_date__lt=today)),
        )
    )


def closed_in_period(context: Context) -> QuerySet:
    period = context.filters.period
    return common.opportunities(context).filter(closed_on__gte=period.start, closed_on__lt=period.stop)


def win_rates(context: Context) -> dict:
    won, lost = Q(stage__is_won=True), Q(stage__is_lost=True)
    rows = (
        closed_in_period(context)
        .filter(won | lost)
        .values("owner_id")
        .annotate(
            won=Count("pk", filter=won), lost=Count("pk", filter=lost), won_amount=Sum("amount", filter=won)
        )
    )
    return {row["owner_id"]: row for row in rows}
