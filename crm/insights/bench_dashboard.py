"""Speed figures of the dashboards and of the campaign, service and customer value reports for
``make bench``: each role's home page, the card data endpoints, a dashboard with every card,
and the reports' pages, drill-downs and exports, timed in-process with their query counts.

The bench database has no tickets, invoices or scoring runs of its own: they are made once
here (kept, marked "Bench") so that those cards and reports have something to count.
On its own: ``manage.py shell -c "from crm.insights import bench_dashboard;
bench_dashboard.report(print, requests=20, warmup=3)"`` (DEBUG=false, DATABASE_URL set).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounting.models import Invoice, Order
from contacts.models import Customer
from crm.accounts.models import Team, User
from crm.accounts.roles import Role
from crm.insights.bench import BenchError, Timing, capture, goal_verdict, logged_in_client, measure
from crm.insights.dashboard.layout import available_cards, save_layout
from crm.insights.dashboard.registry import CARDS
from crm.insights.models import RfmSnapshot
from crm.insights.rfm.scoring import score_customers
from sales.models import Product
from service.models import Holiday, SlaPolicy, Ticket

GOAL_P50_MS = 100.0
TICKETS = 20_000
INVOICES = 20_000
TICKET_SUBJECT = "Bench ticket"
INVOICE_SERIES = "BENCH"
ALL_CARDS_USER = "bench_all_cards"
# Each role's demo user (seed_demo), whose home page is timed.
HOMES = [
    ("sales rep", "ventas"),
    ("telemarketer", "telemercadeo"),
    ("manager", "gerente"),
    ("service agent", "servicio"),
    ("accounting", "contabilidad"),
    ("marketing", "mercadeo"),
    ("admin", "admin"),
]


# --- fixtures ---------------------------------------------------------------------------


@dataclass
class Made:
    tickets: int
    invoices: int
    runs: int
    seconds: float


def _ensure_sla() -> None:
    hours = {"low": (8, 40), "normal": (4, 20), "high": (2, 10), "urgent": (1, 4)}
    for priority, (response, resolution) in hours.items():
        SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={"first_response_hours": Decimal(response), "resolution_hours": Decimal(resolution)},
        )
    today = timezone.localdate()
    for day in (
        date(today.year, 1, 6),
        date(today.year, 5, 1),
        date(today.year, 7, 20),
        date(today.year, 12, 8),
    ):
        Holiday.objects.get_or_create(date=day, defaults={"name": "Bench"})


def _ensure_tickets() -> int:
    have = Ticket.objects.filter(subject__startswith=TICKET_SUBJECT).count()
    if have >= TICKETS:
        return 0
    rng = random.Random(TICKETS)  # noqa: S311 (made-up bench data, not secrets)
    agents = list(User.objects.filter(groups__name=Role.SERVICE_AGENT).values_list("pk", "team_id"))
    if not agents:
        raise BenchError("No service agent: run seed_demo first.")
    agents.append((None, Team.objects.order_by("pk").values_list("pk", flat=True).first()))
    customers = list(Customer.objects.order_by("?").values_list("pk", flat=True)[:5000])
    products = [*Product.objects.values_list("pk", flat=True)[:50], None]
    now = timezone.now()
    tickets = []
    for index in range(have, TICKETS):
        opened = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        responded = opened + timedelta(minutes=rng.randrange(5, 60 * 12)) if rng.random() < 0.9 else None
        resolved = opened + timedelta(minutes=rng.randrange(30, 60 * 24 * 6)) if rng.random() < 0.8 else None
        resolved = resolved if resolved and resolved < now else None
        responded = responded if responded and responded < now else None
        agent, team = rng.choice(agents)
        tickets.append(
            Ticket(
                customer_id=rng.choice(customers),
                product_id=rng.choice(products),
                subject=f"{TICKET_SUBJECT} {index}",
                priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                status=Ticket.Status.RESOLVED if resolved else rng.choice(["new", "open", "waiting"]),
                assignee_id=agent,
                team_id=team,
                opened_at=opened,
                first_response_at=responded,
                resolved_at=resolved,
                satisfaction_rating=rng.randint(1, 5) if resolved and rng.random() < 0.4 else None,
                satisfaction_at=resolved + timedelta(hours=2) if resolved else None,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    return len(tickets)


def _ensure_invoices() -> int:
    """Invoices for orders without one, in one INSERT ... SELECT; due dates spread around today."""
    have = Invoice.objects.filter(series=INVOICE_SERIES).count()
    if have >= INVOICES:
        return 0
    table, orders = Invoice._meta.db_table, Order._meta.db_table
    with connection.cursor() as cursor:
        # Numbers BENCH-<order id>: unique, and nothing else uses the series.
        cursor.execute(
            f"""
            INSERT INTO {table} (order_id, series, number, issue_date, due_date, currency,
                                 subtotal, discount_total, tax_total, total, amount_paid, amount_credited,
                                 created_at)
            SELECT o.id, %(series)s, %(series)s || '-' || o.id, CURRENT_DATE - 30,
                   CURRENT_DATE + CAST(o.id %% 150 AS integer) - 100, %(currency)s,
                   o.total, 0, 0, o.total, CASE WHEN o.id %% 3 = 0 THEN o.total ELSE 0 END, 0, now()
            FROM {orders} o
            WHERE NOT EXISTS (SELECT 1 FROM {table} i WHERE i.order_id = o.id)
            ORDER BY o.id DESC
            LIMIT %(count)s
            """,  # noqa: S608 (table names only; values are parameters)
            {"series": INVOICE_SERIES, "currency": settings.CRM_CURRENCY, "count": INVOICES - have},
        )
        return cursor.rowcount


def _ensure_runs() -> int:
    """Two published scoring runs with their scores (the value report compares them)."""
    runs = RfmSnapshot.objects.complete().filter(scores_pruned=False)
    if runs.count() >= 2 and runs.first().scores.exists():
        return 0
    today = timezone.localdate()
    score_customers(as_of=today - timedelta(days=7))
    score_customers(as_of=today)
    return 2


def ensure_fixtures() -> Made:
    started = time.perf_counter()
    with transaction.atomic():
        _ensure_sla()
        tickets = _ensure_tickets()
        invoices = _ensure_invoices()
    runs = _ensure_runs()
    if tickets or invoices or runs:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Made(tickets, invoices, runs, time.perf_counter() - started)


def _all_cards_user() -> User:
    """An admin whose dashboard shows every card, in the registry's order."""
    user, _created = User.objects.get_or_create(username=ALL_CARDS_USER, defaults={"first_name": "Bench"})
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    save_layout(user=user, slugs=[card.slug for card in available_cards(user)])
    return user


