"""Speed figures for ``make bench``: the busiest pages, timed in-process on a large PostgreSQL database.

Pages are requested through ``django.test.Client``, so the figures are the server's own work
(middleware, views, queries, templates) without a network or a browser. Timing goals are
printed next to the figures; they are never asserted by the test suite.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import psycopg
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg import sql

from contacts.demo import seed_demo_customers
from contacts.models import Activity, Contact, Customer
from contacts.search import refresh_search_text
from contacts.validators import nit_check_digit
from crm.accounts.models import Team, User
from crm.accounts.roles import Role
from sales import pricing
from sales.history import pipeline_history
from sales.models import LostReason, Opportunity, Product, Quote, QuoteLine, Stage

GOAL_P50_MS = 30.0
GOAL_SEED_SECONDS = 60.0
GOAL_LIST_PAGES_PER_SECOND = 100.0
TIMELINE_ENTRIES = 200
SMALL, LARGE = 10, 1000


class BenchError(Exception):
    pass


def ensure_database(*, recreate: bool = False) -> bool:
    """Create the configured PostgreSQL database if it is missing (dropping it first on ``recreate``).

    Returns True when the database was created. Connects to the server's ``postgres``
    database with the same credentials, before Django opens its own connection.
    """
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BenchError("The bench runs on PostgreSQL: set DATABASE_URL to a postgres:// address.")
    params = {
        "dbname": "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    name = sql.Identifier(db["NAME"])
    with psycopg.connect(**{key: value for key, value in params.items() if value}, autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if exists and recreate:
            server.execute(sql.SQL("DROP DATABASE {}").format(name))
            exists = None
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return not exists


# --- fixtures ---------------------------------------------------------------------------


@dataclass
class Fixtures:
    rep: User
    manager: User
    small_rep: User
    large_rep: User
    timeline_customer: Customer
    small_customer: Customer
    tax_fragment: str


def _bench_rep(username: str, team_name: str) -> User:
    team = Team.objects.get_or_create(name=team_name)[0]
    user = User.objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": team_name, "team": team}
    )[0]
    user.groups.set([Group.objects.get(name=Role.SALES_REP)])
    return user


def _rep_with_customers(username: str, team_name: str, count: int) -> User:
    """A sales rep who sees exactly ``count`` customers (their own, on a team of their own)."""
    user = _bench_rep(username, team_name)
    missing = count - Customer.objects.visible_to(user).count()
    if missing > 0:
        seed_demo_customers(customers=missing, owners=[user], seed=count, leave_unassigned=False)
    return user


def _customer_with_timeline(*, body: str, name: str, owner: User, entries: int) -> Customer:
    """A customer of ``owner`` with exactly ``entries`` activities and three contacts."""
    customer = Customer.objects.get_or_create(
        tax_id=f"{body}-{nit_check_digit(body)}",
        defaults={"legal_name": name, "city": "Bogotá", "owner": owner, "team_id": owner.team_id},
    )[0]
    for index in range(3 - customer.contacts.count()):
        Contact.objects.create(
            customer=customer,
            name=f"Contacto de prueba {index + 1}",
            role="Jefe de compras",
            phone=f"300 555 000{index}",
            email=f"contacto{index + 1}@example.com",
        )
    refresh_search_text([customer.pk])
    if customer.activities.count() != entries:
        customer.activities.all().delete()
        contacts = list(customer.contacts.all())
        kinds = list(Activity.Kind)
        now = timezone.now()
        Activity.objects.bulk_create(
            Activity(
                customer=customer,
                kind=kinds[index % len(kinds)],
                subject=f"Seguimiento {index + 1}",
                notes="Quedó de revisar con el gerente." if index % 3 == 0 else "",
                outcome="Interesado" if index % 2 else "",
                duration_minutes=15 if index % 2 else None,
                occurred_at=now - timedelta(hours=index * 80),
                user=owner,
                contact=contacts[index % len(contacts)] if index % 2 else None,
            )
            for index in range(entries)
        )
    return customer


def ensure_fixtures() -> Fixtures:
    rep = User.objects.get(username="ventas")
    timeline_customer = _customer_with_timeline(
        body="800000001", name="Cliente con Historial Largo S.A.S.", owner=rep, entries=TIMELINE_ENTRIES
    )
    small_customer = _customer_with_timeline(
        body="800000002", name="Cliente con Historial Corto S.A.S.", owner=rep, entries=SMALL
    )
    sample = Customer.objects.visible_to(rep).filter(tax_id__startswith="9").order_by("pk").first()
    if sample is None:
        raise BenchError("No demo customers with a NIT: run seed_demo first.")
    return Fixtures(
        rep=rep,
        manager=User.objects.get(username="gerente"),
        small_rep=_rep_with_customers("bench10", "Bench 10", SMALL),
        large_rep=_rep_with_customers("bench1000", "Bench 1000", LARGE),
        timeline_customer=timeline_customer,
        small_customer=small_customer,
        tax_fragment=sample.tax_id[:7],
    )


# --- measuring --------------------------------------------------------------------------


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    pages_per_second: float
    queries: int
    slowest: list[tuple[float, str]]  # (ms, SQL) of one request's queries, slowest first
    # p50 with the shared cache emptied before each request: the first view after a change.
    cold_p50_ms: float | None = None


def goal_verdict(timing: Timing, goal_ms: float) -> str:
    """ "ok" when the page meets the goal warm and cold, "warm only" when only a cache makes it."""
    if timing.p50_ms >= goal_ms:
        return "MISSED"
    if timing.cold_p50_ms is not None and timing.cold_p50_ms >= goal_ms:
        return "warm only"
    return "ok"


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client: Client, url: str):
    # secure=True: production settings redirect plain http to https.
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code}, expected 200.")
    return response


def capture(client: Client, url: str) -> list[dict]:
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return queries.captured_queries


def measure(client: Client, url: str, *, requests: int, warmup: int, cold: bool = False) -> Timing:
    """Server time of ``url``; with ``cold``, also with nothing cached (counts, report figures)."""
    for _index in range(warmup):
        get(client, url)
    seconds = [_timed(client, url) for _index in range(requests)]
    cold_seconds = []
    if cold:
        for _index in range(max(3, requests // 2)):
            cache.clear()
            cold_seconds.append(_timed(client, url))
    seconds.sort()
    queries = capture(client, url)
    slowest = sorted(((float(query["time"]) * 1000, query["sql"]) for query in queries), reverse=True)
    return Timing(
        p50_ms=statistics.median(seconds) * 1000,
        p95_ms=seconds[max(0, math.ceil(len(seconds) * 0.95) - 1)] * 1000,
        pages_per_second=len(seconds) / sum(seconds),
        queries=len(queries),
        slowest=slowest,
        cold_p50_ms=statistics.median(cold_seconds) * 1000 if cold_seconds else None,
    )


def _timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    get(client, url)
    return time.perf_counter() - started


def explain_analyze(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {query}")
        return "\n".join(row[0] for row in cursor.fetchall())


def search_plans(client: Client, url: str) -> list[tuple[str, str]]:
    """(what, EXPLAIN ANALYZE) of the queries a search page runs against ``search_text``."""
    return [
        (
            "count" if query["sql"].startswith("SELECT COUNT(") else "rows of the page",
            explain_analyze(query["sql"]),
        )
        for query in capture(client, url)
        if "search_text" in query["sql"]
    ]


def _serve_for(user_id: int, url: str, seconds: float, results) -> None:
    """In a forked process: request ``url`` as the user until ``seconds`` are up; report the count."""
    client = logged_in_client(User.objects.get(pk=user_id))
    get(client, url)  # warm up this process's caches and connection
    served, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        get(client, url)
        served += 1
    results.put(served)


def throughput(user: User, url: str, *, processes: int, seconds: float = 5.0) -> float:
    """Pages per second that ``processes`` server processes answer together, as gunicorn's workers would."""
    import multiprocessing

    from django.db import connections

    # Children must open their own connections, never share the parent's socket.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_serve_for, args=(user.pk, url, seconds, results))
        for _index in range(processes)
    ]
    for worker in workers:
        worker.start()
    served = sum(results.get(timeout=seconds + 60) for _worker in workers)
    for worker in workers:
        worker.join()
    return served / seconds


