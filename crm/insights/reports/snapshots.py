"""Freezing the forecast at the start of a month: every open opportunity expected to close
within the next twelve months, copied in one INSERT ... SELECT."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP

from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, IntegerField, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.insights.reports.models import ForecastLine, ForecastSnapshot
from crm.insights.reports.periods import add_months, month_of
from crm.insights.reports.tables import CENTS, money
from sales.models import Opportunity

HORIZON_MONTHS = 12
COLUMNS = ["snapshot_id", "opportunity_id", "owner_id", "team_id", "stage_id", "probability", "amount"]
COLUMNS += ["expected_close_date", "close_month"]
MONEY = DecimalField(max_digits=20, decimal_places=2)


def _open_pipeline(snapshot: ForecastSnapshot):
    """The rows to copy, in ``COLUMNS`` order: open deals closing from the month on."""
    return (
        Opportunity.objects.open()
        .filter(
            expected_close_date__gte=snapshot.month,
            expected_close_date__lt=add_months(snapshot.month, HORIZON_MONTHS),
        )
        .order_by()
        .annotate(snapshot_ref=Value(snapshot.pk, output_field=IntegerField()))
        .annotate(month_ref=TruncMonth("expected_close_date"))
        .values_list(
            "snapshot_ref",
            "pk",
            "owner_id",
            "team_id",
            "stage_id",
            "probability",
            "amount",
            "expected_close_date",
            "month_ref",
        )
    )


def _copy_lines(snapshot: ForecastSnapshot) -> None:
    select, params = _open_pipeline(snapshot).query.sql_with_params()
    table = connection.ops.quote_name(ForecastLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)


@transaction.atomic
def take_forecast_snapshot(*, month: date | None = None) -> ForecastSnapshot:
    """Freeze the forecast of ``month`` (default: the current one) and return it.

    A month is frozen once: a second run returns the snapshot already taken, so the figures
    stay those of the month's start whatever happened since.
    """
    month = month_of(month or timezone.localdate())
    snapshot, created = ForecastSnapshot.objects.get_or_create(month=month)
    if not created:
        return snapshot
    _copy_lines(snapshot)
    totals = ForecastLine.objects.filter(snapshot=snapshot).aggregate(
        count=Count("pk"),
        pipeline=Sum("amount", output_field=MONEY),
        weighted_x100=Sum(F("amount") * F("probability"), output_field=MONEY),
    )
    snapshot.line_count = totals["count"]
    snapshot.pipeline = money(totals["pipeline"])
    snapshot.weighted = (money(totals["weighted_x100"]) / 100).quantize(CENTS, ROUND_HALF_UP)
    snapshot.save(update_fields=["line_count", "pipeline", "weighted"])
    return snapshot
