"""The scoring job: one set-based pass over the orders, written as a snapshot, then published.

Everything happens in SQL: an aggregate per customer over the orders, ``RANK()`` window
functions for the quintiles, and ``INSERT ... SELECT`` into the snapshot, never a query
per customer. The few differences between PostgreSQL and SQLite (date arithmetic, exact
sums) are spelled out in ``_Dialect``; the results are the same on both.

A run writes its snapshot first, unpublished, then publishes it under a lock: readers see
the previous snapshot until the new one is complete, and of two concurrent runs the last
one to publish wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounting.models import Order
from contacts.models import CustomerValue
from crm.accounts.models import User
from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot, SegmentRule
from crm.insights.rfm.rules import VALUE_SCALE, Weights, segment_map, window_start

# A run that never published (its process died) is cleaned up after this long.
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class _Dialect:
    recency: str  # whole days from the last order to the as-of date
    cents: str  # the order total in whole cents, summed exactly
    monetary: str  # the sum back in currency units, from ``money_cents``
    value: str  # the weighted sum of scores, ``units``, as a decimal of six places


POSTGRESQL = _Dialect(
    recency="CAST(%(as_of)s AS date) - MAX(o.order_date)",
    cents="SUM(o.total * 100)",
    monetary="money_cents / 100",
    value="CAST(units AS numeric) / {scale}",
)
# SQLite keeps decimals as floating point: sum whole cents (exact integers) instead, and
# take day numbers from julianday(), which is exact for dates at midnight.
SQLITE = _Dialect(
    recency="CAST(julianday(%(as_of)s) - julianday(MAX(o.order_date)) AS INTEGER)",
    cents="SUM(CAST(ROUND(o.total * 100) AS INTEGER))",
    monetary="money_cents / 100.0",
    value="units / {scale}.0",
)


def _dialect() -> _Dialect:
    return POSTGRESQL if connection.vendor == "postgresql" else SQLITE


def _scores_sql(dialect: _Dialect, mapping: dict[tuple[int, int], str], *, windowed: bool) -> str:
    table = connection.ops.quote_name
    segment_case = " ".join(f"WHEN {r * 10 + f} THEN %(segment_{r}{f})s" for r, f in mapping)
    window = "AND o.order_date >= %(window_start)s" if windowed else ""
    # n scored customers; RANK() gives equal values the rank of the first of them, and
    # 1 + floor(5 (rank - 1) / n) is integer division on both databases. Rows go in by
    # customer, which fills the indexes in order (a third faster than in rank order).
    quintile = "1 + 5 * (RANK() OVER (ORDER BY {order}) - 1) / COUNT(*) OVER ()"
    # Only table names and the fixed fragments above are formatted in; values are parameters.
    return f"""
        INSERT INTO {table(RfmScore._meta.db_table)}
            (snapshot_id, customer_id, recency_days, frequency, monetary,
             r_score, f_score, m_score, value_score, segment)
        SELECT %(snapshot)s, customer_id, recency_days, frequency, {dialect.monetary},
               r_score, f_score, m_score, {dialect.value.format(scale=VALUE_SCALE)},
               CASE r_score * 10 + f_score {segment_case} ELSE '' END
        FROM (
            SELECT customer_id, recency_days, frequency, money_cents, r_score, f_score, m_score,
                   %(weight_r)s * r_score + %(weight_f)s * f_score + %(weight_m)s * m_score AS units
            FROM (
                SELECT customer_id, recency_days, frequency, money_cents,
                       {quintile.format(order="recency_days DESC")} AS r_score,
                       {quintile.format(order="frequency")} AS f_score,
                       {quintile.format(order="money_cents")} AS m_score
                FROM (
                    SELECT o.customer_id,
                           {dialect.recency} AS recency_days,
                           COUNT(*) AS frequency,
                           {dialect.cents} AS money_cents
                    FROM {table(Order._meta.db_table)} o
                    WHERE o.status <> %(cancelled)s AND o.order_date <= %(as_of)s {window}
                    GROUP BY o.customer_id
                ) per_customer
            ) ranked
        ) weighted
        ORDER BY customer_id
    """  # noqa: S608


def _write_scores(snapshot: RfmSnapshot, weights: Weights, mapping: dict[tuple[int, int], str]) -> None:
    weight_r, weight_f, weight_m = weights.units()
    params = {
        "snapshot": snapshot.pk,
        "as_of": snapshot.as_of,
        "window_start": snapshot.window_start,
        "cancelled": Order.Status.CANCELLED,
        "weight_r": weight_r,
        "weight_f": weight_f,
        "weight_m": weight_m,
        **{f"segment_{r}{f}": slug for (r, f), slug in mapping.items()},
    }
    sql = _scores_sql(_dialect(), mapping, windowed=snapshot.window_start is not None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room to aggregate and sort 100,000 customers in memory, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            # Tell the planner about the 100,000 new rows: with statistics that have never seen
            # this snapshot it expects one row, and joins two snapshots row by row by row.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(RfmScore._meta.db_table)} (snapshot_id)")
    scores = RfmScore.objects.filter(snapshot=snapshot)
    totals = scores.aggregate(customers=Count("pk"), orders=Sum("frequency"))
    snapshot.customers_scored = totals["customers"]
    snapshot.orders_counted = totals["orders"] or 0
    per_segment = scores.order_by().values("segment").annotate(customers=Count("pk"))
    snapshot.segment_counts = {row["segment"]: row["customers"] for row in per_segment}
    snapshot.save(update_fields=["customers_scored", "orders_counted", "segment_counts"])


def _movements(snapshot: RfmSnapshot, previous: RfmSnapshot | None) -> list[list]:
    """[from, to, customers] between ``previous`` and ``snapshot``; None stands for not scored."""
    if previous is None:
        return []
    # Table names are formatted in, values are parameters (so are all the statements here).
    table = connection.ops.quote_name(RfmScore._meta.db_table)
    params = {"current": snapshot.pk, "previous": previous.pk}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.segment, s.segment, COUNT(*)
            FROM {table} s
            LEFT JOIN {table} p ON p.snapshot_id = %(previous)s AND p.customer_id = s.customer_id
            WHERE s.snapshot_id = %(current)s
            GROUP BY p.segment, s.segment
            """,  # noqa: S608
            params,
        )
        moved = cursor.fetchall()
        cursor.execute(
            f"""
            SELECT p.segment, NULL, COUNT(*)
            FROM {table} p
            WHERE p.snapshot_id = %(previous)s AND NOT EXISTS (
                SELECT 1 FROM {table} s WHERE s.snapshot_id = %(current)s AND s.customer_id = p.customer_id
            )
            GROUP BY p.segment
            """,  # noqa: S608
            params,
        )
        moved += cursor.fetchall()
    return sorted(([before, after, count] for before, after, count in moved), key=lambda row: -row[2])