# --- sales ------------------------------------------------------------------------------

OPEN_OPPORTUNITIES = 20_000
CLOSED_OPPORTUNITIES = 5_000
QUOTE_LINES = 60
GOAL_PDF_SECONDS = 1.0
BENCH_QUOTE_NUMBER = "BENCH-60"


@dataclass
class SalesFixtures:
    small_team: Team
    large_team: Team
    quote: Quote | None
    open_count: int
    closed_count: int


def _opportunity_rows(customers, *, count: int, rng: random.Random, closed: bool) -> list[Opportunity]:
    """``count`` opportunities on ``customers`` ((pk, owner_id, team_id) rows, cycled), deterministic.

    Open ones close from two months ago (overdue) to nine months ahead; closed ones were won
    or lost during the last year, this month included.
    """
    open_stages = list(Stage.objects.filter(is_won=False, is_lost=False, is_active=True))
    won, lost = Stage.objects.filter(is_won=True).first(), Stage.objects.filter(is_lost=True).first()
    reasons = list(LostReason.objects.all()) or [None]
    today = timezone.localdate()
    rows = []
    for index in range(count):
        customer_id, owner_id, team_id = customers[index % len(customers)]
        amount = Decimal(rng.randrange(1_000, 250_000) * 1_000)
        if closed:
            stage = won if rng.random() < 0.6 else lost
            closed_on = today - timedelta(days=rng.randrange(0, 365))
            expected, lost_reason = closed_on, (rng.choice(reasons) if stage == lost else None)
        else:
            stage = rng.choice(open_stages)
            closed_on, lost_reason = None, None
            expected = today + timedelta(days=rng.randrange(-60, 275))
        rows.append(
            Opportunity(
                customer_id=customer_id,
                owner_id=owner_id,
                team_id=team_id,
                name=f"Oportunidad de prueba {index + 1}",
                amount=amount,
                expected_close_date=expected,
                stage=stage,
                probability=stage.default_probability,
                closed_on=closed_on,
                lost_reason=lost_reason,
            )
        )
    return rows


