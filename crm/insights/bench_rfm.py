"""Speed figures of RFM value scoring for ``make bench``: 100,000 customers with 1,000,000 orders.

The orders are made once by one ``INSERT ... SELECT`` over ``generate_series`` and kept for
the next run; their numbers start with ``RFM-BENCH-`` so ``remove_bench_orders()`` can take
them away. Every customer gets one order, the rest go mostly to a few (as real order books
do); one in twenty is cancelled, one in five imported history, dates spread over four years.

How the time grows is measured on samples of those orders (about 10,000 and 100,000), each
copied once into its own schema as a table named ``accounting_order``: putting that schema
first on the search path makes the scoring job read the sample, unchanged. Those runs, and
the one over every order in the table, are rolled back; the headline runs score the real
table and publish, as the nightly run does.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from accounting.models import Order
from contacts.models import Customer
from crm.insights.bench import BenchError
from crm.insights.models import RfmSnapshot
from crm.insights.rfm.scoring import prune_snapshots, score_customers

CUSTOMERS = 100_000
ORDERS = 1_000_000
NUMBER_PREFIX = "RFM-BENCH-"
GOAL_SECONDS = 3.0
# (label, share of the bench orders in thousandths); None: the whole table.
SAMPLES = [("10k", 10), ("100k", 100), ("1M", None)]
KEEP_SNAPSHOTS = 3  # the bench's own runs are pruned to these


class _Rollback(Exception):
    pass


@dataclass
class Run:
    label: str
    orders: int
    customers: int
    seconds: float

    @property
    def microseconds_per_order(self) -> float:
        return self.seconds * 1_000_000 / max(self.orders, 1)


def bench_orders() -> int:
    return Order.objects.filter(number__startswith=NUMBER_PREFIX).count()


def ensure_bench_orders() -> tuple[int, float | None]:
    """The bench orders, made if missing: (how many, seconds it took to make them or None)."""
    existing = bench_orders()
    if existing >= ORDERS:
        return existing, None
    if Customer.objects.count() < CUSTOMERS:
        raise BenchError(f"The RFM bench needs {CUSTOMERS:,} customers: run seed_demo first.")
    remove_bench_orders()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE rfm_bench_customers ON COMMIT DROP AS "
            "SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn "
            "FROM contacts_customer ORDER BY id LIMIT %s",
            [CUSTOMERS],
        )
        # Orders 1..CUSTOMERS give every customer one; the rest follow u² for u uniform in
        # [0, 1), so low-numbered customers get many and most get a few. All deterministic.
        cursor.execute(
            f"""
            INSERT INTO {Order._meta.db_table}
                (customer_id, quote_id, number, status, order_date, currency, subtotal, discount_total,
                 tax_total, total, created_by_id, is_history, notes, created_at, cancelled_at)
            SELECT c.id, NULL, %(prefix)s || lpad(g.n::text, 7, '0'),
                   CASE WHEN g.n %% 20 = 0 THEN 'cancelled'
                        WHEN g.n %% 3 = 0 THEN 'fulfilled' ELSE 'confirmed' END,
                   CURRENT_DATE - ((g.n::bigint * 7919) %% 1461)::int, 'COP', g.amount, 0, 0, g.amount, NULL,
                   g.n %% 5 = 0, '', now(), NULL
            FROM (
                SELECT n,
                       CASE WHEN n <= %(customers)s THEN n - 1
                            ELSE floor(%(customers)s
                                       * power(((n::bigint * 2654435761) %% 4294967296) / 4294967296.0, 2))
                       END AS rn,
                       ((n::bigint * 48271) %% 4999000 + 1000) * 10 + (n %% 100) / 100.0 AS amount
                FROM generate_series(1, %(orders)s) AS n
            ) g
            JOIN rfm_bench_customers c ON c.rn = g.rn
            """,  # noqa: S608 - the table name is the model's; values are parameters
            {"prefix": NUMBER_PREFIX, "customers": CUSTOMERS, "orders": ORDERS},
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Order._meta.db_table}")
    return bench_orders(), seconds


def remove_bench_orders() -> int:
    """Delete the bench orders and their samples (nothing refers to them)."""
    with connection.cursor() as cursor:
        for label, share in SAMPLES:
            if share is not None:
                cursor.execute(f"DROP SCHEMA IF EXISTS {_schema(label)} CASCADE")
    deleted, _by_model = Order.objects.filter(number__startswith=NUMBER_PREFIX).delete()
    return deleted


def _schema(label: str) -> str:
    return f"rfm_bench_{label.lower()}"


def _ensure_sample(label: str, share: int) -> None:
    schema = _schema(label)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, "accounting_order"]
        )
        if cursor.fetchone():
            return
        cursor.execute(f"CREATE SCHEMA {schema}")
        # UNLOGGED: a throw-away copy, in shared buffers like the real table.
        cursor.execute(
            f"CREATE UNLOGGED TABLE {schema}.accounting_order AS "  # noqa: S608 - fixed names only
            f"SELECT * FROM public.{Order._meta.db_table} "
            f"WHERE number LIKE %s AND (id * 2654435761) %% 1000 < %s",
            [NUMBER_PREFIX + "%", share],
        )
        cursor.execute(f"ANALYZE {schema}.accounting_order")


def _timed_run(label: str) -> Run:
    started = time.perf_counter()
    snapshot = score_customers(trigger=RfmSnapshot.Trigger.COMMAND)
    seconds = time.perf_counter() - started
    return Run(label, snapshot.orders_counted, snapshot.customers_scored, seconds)


def growth(*, repeat: int = 3) -> list[Run]:
    """The best of ``repeat`` scoring runs on each sample and on the whole table (all rolled back)."""
    runs = []
    for label, share in SAMPLES:
        if share is not None:
            _ensure_sample(label, share)
        best = None
        for _index in range(repeat):
            try:
                with transaction.atomic():
                    if share is not None:
                        with connection.cursor() as cursor:
                            cursor.execute(f"SET LOCAL search_path TO {_schema(label)}, public")
                    run = _timed_run(label)
                    raise _Rollback
            except _Rollback:
                pass
            best = run if best is None or run.seconds < best.seconds else best
        runs.append(best)
    return runs


def headline(*, repeat: int = 3) -> Run:
    """The best of ``repeat`` real runs over every order, each published like the nightly one."""
    best = None
    for _index in range(repeat):
        run = _timed_run("all orders")
        best = run if best is None or run.seconds < best.seconds else best
    prune_snapshots(keep=KEEP_SNAPSHOTS)
    return best


def grows_no_worse_than_linearly(runs: list[Run]) -> bool:
    """Each step's time grows by no more than its orders do (10% allowed for a busy machine)."""
    return all(
        later.seconds / earlier.seconds <= 1.1 * later.orders / max(earlier.orders, 1)
        for earlier, later in itertools.pairwise(runs)
    )


