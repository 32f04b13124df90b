"""The drill-down: the records behind a figure, one page at a time, with their totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from crm.insights.reports.common import MONEY, WEIGHTED_X100
from crm.insights.reports.tables import money

# What each kind's table shows, fetched with the rows (never one query per row), and its order.
RELATED = {
    "opportunities": ["customer", "owner", "team", "stage", "lost_reason"],
    "forecast_lines": ["opportunity", "owner", "team", "stage", "opportunity__stage"],
    "activities": ["customer", "user"],
    "leads": ["customer", "campaign", "assigned_to", "disqualification_reason"],
    "quotes": ["customer", "opportunity", "opportunity__owner"],
}
ORDER = {
    "opportunities": ["-closed_on", "expected_close_date", "pk"],
    "forecast_lines": ["close_month", "-amount", "pk"],
    "activities": ["-occurred_at", "-pk"],
    "leads": ["-updated_at", "-pk"],
    "quotes": ["-sent_at", "-pk"],
}
# Only the customer's name: its row carries long search text and notes.
DEFERRED = {
    "opportunities": ["customer__search_text", "customer__notes"],
    "activities": ["customer__search_text", "customer__notes", "notes"],
    "leads": ["customer__search_text", "customer__notes", "notes"],
    "quotes": ["customer__search_text", "customer__notes", "notes", "terms"],
    "forecast_lines": [],
}
AMOUNT = {"opportunities": "amount", "forecast_lines": "amount", "quotes": "total"}


def register_kind(
    kind: str, *, related: list[str], order: list[str], deferred: list[str], amount: str | None = None
) -> None:
    """A table of records a report's drill-down can show (its template is ``records/<kind>.html``).

    ``related`` is fetched with the rows, ``deferred`` columns are left unread, ``amount`` is
    summed in the totals.
    """
    RELATED[kind], ORDER[kind], DEFERRED[kind] = related, order, deferred
    if amount:
        AMOUNT[kind] = amount


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal | None = None
    weighted: Decimal | None = None


def rows(kind: str, queryset: QuerySet) -> QuerySet:
    return queryset.select_related(*RELATED[kind]).defer(*DEFERRED[kind]).order_by(*ORDER[kind])


def totals(kind: str, queryset: QuerySet) -> Totals:
    """Count and amounts of the whole set, in one query (COUNT(*): an index that covers the
    filters answers it alone)."""
    aggregates = {"count": Count("*")}
    if kind in AMOUNT:
        aggregates["amount_total"] = Sum(AMOUNT[kind])
    if kind == "forecast_lines":
        aggregates["weighted_x100"] = Sum(WEIGHTED_X100, output_field=MONEY)
    row = queryset.order_by().aggregate(**aggregates)
    return Totals(
        count=row["count"],
        amount=money(row["amount_total"]) if "amount_total" in row else None,
        weighted=money(row["weighted_x100"]) / 100 if "weighted_x100" in row else None,
    )