def _ensure_rep_opportunities(user: User, count: int) -> None:
    """``user`` has at least ``count`` open opportunities, one on each of their customers."""
    missing = count - Opportunity.objects.visible_to(user).open().count()
    if missing > 0:
        customers = list(
            Customer.objects.filter(owner=user).order_by("pk").values_list("pk", "owner_id", "team_id")
        )
        rows = _opportunity_rows(customers, count=missing, rng=random.Random(count), closed=False)  # noqa: S311
        Opportunity.objects.bulk_create(rows, batch_size=5_000)
        pipeline_history.bump()  # bulk_create sends no signal


def _ensure_pipeline(bench_teams: list[Team]) -> None:
    """Top the database up to ``OPEN_OPPORTUNITIES`` open and ``CLOSED_OPPORTUNITIES`` closed
    opportunities, on customers that have an owner (the bench's own reps left alone)."""
    open_missing = OPEN_OPPORTUNITIES - Opportunity.objects.open().count()
    closed_missing = CLOSED_OPPORTUNITIES - Opportunity.objects.exclude(closed_on=None).count()
    if open_missing <= 0 and closed_missing <= 0:
        return
    customers = list(
        Customer.objects.filter(owner__isnull=False)
        .exclude(team__in=bench_teams)
        .order_by("pk")
        .values_list("pk", "owner_id", "team_id")[: max(open_missing, closed_missing, 1)]
    )
    if not customers:
        raise BenchError("No customers with an owner to give opportunities to: run seed_demo first.")
    rng = random.Random(OPEN_OPPORTUNITIES)  # noqa: S311 - demo data, repeatable on purpose
    rows = []
    if open_missing > 0:
        rows += _opportunity_rows(customers, count=open_missing, rng=rng, closed=False)
    if closed_missing > 0:
        rows += _opportunity_rows(customers[::-1], count=closed_missing, rng=rng, closed=True)
    Opportunity.objects.bulk_create(rows, batch_size=5_000)
    pipeline_history.bump()  # bulk_create sends no signal