# --- pages ------------------------------------------------------------------------------


def _report(slug: str, **params) -> str:
    url = reverse("insights:reports:report", args=[slug])
    return f"{url}?{urlencode(params)}" if params else url


def _records(slug: str, **params) -> str:
    return f"{reverse('insights:reports:records', args=[slug])}?{urlencode(params)}"


REPORT_PAGES = [
    ("Campaigns, this year, per campaign", "mercadeo", _report("campaigns")),
    (
        "Campaigns, last 12 months, per channel",
        "gerente",
        _report("campaigns", period="last_12_months", group="channel"),
    ),
    (
        "Campaigns, drill-down: leads this year",
        "gerente",
        _records("campaigns", period="this_year", measure="leads"),
    ),
    ("Campaigns, XLSX export", "gerente", reverse("insights:reports:export_xlsx", args=["campaigns"])),
    ("Service, this month, per agent", "servicio", _report("service")),
    ("Service, this month, per agent", "gerente", _report("service")),
    ("Service, this year, per product", "gerente", _report("service", period="this_year", group="product")),
    ("Service, last 12 months, per team", "admin", _report("service", period="last_12_months", group="team")),
    (
        "Service, drill-down: resolved late this month",
        "gerente",
        _records("service", measure="resolved_late"),
    ),
    (
        "Service, drill-down: resolved late this year",
        "gerente",
        _records("service", period="this_year", measure="resolved_late"),
    ),
    (
        "Service, CSV export, this year",
        "gerente",
        reverse("insights:reports:export_csv", args=["service"]) + "?period=this_year",
    ),
    ("Customer value, this month", "bench1000", _report("value")),
    ("Customer value, this month", "ventas", _report("value")),
    ("Customer value, this month", "gerente", _report("value")),
    ("Customer value, this month, everyone", "admin", _report("value")),
    (
        "Customer value, drill-down: a segment",
        "admin",
        _records("value", measure="customers", key="segment:loyal"),
    ),
]


