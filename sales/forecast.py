"""The managers' forecast: pipeline, weighted and won amounts per month, rep and team.

Every figure comes from one aggregate query grouped by team, owner and month; Python only
arranges the grouped rows (a few per rep and month) into a table, never the opportunities.

- Pipeline: the amount of open opportunities, by month of expected close. Open ones whose
  expected close is before the current month are counted as overdue, so that a deal that
  slipped stays in sight instead of dropping out of the forecast.
- Weighted: the same opportunities' amount × probability / 100, exact in Decimal.
- Won: the amount of opportunities in a won stage, by the month they were closed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.formats import date_format, get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import Team, User
from sales.history import remembered
from sales.models import Opportunity

ZERO = Decimal(0)
CENTS = Decimal("0.01")
DEFAULT_QUARTERS = 2
NO_TEAM = "none"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONEY = DecimalField(max_digits=20, decimal_places=2)

IS_OPEN = Q(stage__is_won=False, stage__is_lost=False)
IS_WON = Q(stage__is_won=True)
MEASURES = [
    ("pipeline", gettext_lazy("Pipeline")),
    ("weighted", gettext_lazy("Weighted")),
    ("won", gettext_lazy("Won")),
]


# --- months -----------------------------------------------------------------------------


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` as the first day of that month; None when it is not a month."""
    match = MONTH.match(value or "")
    # The year stops short of 9999 so that the month after it is still a date.
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[1]) < 9999:
        return None
    return date(int(match[1]), int(match[2]), 1)


def forecast_window(today: date, quarters: int) -> tuple[date, date]:
    """From the first day of ``today``'s month to the end of the ``quarters``-th calendar
    quarter after the current one (returned as the first day after it, excluded)."""
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return today.replace(day=1), add_months(quarter_start, 3 * (quarters + 1))


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    won: Decimal = ZERO
    open_count: int = 0
    won_count: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            pipeline=self.pipeline + other.pipeline,
            weighted=self.weighted + other.weighted,
            won=self.won + other.won,
            open_count=self.open_count + other.open_count,
            won_count=self.won_count + other.won_count,
        )


