"""Speed figures for ``make bench``: the busiest pages, timed in-process on a large PostgreSQL database.

Pages are requested through ``django.test.Client``, so the figures are the server's own work
(middleware, views, queries, templates) without a network or a browser. Timing goals are
printed next to the figures; they are never asserted by the test suite.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from django.conf import settings
from django.contrib.auth.models import Group
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


def measure(client: Client, url: str, *, requests: int, warmup: int) -> Timing:
    for _index in range(warmup):
        get(client, url)
    seconds = []
    for _index in range(requests):
        started = time.perf_counter()
        get(client, url)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    queries = capture(client, url)
    slowest = sorted(((float(query["time"]) * 1000, query["sql"]) for query in queries), reverse=True)
    return Timing(
        p50_ms=statistics.median(seconds) * 1000,
        p95_ms=seconds[max(0, math.ceil(len(seconds) * 0.95) - 1)] * 1000,
        pages_per_second=len(seconds) / sum(seconds),
        queries=len(queries),
        slowest=slowest,
    )


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
