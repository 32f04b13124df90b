import importlib.util
import os
import platform
import time
import warnings
from importlib import import_module
from io import StringIO

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contacts.models import Activity, Customer
from crm.accounts.demo import ensure_demo_users
from crm.accounts.models import User
from crm.accounts.roles import is_supervisor
from crm.insights import bench, bench_collaboration, bench_dashboard, bench_leads, bench_orders, bench_rfm
from crm.insights.bench_reports import print_report_timings
from sales.models import Opportunity, Quote

STATIC_FILES = {
    **settings.STORAGES,
    # A fresh checkout has no collectstatic manifest; {% static %} costs the same either way.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


class MarketingSections:
    """The marketing and telemarketing figures (issue 5), printed after the sales ones."""

    def call_queue(self, leads: bench_leads.LeadFixtures, *, requests: int, warmup: int) -> None:
        user = leads.telemarketer
        self.say()
        self.say(
            f"Telemarketing: {leads.leads:,} leads; {user.username} has {leads.in_queue:,} open. "
            f"Next lead, {requests} requests after {warmup} warm-ups (goal: p50 < {bench.GOAL_P50_MS:.0f} ms)"
        )
        header = f"{'page':<48} {'as':<13} {'p50 ms':>7} {'p95 ms':>7} {'per s':>8} {'queries':>7}  goal"
        self.say(header)
        self.say("-" * len(header))
        for label, timing in bench_leads.queue_timings(leads, requests=requests, warmup=warmup):
            ok = timing.p50_ms < bench.GOAL_P50_MS
            self.say(
                f"{label:<48} {user.username:<13} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
                f"{timing.per_second:>8.0f} {timing.queries:>7}  {verdict(ok)}"
            )
        used, plan = bench_leads.queue_plan(leads)
        self.say()
        self.say(
            f"EXPLAIN ANALYZE, next lead as {user.username} "
            f"(index {bench_leads.QUEUE_INDEX} used: {'yes' if used else 'no'})"
        )
        self.say(plan)

    def lead_import(self, leads: bench_leads.LeadFixtures) -> None:
        data = bench_leads.purchased_list()
        figures = bench_leads.preview_figures(data, leads.import_campaign)
        goal = bench_leads.GOAL_PREVIEW_ROWS_PER_SECOND
        counts = ", ".join(f"{count:,} {status}" for status, count in figures.counts.items())
        self.say()
        self.say(
            f"Lead import preview, {figures.rows:,} rows ({figures.megabytes:.1f} MB; {counts}): "
            f"{figures.seconds:.1f} s, {figures.rows_per_second:,.0f} rows/s "
            f"(goal >= {goal:,.0f} rows/s: {verdict(figures.rows_per_second >= goal)})"
        )
        rows = bench_leads.IMPORTED_ROWS
        sample = bench_leads.purchased_list(rows, seed=rows)
        created, seconds = bench_leads.import_seconds(
            sample, leads.import_campaign, by=leads.import_campaign.owner, team=leads.team
        )
        self.say(
            f"Lead import, {rows:,} rows in the background task (rolled back): {created:,} leads "
            f"in {seconds:.1f} s, {rows / seconds:,.0f} rows/s"
        )

    def mailing_queue(self, leads: bench_leads.LeadFixtures) -> None:
        manager = User.objects.get(username="gerente")
        total, queued, seconds = bench_leads.mailing_seconds(leads, by=manager)
        self.say()
        self.say(
            f"Mailing to a campaign of {total:,} members: {queued:,} recipients queued "
            f"({total - queued:,} skipped) in {seconds:.2f} s (rolled back; nothing sent)"
        )


class AccountingSections:
    """The accounting figures (issue 7): the order history import."""

    def order_import(self) -> None:
        rows = bench_orders.ORDER_ROWS
        figures = bench_orders.import_figures(
            bench_orders.order_history(rows), by=User.objects.filter(username="contabilidad").first()
        )
        goal = bench_orders.GOAL_ROWS_PER_SECOND
        self.say()
        self.say(
            f"Order history import, {figures.rows:,} rows ({figures.megabytes:.1f} MB; "
            f"{figures.orders:,} orders, {figures.without_number:,} without a number, "
            f"{figures.new_customers:,} new customers), rolled back: "
            f"preview {figures.preview_seconds:.1f} s ({figures.preview_rows_per_second:,.0f} rows/s), "
            f"import {figures.import_seconds:.1f} s, {figures.rows_per_second:,.0f} rows/s "
            f"(goal >= {goal:,.0f} rows/s: {verdict(figures.rows_per_second >= goal)})"
        )


class Command(AccountingSections, MarketingSections, BaseCommand):
    help = (
        "Speed figures on PostgreSQL: seed 100,000 demo customers if needed, then time the busiest "
        "pages in-process and show their query counts and the search plan."
    )
    # The database may not exist yet: nothing may touch it before handle() creates it.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers", type=int, default=100_000, help="Customers the database should hold."
        )
        parser.add_argument("--requests", type=int, default=50, help="Timed requests per page.")
        parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first.")
        parser.add_argument(
            "--recreate", action="store_true", help="Drop and recreate the database (re-measures the seed)."
        )

    def handle(self, *args, customers, requests, warmup, recreate, **options):
        try:
            self.run(customers=customers, requests=requests, warmup=warmup, recreate=recreate)
        except bench.BenchError as error:
            raise CommandError(str(error)) from error

    def say(self, text: str = "") -> None:
        self.stdout.write(text)

    def run(self, *, customers: int, requests: int, warmup: int, recreate: bool) -> None:
        if settings.DEBUG:
            raise CommandError("Run the bench with DEBUG=false (as `make bench` does).")
        # Without collectstatic WhiteNoise warns about the missing STATIC_ROOT; pages do not use it here.
        warnings.filterwarnings("ignore", message="No directory at")
        created = bench.ensure_database(recreate=recreate)
        self.say(f"Database {settings.DATABASES['default']['NAME']}: {'created' if created else 'exists'}.")
        call_command("migrate", interactive=False, verbosity=0)
        self.seed(customers)
        fixtures = bench.ensure_fixtures()
        sales = bench.ensure_sales_fixtures(fixtures)
        leads = bench_leads.ensure_lead_fixtures()
        # Fresh bulk inserts leave the planner without statistics; production has autovacuum's.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.environment()
        with override_settings(STORAGES=STATIC_FILES):
            self.timings(fixtures, requests=requests, warmup=warmup)
            self.throughput(fixtures)
            self.query_counts(fixtures)
            self.search_plan(fixtures)
            self.sales_timings(fixtures, sales, requests=requests, warmup=warmup)
            self.sales_query_counts(fixtures, sales)
            self.quote_pdf(sales)
            self.call_queue(leads, requests=requests, warmup=warmup)
            self.lead_import(leads)
            self.mailing_queue(leads)
            print_report_timings(self.say, requests=requests, warmup=warmup)
            self.order_import()
            bench_rfm.report(self.say)
            bench_collaboration.report(self.say, requests=requests, warmup=warmup)
            bench_dashboard.report(self.say, requests=requests, warmup=warmup)

    def seed(self, customers: int) -> None:
        existing = Customer.objects.count()
        if existing >= customers:
            ensure_demo_users()  # the pages are measured as two of them
            self.say(f"Seed skipped: {existing:,} customers already (use --recreate to time the seed).")
            return
        out = StringIO()
        started = time.perf_counter()
        call_command("seed_demo", customers=customers - existing, stdout=out)
        seconds = time.perf_counter() - started
        self.say(out.getvalue().strip())
        self.say(
            f"Seed of {customers - existing:,} customers: {seconds:.1f} s "
            f"(goal < {bench.GOAL_SEED_SECONDS:.0f} s: {verdict(seconds < bench.GOAL_SEED_SECONDS)})"
        )

    def environment(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.say(
            f"PostgreSQL {version}, Django {django.get_version()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, DEBUG={settings.DEBUG}; {Customer.objects.count():,} customers, "
            f"{Activity.objects.count():,} activities."
        )
        cache = settings.CACHES["default"]
        shared = "shared by every process" if settings.CRM_SHARED_CACHE else "per process, counts not shared"
        self.say(f"Cache: {cache['BACKEND'].rsplit('.', 1)[-1]} {cache.get('LOCATION', '')} ({shared}).")

    # --- timings ------------------------------------------------------------------------
    def pages(self, fixtures: bench.Fixtures, user) -> list[tuple[str, str]]:
        customer_list = reverse("contacts:customer_list")
        visible = Customer.objects.visible_to(user).count()
        last = max(1, -(-visible // settings.CRM_LIST_PAGE_SIZE))
        common = Customer.objects.visible_to(user).search("andina").count()
        by_tax_id = Customer.objects.visible_to(user).search(fixtures.tax_fragment).count()
        return [
            (f"customer list, first page (of {visible:,})", customer_list),
            (f'search "andina" ({common:,} found)', f"{customer_list}?q=andina"),
            (
                f'search "{fixtures.tax_fragment}" ({by_tax_id:,} found)',
                f"{customer_list}?q={fixtures.tax_fragment}",
            ),
            (f"customer list, last page ({last:,})", f"{customer_list}?page={last}"),
            ("customer list sorted by city", f"{customer_list}?sort=city"),
            (
                f"customer page, {bench.TIMELINE_ENTRIES} timeline entries",
                fixtures.timeline_customer.get_absolute_url(),
            ),
        ]

    def timings(self, fixtures: bench.Fixtures, *, requests: int, warmup: int) -> None:
        self.say()
        self.say(f"Server time per page, {requests} requests after {warmup} warm-ups (goal: p50 < 30 ms)")
        header = f"{'page':<48} {'as':<8} {'p50 ms':>7} {'p95 ms':>7} {'pages/s':>8} {'queries':>7}  goal"
        self.say(header)
        self.say("-" * len(header))
        missed = []
        for user in (fixtures.rep, fixtures.manager):
            client = bench.logged_in_client(user)
            for label, url in self.pages(fixtures, user):
                timing = bench.measure(client, url, requests=requests, warmup=warmup)
                goals = [timing.p50_ms < bench.GOAL_P50_MS]
                note = ""
                self.say(
                    f"{label:<48} {user.username:<8} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
                    f"{timing.pages_per_second:>8.0f} {timing.queries:>7}  {verdict(all(goals))}{note}"
                )
                if not all(goals):
                    missed.append((label, user, timing))
        self.report_missed(missed)

    def report_missed(self, missed: list) -> None:
        for label, user, timing in missed:
            database_ms = sum(ms for ms, _query in timing.slowest)
            self.say()
            self.say(
                f"Missed: {label} as {user.username}. Queries took {database_ms:.0f} ms of one "
                f"{timing.p50_ms:.0f} ms request (the rest is Python: middleware, view, templates). Slowest:"
            )
            for ms, query in timing.slowest[:3]:
                self.say(f"  {ms:.1f} ms  {query[:160]}...")
            selects = [query for _ms, query in timing.slowest if query.startswith("SELECT")]
            if selects:
                self.say(bench.explain_analyze(selects[0]))

    def throughput(self, fixtures: bench.Fixtures) -> None:
        processes = os.cpu_count() or 1
        url = reverse("contacts:customer_list")
        pages = bench.throughput(fixtures.manager, url, processes=processes)
        goal = bench.GOAL_LIST_PAGES_PER_SECOND
        self.say()
        self.say(
            f"Customer list (first page, as {fixtures.manager.username}, all customers), {processes} server "
            f"processes for 5 s: {pages:.0f} pages/s (goal >= {goal:.0f}: {verdict(pages >= goal)})"
        )

    # --- constant queries ---------------------------------------------------------------
    def query_counts(self, fixtures: bench.Fixtures) -> None:
        customer_list = reverse("contacts:customer_list")
        small = bench.logged_in_client(fixtures.small_rep)
        large = bench.logged_in_client(fixtures.large_rep)
        rows = [
            ("customer list, first page", small, customer_list, large, customer_list),
            ('search "co" (matches all)', small, f"{customer_list}?q=co", large, f"{customer_list}?q=co"),
            (
                "customer list, last page",
                small,
                f"{customer_list}?page=999999",
                large,
                f"{customer_list}?page=999999",
            ),
            (
                "customer list sorted by city",
                small,
                f"{customer_list}?sort=city",
                large,
                f"{customer_list}?sort=city",
            ),
        ]
        rep = bench.logged_in_client(fixtures.rep)
        self.say()
        sees = [
            Customer.objects.visible_to(user).count() for user in (fixtures.small_rep, fixtures.large_rep)
        ]
        self.say(
            f"Queries per page with {bench.SMALL} and with {bench.LARGE:,} rows "
            f"(rep {fixtures.small_rep.username} sees {sees[0]:,} customers, "
            f"rep {fixtures.large_rep.username} sees {sees[1]:,})"
        )
        header = f"{'page':<52} {bench.SMALL:>8} {bench.LARGE:>8}  same"
        self.say(header)
        self.say("-" * len(header))
        for label, small_client, small_url, large_client, large_url in rows:
            self.count_row(label, small_client, small_url, large_client, large_url)
        with override_settings(CRM_LIST_PAGE_SIZE=bench.LARGE):
            self.count_row(
                f"customer list, {bench.LARGE:,} per page (all rows shown)",
                small,
                customer_list,
                large,
                customer_list,
            )
        self.count_row(
            f"customer page, {bench.SMALL} vs {bench.TIMELINE_ENTRIES} timeline entries",
            rep,
            fixtures.small_customer.get_absolute_url(),
            rep,
            fixtures.timeline_customer.get_absolute_url(),
        )

    def count_row(self, label, small_client, small_url, large_client, large_url) -> None:
        small = len(bench.capture(small_client, small_url))
        large = len(bench.capture(large_client, large_url))
        self.say(f"{label:<52} {small:>8} {large:>8}  {'yes' if small == large else 'NO'}")

    # --- search plan --------------------------------------------------------------------
    def search_plan(self, fixtures: bench.Fixtures) -> None:
        client = bench.logged_in_client(fixtures.manager)
        customer_list = reverse("contacts:customer_list")
        for term in ("andina", fixtures.tax_fragment):
            for what, plan in bench.search_plans(client, f"{customer_list}?q={term}"):
                used = "customer_search_trgm" in plan
                self.say()
                self.say(
                    f'EXPLAIN ANALYZE, search "{term}" as {fixtures.manager.username}, {what} '
                    f"(trigram index customer_search_trgm used: {'yes' if used else 'no'})"
                )
                self.say(plan)

    # --- sales --------------------------------------------------------------------------
    def sales_pages(self, fixtures: bench.Fixtures, user) -> list[tuple[str, str | None]]:
        """(label, URL) of the sales pages as ``user``; the URL is None for a page not built yet."""
        today = timezone.localdate()
        month = f"{today:%Y-%m}"
        open_count = Opportunity.objects.visible_to(user).open().count()
        pages = [
            (f"pipeline board ({open_count:,} open)", url_or_none("sales:board")),
            ("opportunity list, first page", url_or_none("sales:opportunity_list")),
        ]
        if is_supervisor(user):
            forecast = reverse("sales:forecast")
            this_month = Opportunity.objects.open().filter(
                expected_close_date__year=today.year, expected_close_date__month=today.month
            )
            pages += [
                ("forecast, 2 quarters ahead", forecast),
                ("forecast, 4 quarters ahead, weighted", f"{forecast}?quarters=4&measure=weighted"),
                (
                    f"forecast drill-down, this month ({this_month.count():,})",
                    f"{reverse('sales:forecast_detail')}?kind=open&since={month}&until={month}",
                ),
            ]
        return pages

    def sales_timings(self, fixtures: bench.Fixtures, sales, *, requests: int, warmup: int) -> None:
        self.say()
        self.say(
            f"Sales: {sales.open_count:,} open and {sales.closed_count:,} won or lost opportunities. "
            f"Server time per page, {requests} requests after {warmup} warm-ups (goal: p50 < 30 ms)"
        )
        header = f"{'page':<48} {'as':<8} {'p50 ms':>7} {'p95 ms':>7} {'pages/s':>8} {'queries':>7}  goal"
        self.say(header)
        self.say("-" * len(header))
        missed = []
        for user in (fixtures.rep, fixtures.manager):
            client = bench.logged_in_client(user)
            for label, url in self.sales_pages(fixtures, user):
                if url is None:
                    self.say(f"{label:<48} {user.username:<8} not built yet")
                    continue
                try:
                    timing = bench.measure(client, url, requests=requests, warmup=warmup)
                except bench.BenchError as error:
                    self.say(f"{label:<48} {user.username:<8} {error}")
                    continue
                ok = timing.p50_ms < bench.GOAL_P50_MS
                self.say(
                    f"{label:<48} {user.username:<8} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
                    f"{timing.pages_per_second:>8.0f} {timing.queries:>7}  {verdict(ok)}"
                )
                if not ok:
                    missed.append((label, user, timing))
        self.report_missed(missed)

    def sales_query_counts(self, fixtures: bench.Fixtures, sales) -> None:
        small = bench.logged_in_client(fixtures.small_rep)
        large = bench.logged_in_client(fixtures.large_rep)
        manager = bench.logged_in_client(fixtures.manager)
        sees = [
            Opportunity.objects.visible_to(user).open().count()
            for user in (fixtures.small_rep, fixtures.large_rep)
        ]
        self.say()
        self.say(
            f"Sales queries per page with {bench.SMALL} and with {bench.LARGE:,} rows "
            f"(rep {fixtures.small_rep.username} has {sees[0]:,} open opportunities, "
            f"rep {fixtures.large_rep.username} {sees[1]:,}; the manager's pages filtered by their teams)"
        )
        header = f"{'page':<52} {bench.SMALL:>8} {bench.LARGE:>8}  same"
        self.say(header)
        self.say("-" * len(header))
        for label, name in (
            ("pipeline board", "sales:board"),
            ("opportunity list", "sales:opportunity_list"),
        ):
            url = url_or_none(name)
            if url is None:
                self.say(f"{label:<52} not built yet")
            else:
                self.count_row(label, small, url, large, url)
        forecast, detail = reverse("sales:forecast"), reverse("sales:forecast_detail")
        small_team, large_team = sales.small_team.pk, sales.large_team.pk
        self.count_row(
            "forecast, by team",
            manager,
            f"{forecast}?team={small_team}",
            manager,
            f"{forecast}?team={large_team}",
        )
        self.count_row(
            "forecast drill-down, a team's open opportunities",
            manager,
            f"{detail}?kind=open&team={small_team}",
            manager,
            f"{detail}?kind=open&team={large_team}",
        )

    def quote_pdf(self, sales) -> None:
        self.say()
        render = (
            getattr(import_module("sales.pdf"), "render_quote_pdf", None) if has_module("sales.pdf") else None
        )
        label = f"Quote PDF, {bench.QUOTE_LINES} lines"
        if render is None or sales.quote is None:
            self.say(f"{label}: not built yet")
            return

        def render_once() -> bytes:
            quote = Quote.objects.select_related("customer", "opportunity").get(pk=sales.quote.pk)
            return render(quote)

        with CaptureQueriesContext(connection) as queries:
            size = len(render_once())
        p50, p95 = bench.time_call(render_once, repeat=10)
        goal = bench.GOAL_PDF_SECONDS
        self.say(
            f"{label} ({size / 1024:.0f} KB, {len(queries)} queries), 10 renders after 1 warm-up: "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"(goal p50 < {goal:.0f} s: {verdict(p50 < goal)})"
        )


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
