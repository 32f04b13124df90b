"""Speed figures of the reports for ``make bench``: every report page, a heavier variant of
each, a drill-down and an export, timed in-process as a rep and as a manager who sees all.

The forecast accuracy report needs frozen months: the bench freezes the last twelve from the
pipeline it has (the figures are for timing, not for reading).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import User
from crm.insights.bench import BenchError, Timing, goal_verdict, logged_in_client, measure
from crm.insights.reports.models import ForecastLine, ForecastSnapshot
from crm.insights.reports.periods import add_months, month_of
from crm.insights.reports.snapshots import take_forecast_snapshot

GOAL_P50_MS = 100.0
FROZEN_MONTHS = 12
USERS = ("ventas", "gerente")  # a sales rep, and a manager without a team (sees everyone)


def _page(slug: str, **params) -> str:
    url = reverse("insights:reports:report", args=[slug])
    return f"{url}?{urlencode(params)}" if params else url


def _records(slug: str, **params) -> str:
    return f"{reverse('insights:reports:records', args=[slug])}?{urlencode(params)}"


PAGES = [
    ("Sales, this quarter, per rep", _page("sales")),
    ("Sales, this year, per product", _page("sales", period="this_year", group="product")),
    ("Sales, last 12 months, per month", _page("sales", period="last_12_months", group="month")),
    ("Sales, drill-down: won this year", _records("sales", period="this_year", measure="won")),
    (
        "Sales, XLSX export, this year",
        reverse("insights:reports:export_xlsx", args=["sales"]) + "?period=this_year",
    ),
    ("Forecast accuracy, this year, per rep", _page("forecast-accuracy")),
    (
        "Forecast accuracy, last 12 months, per team",
        _page("forecast-accuracy", period="last_12_months", group="team"),
    ),
    (
        "Forecast accuracy, drill-down: frozen deals",
        _records("forecast-accuracy", period="this_year", measure="forecast"),
    ),
    ("Activity, this month, per week", _page("activity")),
    ("Activity, this quarter, per day", _page("activity", period="this_quarter", granularity="day")),
    ("Activity, last 12 months, per month", _page("activity", period="last_12_months", granularity="month")),
    ("Activity, drill-down: calls this year", _records("activity", period="this_year", measure="call")),
    ("Pipeline, this quarter", _page("pipeline")),
    ("Pipeline, this year", _page("pipeline", period="this_year")),
    ("Pipeline, drill-down: open deals 31-60 days", _records("pipeline", measure="ageing", key="age:1")),
]


@dataclass
class Frozen:
    created: int
    snapshots: int
    lines: int
    seconds: float


def ensure_frozen_months() -> Frozen:
    """A snapshot for each of the last ``FROZEN_MONTHS`` months and this one (taken once)."""
    this_month = month_of(timezone.localdate())
    months = [add_months(this_month, -back) for back in range(FROZEN_MONTHS, -1, -1)]
    existing = set(ForecastSnapshot.objects.filter(month__in=months).values_list("month", flat=True))
    started = time.perf_counter()
    for month in months:
        if month not in existing:
            take_forecast_snapshot(month=month)
    return Frozen(
        created=len(months) - len(existing),
        snapshots=ForecastSnapshot.objects.count(),
        lines=ForecastLine.objects.count(),
        seconds=time.perf_counter() - started,
    )


def timings(*, requests: int, warmup: int):
    """(page label, username, Timing or an error message) for every page and user."""
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise BenchError(f"No user {username}: run seed_demo first.")
        client = logged_in_client(user)
        for label, url in PAGES:
            try:
                yield label, username, measure(client, url, requests=requests, warmup=warmup, cold=True)
            except BenchError as error:
                yield label, username, str(error)


def print_report_timings(say: Callable[[str], None], *, requests: int, warmup: int) -> None:
    # A fresh checkout has no collectstatic manifest; {% static %} costs the same either way.
    static_files = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=static_files):
        _print_timings(say, requests=requests, warmup=warmup)


def _print_timings(say: Callable[[str], None], *, requests: int, warmup: int) -> None:
    frozen = ensure_frozen_months()
    say("")
    say(
        f"Reports: {frozen.snapshots} frozen months ({frozen.lines:,} deals; {frozen.created} frozen now "
        f"in {frozen.seconds:.1f} s). Server time per page, {requests} requests after {warmup} warm-ups "
        f"(goal: p50 < {GOAL_P50_MS:.0f} ms)"
    )
    header = (
        f"{'page':<52} {'as':<8} {'p50 ms':>7} {'p95 ms':>7} {'cold ms':>7} "
        f"{'pages/s':>8} {'queries':>7}  goal"
    )
    say(header)
    say("-" * len(header))
    for label, username, timing in timings(requests=requests, warmup=warmup):
        if not isinstance(timing, Timing):
            say(f"{label:<52} {username:<8} {timing}")
            continue
        verdict = goal_verdict(timing, GOAL_P50_MS)
        say(
            f"{label:<52} {username:<8} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
            f"{timing.cold_p50_ms or 0:>7.1f} "
            f"{timing.pages_per_second:>8.0f} {timing.queries:>7}  {verdict}"
        )