def _publish(snapshot: RfmSnapshot, started: float) -> None:
    """Make ``snapshot`` the current one: movements, the customers' value fields, the complete flag."""
    with transaction.atomic():
        # One publisher at a time; whoever publishes last is current.
        list(RfmSettings.objects.select_for_update().filter(pk=1).values_list("pk"))
        previous = RfmSnapshot.objects.latest_first().first()
        snapshot.previous = previous
        snapshot.movements = _movements(snapshot, previous)
        CustomerValue.objects.all().delete()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # A customer merged away meanwhile may get a row here; lists join the customer,
            # and the next run drops it.
            cursor.execute(
                f"""
                INSERT INTO {quote(CustomerValue._meta.db_table)} (customer_id, segment, score, scored_on)
                SELECT s.customer_id, s.segment, s.value_score, %(as_of)s
                FROM {quote(RfmScore._meta.db_table)} s
                WHERE s.snapshot_id = %(snapshot)s
                ORDER BY s.customer_id
                """,  # noqa: S608
                {"snapshot": snapshot.pk, "as_of": snapshot.as_of},
            )
        snapshot.finished_at = timezone.now()
        snapshot.duration_ms = round((time.perf_counter() - started) * 1000)
        snapshot.is_complete = True
        snapshot.save(update_fields=["previous", "movements", "finished_at", "duration_ms", "is_complete"])


def score_customers(
    *,
    as_of: date | None = None,
    window_months: int | None = None,
    trigger: str = RfmSnapshot.Trigger.COMMAND,
    by: User | None = None,
) -> RfmSnapshot:
    """Score every customer with an order that counts, as of ``as_of`` (today), and publish it.

    ``window_months`` defaults to the settings' window; 0 counts all history.
    """
    started = time.perf_counter()
    config = RfmSettings.load()
    as_of = as_of or timezone.localdate()
    window_months = config.window_months if window_months is None else window_months
    weights = Weights(config.recency_weight, config.frequency_weight, config.monetary_weight)
    mapping = segment_map(SegmentRule.objects.order_by("priority", "pk"))
    with transaction.atomic():
        snapshot = RfmSnapshot.objects.create(
            as_of=as_of,
            window_months=window_months,
            window_start=window_start(as_of, window_months),
            recency_weight=weights.recency,
            frequency_weight=weights.frequency,
            monetary_weight=weights.monetary,
            trigger=trigger,
            requested_by=by,
            started_at=timezone.now(),
        )
        _write_scores(snapshot, weights, mapping)
    try:
        _publish(snapshot, started)
    except BaseException:
        snapshot.delete()
        raise
    return snapshot


def prune_snapshots(*, keep: int | None = None) -> int:
    """Drop the customer rows of snapshots beyond the newest ``keep`` (the settings' number; their
    totals stay), and runs that died before publishing. Returns the number of snapshots pruned."""
    keep = keep or RfmSettings.load().keep_snapshots
    kept = RfmSnapshot.objects.latest_first().values_list("pk", flat=True)[:keep]
    old = RfmSnapshot.objects.complete().filter(scores_pruned=False).exclude(pk__in=list(kept))
    pruned = list(old.values_list("pk", flat=True))
    if pruned:
        RfmScore.objects.filter(snapshot__in=pruned).delete()
        RfmSnapshot.objects.filter(pk__in=pruned).update(scores_pruned=True)
    RfmSnapshot.objects.filter(is_complete=False, started_at__lt=timezone.now() - STALE_AFTER).delete()
    return len(pruned)
