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
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from crm.insights.reports import common
from crm.insights.reports.base import Context
from sales.history import pipeline_history
from sales.models import StageChange

# Open deals by days since they were opened: (first day, last day or None).
AGES = [(0, 30), (31, 60), (61, 90), (91, 180), (181, None)]


def created_in_period(context: Context) -> QuerySet:
    start, stop = context.filters.period.moments()
    return common.opportunities(context).filter(created_at__gte=start, created_at__lt=stop)


def _current_order() -> Case:
    """The order of the deal's stage, -1 for a lost one: its furthest stage when it has no history."""
    return Case(
        When(stage__is_lost=True, then=Value(-1)), default=F("stage__order"), output_field=IntegerField()
    )


def furthest_stage() -> Coalesce:
    """The highest stage order the deal ever entered, lost stages aside (kept on the deal as
    its furthest stage); without any history (deals loaded in bulk), its current stage's (and
    nothing for a lost one)."""
    return Coalesce(F("furthest_stage__order"), _current_order(), output_field=IntegerField())


def reached_rows(cohort: QuerySet) -> list[dict]:
    """Deals of ``cohort`` per (furthest stage order, won, lost): a handful of rows, grouped
    from the deals alone."""
    rows = (
        cohort.annotate(furthest=furthest_stage())
        .values("furthest", "stage__is_won", "stage__is_lost")
        .annotate(deals=Count("pk"))
        .order_by()
    )
    return list(rows)


def reached(cohort: QuerySet, order: int) -> QuerySet:
    """The deals of ``cohort`` that got to a stage of ``order`` (won ones got everywhere)."""
    return cohort.annotate(furthest=furthest_stage()).filter(Q(furthest__gte=order) | Q(stage__is_won=True))


def _average_days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        # Intervals add up exactly; one division per stage rather than one per stay.
        return f"EXTRACT(EPOCH FROM SUM({later} - {earlier})) / 86400.0 / COUNT(*)"
    if connection.vendor == "sqlite":
        return f"AVG(julianday({later}) - julianday({earlier}))"
    raise NotImplementedError(connection.vendor)


def stays(context: Context) -> QuerySet:
    """The stays of the viewer's deals that ended in the period (the deal moved on): each stage
    change whose ``left_at`` falls in it, wherever the stay began; read from the index of
    ``left_at``."""
    start, stop = context.filters.period.moments()
    changes = StageChange.objects.filter(left_at__gte=start, left_at__lt=stop)
    deals = common.opportunities(context)
    if deals.query.where:  # someone's or some teams' deals only
        changes = changes.filter(opportunity_id__in=deals.values("pk"))
    return changes.order_by()


def time_in_stage(context: Context) -> dict[int, tuple[int, float]]:
    """{stage id: (stays that ended in the period, their average days)}: one aggregate."""
    inner, params = stays(context).values("to_stage_id", "changed_at", "left_at").query.sql_with_params()
    sql = (
        f"SELECT to_stage_id, COUNT(*), {_average_days('left_at', 'changed_at')} "  # noqa: S608
        f"FROM ({inner}) stays GROUP BY to_stage_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {stage: (count, float(days)) for stage, count, days in cursor.fetchall()}


def opportunities_with_stays(context: Context, stage_id: int) -> QuerySet:
    """The deals behind a stage's stays: those whose stay in it ended in the period."""
    ids = stays(context).filter(to_stage_id=stage_id).values("opportunity_id")
    return common.opportunities(context).filter(pk__in=ids)


def from_history(context: Context) -> tuple[list[dict], dict[int, tuple[int, float]]]:
    """``reached_rows`` of the deals opened in the period and ``time_in_stage``: the two figures
    read from the deals' history, shared between requests until a deal, a stage change or a
    stage changes (``sales.history``); named by their SQL, so by viewer, filters and period."""
    cohort = created_in_period(context)
    reached = pipeline_history.remember(cohort, lambda: reached_rows(cohort), "reached")
    in_stage = pipeline_history.remember(stays(context), lambda: time_in_stage(context), "stays")
    return reached, in_stage


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