def _pages() -> list[tuple[str, str, str]]:
    """(label, username, URL): each role's home, the periods, the chart endpoints, every card."""
    home = reverse("home")
    pages = [(f"Home, {role}", username, home) for role, username in HOMES]
    pages += [
        ("Home, sales rep with 1,000 customers", "bench1000", home),
        ("Home, manager, this quarter", "gerente", f"{home}?period=this_quarter"),
        ("Home, manager, last 12 months", "gerente", f"{home}?period=last_12_months"),
        (f"Home, all {len(CARDS)} cards at once (not a default)", ALL_CARDS_USER, home),
    ]
    for slug, card in CARDS.items():
        if card.has_chart:
            user = "gerente" if Role.MANAGER in card.roles else "admin"
            pages.append((f"Card data: {slug}", user, reverse("insights:card_data", args=[slug])))
    return pages + REPORT_PAGES


def timings(*, requests: int, warmup: int):
    clients = {}
    for label, username, url in _pages():
        if username not in clients:
            user = User.objects.filter(username=username).first()
            if user is None:
                yield label, username, f"no user {username}: run seed_demo first"
                continue
            clients[username] = logged_in_client(user)
        try:
            yield (
                label,
                username,
                measure(clients[username], url, requests=requests, warmup=warmup, cold=True),
            )
        except BenchError as error:
            yield label, username, str(error)


def query_counts() -> list[tuple[str, int, int]]:
    """The home page's queries for a rep with 1,000 customers and one with 41,000 (same count)."""
    home = reverse("home")
    rows = []
    for label, small, large in (("Home, sales rep", "bench1000", "ventas"),):
        users = {user.username: user for user in User.objects.filter(username__in=[small, large])}
        if len(users) < 2:
            continue
        counts = [len(capture(logged_in_client(users[name]), home)) for name in (small, large)]
        rows.append((label, *counts))
    return rows


# --- printing ---------------------------------------------------------------------------


def report(say: Callable[[str], None], *, requests: int, warmup: int) -> None:
    static_files = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=static_files):
        _report_figures(say, requests=requests, warmup=warmup)


def _report_figures(say: Callable[[str], None], *, requests: int, warmup: int) -> None:
    made = ensure_fixtures()
    _all_cards_user()
    say("")
    say(
        f"Dashboards and the campaign, service and value reports: {Ticket.objects.count():,} tickets, "
        f"{Invoice.objects.count():,} invoices, {RfmSnapshot.objects.complete().count()} scoring runs "
        f"({made.tickets:,} tickets, {made.invoices:,} invoices and {made.runs} runs made now in "
        f"{made.seconds:.1f} s). Server time per page, {requests} requests after {warmup} warm-ups "
        f"(goal: p50 < {GOAL_P50_MS:.0f} ms)"
    )
    header = (
        f"{'page':<52} {'as':<15} {'p50 ms':>7} {'p95 ms':>7} {'cold ms':>7} "
        f"{'pages/s':>8} {'queries':>7}  goal"
    )
    say(header)
    say("-" * len(header))
    missed = []
    for label, username, timing in timings(requests=requests, warmup=warmup):
        if not isinstance(timing, Timing):
            say(f"{label:<52} {username:<15} {timing}")
            continue
        verdict = goal_verdict(timing, GOAL_P50_MS)
        say(
            f"{label:<52} {username:<15} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
            f"{timing.cold_p50_ms or 0:>7.1f} {timing.pages_per_second:>8.0f} {timing.queries:>7}  {verdict}"
        )
        if verdict != "ok":
            missed.append((label, username, timing))
    for label, username, timing in missed:
        say(f"Missed: {label} as {username}; slowest queries:")
        for ms, sql in timing.slowest[:3]:
            say(f"  {ms:.1f} ms  {sql[:160]}...")
    say("")
    say("Queries per home page, for a rep with 1,000 customers and one with about 41,000")
    for label, small, large in query_counts():
        say(f"{label:<52} {small:>8} {large:>8}  {'same' if small == large else 'NOT THE SAME'}")