def _quote_with_lines(owner: User, lines: int) -> Quote:
    """A quote of ``owner``'s with exactly ``lines`` lines of 60 bench products, totals stored."""
    quote = Quote.objects.filter(number=BENCH_QUOTE_NUMBER, version=1).first()
    if quote is None:
        opportunity = Opportunity.objects.filter(owner=owner).open().order_by("pk").first()
        if opportunity is None:
            raise BenchError(f"{owner.username} has no open opportunity to quote.")
        quote = Quote.objects.create(
            opportunity=opportunity,
            customer_id=opportunity.customer_id,
            number=BENCH_QUOTE_NUMBER,
            valid_until=timezone.localdate() + timedelta(days=30),
            notes="Precios en pesos colombianos. Entrega en Bogotá.",
            terms="Pago a 30 días. Garantía de un año sobre los equipos.",
            created_by=owner,
        )
    if quote.lines.count() != lines:
        quote.lines.all().delete()
        products = [
            Product.objects.get_or_create(
                code=f"BENCH-{index:03d}",
                defaults={
                    "name": f"Producto de prueba {index} con una descripción de varias palabras",
                    "unit_price": Decimal(150_000 + index * 12_345),
                    "unit_cost": Decimal(90_000 + index * 7_000),
                    "tax_rate": Decimal(19),
                },
            )[0]
            for index in range(1, lines + 1)
        ]
        QuoteLine.objects.bulk_create(
            QuoteLine(
                quote=quote,
                position=index,
                product=product,
                description=product.name,  # snapshot, as the quote service writes it
                quantity=Decimal(1 + index % 5),
                unit_price=product.unit_price,
                unit_cost=product.unit_cost,
                discount_percent=Decimal(index % 3 * 5),
                tax_rate=product.tax_rate,
            )
            for index, product in enumerate(products)
        )
        totals = pricing.compute_totals(
            pricing.Line(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                unit_cost=line.unit_cost,
            )
            for line in quote.lines.all()
        )
        quote.subtotal, quote.discount_total, quote.tax_total = totals.subtotal, totals.discount, totals.tax
        quote.total, quote.cost_total = totals.total, totals.cost
        quote.save(update_fields=["subtotal", "discount_total", "tax_total", "total", "cost_total"])
    return quote


def ensure_sales_fixtures(fixtures: Fixtures) -> SalesFixtures:
    """20,000 open opportunities (and some closed ones) among the demo reps' customers, exactly
    10 and 1,000 open ones for the reps ``bench10`` and ``bench1000``, and a 60-line quote."""
    small_team, large_team = fixtures.small_rep.team, fixtures.large_rep.team
    _ensure_rep_opportunities(fixtures.small_rep, SMALL)
    _ensure_rep_opportunities(fixtures.large_rep, LARGE)
    _ensure_pipeline([small_team, large_team])
    return SalesFixtures(
        small_team=small_team,
        large_team=large_team,
        quote=_quote_with_lines(fixtures.rep, QUOTE_LINES),
        open_count=Opportunity.objects.open().count(),
        closed_count=Opportunity.objects.exclude(closed_on=None).count(),
    )


def time_call(function, *, repeat: int) -> tuple[float, float]:
    """(p50, p95) in seconds of ``repeat`` calls of ``function``, after one untimed call."""
    function()
    seconds = []
    for _index in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return statistics.median(seconds), seconds[max(0, math.ceil(len(seconds) * 0.95) - 1)]