def add_up(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


def _money(value) -> Decimal:
    # SQLite keeps decimals as floats: rounding sums to the cent makes both databases agree.
    return ZERO if value is None else Decimal(value).quantize(CENTS)


@dataclass(frozen=True)
class Period:
    """A column of the forecast: the overdue open deals (``month`` None), or one month."""

    key: str  # "overdue" or "YYYY-MM"
    month: date | None

    @property
    def label(self) -> str:
        return _("Overdue") if self.month is None else date_format(self.month, "YEAR_MONTH_FORMAT")

    @property
    def short_label(self) -> str:
        return _("Overdue") if self.month is None else date_format(self.month, "M Y")


@dataclass
class Line:
    """A row of the table: one rep on one team, a team's subtotal, or the grand total."""

    kind: str  # "rep", "team" or "total"
    label: str
    cells: list[Figures]
    params: dict[str, str] = field(default_factory=dict)  # narrows the drill-down to this row

    @property
    def total(self) -> Figures:
        return add_up(self.cells)


@dataclass
class TeamGroup:
    subtotal: Line
    reps: list[Line]


@dataclass
class Forecast:
    start: date
    end: date  # excluded
    periods: list[Period]
    groups: list[TeamGroup]
    total: Line

    @property
    def last_month(self) -> date:
        return add_months(self.end, -1)

    def lines(self) -> list[Line]:
        """Every row in display order: each team's reps, then its subtotal; the total last."""
        rows: list[Line] = []
        for group in self.groups:
            rows += [*group.reps, group.subtotal]
        return [*rows, self.total]

    def chart_data(self) -> dict:
        """The months' totals as plain numbers (no separators), for the chart's JSON."""
        months = [
            (period, figures)
            for period, figures in zip(self.periods, self.total.cells, strict=True)
            if period.month is not None
        ]
        return {
            "labels": [period.short_label for period, _figures in months],
            "datasets": [
                {
                    "key": key,
                    "label": str(label),
                    "data": [float(getattr(figures, key)) for _p, figures in months],
                }
                for key, label in MEASURES
            ],
        }


def _column(field_name: str, months: list[date]) -> Case:
    """The column (1 for the first month) of the date in ``field_name``, by comparing it with
    each month's end: plain date comparisons, the same on every database and cheaper than
    extracting the year and month of every row."""
    return Case(
        *(
            When(**{f"{field_name}__lt": add_months(month, 1)}, then=Value(index))
            for index, month in enumerate(months, start=1)
        ),
        output_field=IntegerField(),
    )


def grouped_figures(opportunities: QuerySet, *, months: list[date]) -> QuerySet:
    """One row per (team, owner, column) with the amounts and counts, in a single query.

    ``column`` is 0 for open opportunities expected before the first of ``months``
    (overdue), else 1 + the index of the month in ``months``.
    """
    start, end = months[0], add_months(months[-1], 1)
    is_open = IS_OPEN & Q(expected_close_date__lt=end)
    is_won = IS_WON & Q(closed_on__gte=start, closed_on__lt=end)
    column = Case(
        When(IS_WON, then=_column("closed_on", months)),
        When(expected_close_date__lt=start, then=Value(0)),
        default=_column("expected_close_date", months),
        output_field=IntegerField(),
    )
    return (
        opportunities.filter(is_open | is_won)
        .annotate(column=column)
        # Ids only: joining the names in would widen every grouped row (the sort took 3× longer).
        .values("column", "team_id", "owner_id")
        .annotate(
            pipeline=Sum("amount", filter=IS_OPEN, output_field=MONEY),
            # amount × probability keeps two decimals; dividing by 100 afterwards stays exact.
            weighted_x100=Sum(F("amount") * F("probability"), filter=IS_OPEN, output_field=MONEY),
            won=Sum("amount", filter=IS_WON, output_field=MONEY),
            open_count=Count("pk", filter=IS_OPEN),
            won_count=Count("pk", filter=IS_WON),
        )
        .order_by()
    )


def remembered_figures(opportunities: QuerySet, *, months: list[date]) -> list[dict]:
    """``grouped_figures`` of deals filtered on their own columns only, remembered until a
    deal, a stage change or a stage changes (``sales.history.pipeline_history``).

    The grouped query was most of the forecast's time. The deals' SQL (the viewer's scope and
    the filters) and the months (so a new month asks anew) name the cached rows: cheaper to
    write than the grouped query's SQL.
    """
    return remembered(
        "forecast",
        opportunities,
        lambda: list(grouped_figures(opportunities, months=months)),
        extra=tuple(months),
    )


def _names(rows: list[dict]) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the teams and owners in ``rows``: two small queries, skipped when empty."""
    team_ids = {row["team_id"] for row in rows} - {None}
    owner_ids = {row["owner_id"] for row in rows}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    owners = (
        {
            pk: f"{first_name} {last_name}".strip() or username
            for pk, first_name, last_name, username in User.objects.filter(pk__in=owner_ids).values_list(
                "pk", "first_name", "last_name", "username"
            )
        }
        if owner_ids
        else {}
    )
    return teams, owners


def _params(*, team: int | str | None, owner: int | None) -> dict[str, str]:
    params = {}
    if team is not None:
        params["team"] = str(team)
    if owner is not None:
        params["owner"] = str(owner)
    return params


def build_forecast(
    *,
    user: User,
    today: date,
    quarters: int = DEFAULT_QUARTERS,
    team: Team | None = None,
    owner: User | None = None,
) -> Forecast:
    start, end = forecast_window(today, quarters)
    periods = [Period("overdue", None)]
    month = start
    while month < end:
        periods.append(Period(month_key(month), month))
        month = add_months(month, 1)
    empty = [Figures()] * len(periods)

    opportunities = Opportunity.objects.visible_to(user)
    if team is not None:
        opportunities = opportunities.filter(team=team)
    if owner is not None:
        opportunities = opportunities.filter(owner=owner)
    owner_id = owner.pk if owner is not None else None

    rows = remembered_figures(opportunities, months=[period.month for period in periods[1:]])
    team_names, owner_names = _names(rows)
    teams: dict[int | None, tuple[str, dict[int, Line]]] = {}
    for row in rows:
        team_name = team_names.get(row["team_id"]) or _("No team")
        _name, reps = teams.setdefault(row["team_id"], (team_name, {}))
        line = reps.get(row["owner_id"])
        if line is None:
            params = _params(team=row["team_id"] or NO_TEAM, owner=row["owner_id"])
            line = reps[row["owner_id"]] = Line("rep", owner_names[row["owner_id"]], list(empty), params)
        figures = Figures(
            pipeline=_money(row["pipeline"]),
            weighted=_money(row["weighted_x100"]) / 100,
            won=_money(row["won"]),
            open_count=row["open_count"],
            won_count=row["won_count"],
        )
        line.cells[row["column"]] += figures

    groups = []
    # Teams by name with "no team" last; reps by name within their team.
    for team_id, (team_name, reps) in sorted(
        teams.items(), key=lambda item: (item[0] is None, item[1][0].casefold())
    ):
        rep_lines = sorted(reps.values(), key=lambda line: line.label.casefold())
        subtotal = Line(
            "team",
            team_name,
            [add_up(cells) for cells in zip(*(line.cells for line in rep_lines), strict=True)],
            _params(team=team_id or NO_TEAM, owner=owner_id),
        )
        groups.append(TeamGroup(subtotal=subtotal, reps=rep_lines))
    grand_cells = [add_up(cells) for cells in zip(*(group.subtotal.cells for group in groups), strict=True)]
    grand = Line(
        "total",
        _("Total"),
        grand_cells or list(empty),
        _params(team=team.pk if team is not None else None, owner=owner_id),
    )
    return Forecast(start=start, end=end, periods=periods, groups=groups, total=grand)


# --- the table as shown and exported ----------------------------------------------------


def money_formatter() -> Callable[[Decimal], str]:
    """Whole amounts with the active language's thousands separator (like floatformat:"0g",
    which is too slow for a table of a thousand cells)."""
    separator = get_format("THOUSAND_SEPARATOR")

    def format_money(value: Decimal) -> str:
        return f"{value.quantize(Decimal(1), ROUND_HALF_UP):,f}".replace(",", separator)

    return format_money


@dataclass(frozen=True)
class Cell:
    value: Decimal
    text: str
    count: int
    url: str  # the drill-down; empty when no opportunity is behind the figure

    @property
    def html(self) -> SafeString:
        # Written here rather than in the template: a wide table has a thousand cells.
        if self.url:
            return format_html('<a href="{}">{}</a>', self.url, self.text)
        return escape(self.text)


class DrillDown:
    """Links to the opportunities behind each figure (parameters of ``DrillDownForm``)."""

    def __init__(self, forecast: Forecast, url: str):
        self.url = url
        start, last = month_key(forecast.start), month_key(forecast.last_month)
        before = month_key(add_months(forecast.start, -1))
        self.open_periods = {"overdue": f"until={before}", "total": f"until={last}"}
        self.won_periods = {"total": f"since={start}&until={last}"}

    def link(self, measure: str, period_key: str, line: Line) -> str:
        kind = "won" if measure == "won" else "open"
        periods = self.won_periods if kind == "won" else self.open_periods
        if period_key in periods:
            period = periods[period_key]
        elif period_key == "overdue":
            return ""  # nothing is won before it closes
        else:
            period = f"since={period_key}&until={period_key}"
        params = "".join(f"&{name}={value}" for name, value in line.params.items())
        return f"{self.url}?kind={kind}&{period}{params}"


def cell(figures: Figures, measure: str, url: str, format_money: Callable[[Decimal], str]) -> Cell:
    value = getattr(figures, measure)
    count = figures.won_count if measure == "won" else figures.open_count
    return Cell(value, format_money(value), count, url if count else "")


def measure_rows(forecast: Forecast, measure: str, *, detail_url: str) -> list[tuple[Line, list[Cell]]]:
    """Each line of the table with its cells for one measure, the total column last."""
    format_money, links = money_formatter(), DrillDown(forecast, detail_url)
    keys = [period.key for period in forecast.periods] + ["total"]
    return [
        (
            line,
            [
                cell(figures, measure, links.link(measure, key, line), format_money)
                for key, figures in zip(keys, [*line.cells, line.total], strict=True)
            ],
        )
        for line in forecast.lines()
    ]


def month_rows(forecast: Forecast, *, detail_url: str) -> list[tuple[str, list[Cell]]]:
    """The totals per period (and altogether), each with its pipeline, weighted and won cells."""
    format_money, links = money_formatter(), DrillDown(forecast, detail_url)
    line = forecast.total
    rows = [
        (period.label, period.key, figures)
        for period, figures in zip(forecast.periods, line.cells, strict=True)
    ]
    rows.append((_("Total"), "total", line.total))
    return [
        (
            label,
            [
                cell(figures, measure, links.link(measure, key, line), format_money)
                for measure, _l in MEASURES
            ],
        )
        for label, key, figures in rows
    ]


def _csv_values(line: Line) -> list[Decimal]:
    values = []
    for figures in [*line.cells, line.total]:
        values += [figures.pipeline, figures.weighted, figures.won]
    return values


def csv_rows(forecast: Forecast) -> Iterable[list]:
    """The table for a spreadsheet: per row, each period's pipeline, weighted and won, then the totals."""
    header = [_("Team"), _("Rep")]
    names = [_("Overdue") if period.month is None else period.key for period in forecast.periods]
    for name in [*names, _("Total")]:
        header += [f"{name} {label}" for _key, label in MEASURES]
    yield header
    for group in forecast.groups:
        for line in group.reps:
            yield [group.subtotal.label, line.label, *_csv_values(line)]
        yield [group.subtotal.label, _("All reps"), *_csv_values(group.subtotal)]
    yield [_("Total"), "", *_csv_values(forecast.total)]


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal
    weighted: Decimal


def totals_of(opportunities: QuerySet) -> Totals:
    row = opportunities.aggregate(
        count=Count("pk"),
        total_amount=Sum("amount", output_field=MONEY),
        weighted_x100=Sum(F("amount") * F("probability"), output_field=MONEY),
    )
    return Totals(row["count"], _money(row["total_amount"]), _money(row["weighted_x100"]) / 100)