def report(say: Callable[[str], None]) -> None:
    """Make the orders if needed, time the scoring, and print the figures with their goals."""
    orders, made_in = ensure_bench_orders()
    say("")
    made = f"made in {made_in:.1f} s" if made_in is not None else "made by an earlier run"
    say(f"RFM value scoring: {orders:,} bench orders ({made}; kept, numbered {NUMBER_PREFIX}...).")
    runs = growth()
    say("Scoring time by number of orders, best of 3, rolled back (snapshot written and published):")
    header = f"{'orders':>8} {'counted':>10} {'customers':>10} {'seconds':>8} {'µs/order':>9}"
    say(header)
    say("-" * len(header))
    for run in runs:
        say(
            f"{run.label:>8} {run.orders:>10,} {run.customers:>10,} {run.seconds:>8.2f} "
            f"{run.microseconds_per_order:>9.2f}"
        )
    linear = grows_no_worse_than_linearly(runs)
    first, last = runs[0], runs[-1]
    say(
        f"From {first.orders:,} to {last.orders:,} orders counted: x{last.orders / max(first.orders, 1):.0f} "
        f"orders, x{last.seconds / first.seconds:.1f} time (goal: no worse than linear: "
        f"{'ok' if linear else 'MISSED'})"
    )
    best = headline()
    in_table = Order.objects.count()
    verdict = "ok" if best.seconds < GOAL_SECONDS else "MISSED"
    say(
        f"Scoring {best.customers:,} customers with {in_table:,} orders ({best.orders:,} not cancelled), "
        f"snapshot written and published, best of 3: {best.seconds:.2f} s "
        f"(goal < {GOAL_SECONDS:.0f} s: {verdict})"
    )
