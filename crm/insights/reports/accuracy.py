"""Forecast accuracy: once a month is over, the forecast frozen when it began against what
was won in it, per month and per rep (or team), and how well each stage's probability
predicted the outcome.

- A month counts when it is over and its forecast was frozen (``snapshots``).
- Forecast: the frozen deals expected to close in that same month, amount × probability.
- Won: every deal won in the month, forecast or not (a deal opened mid-month counts).
- Error: won − forecast; error % = |error| / forecast.
- Calibration: of the frozen deals of each stage, the share won within their month, against
  the probability they were given. The Brier score is the mean of (probability − outcome)²:
  0 is perfect, and always saying 50 % scores 0.25.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.roles import Role
from crm.insights.reports import common
from crm.insights.reports.base import (
    Context,
    Records,
    Report,
    Result,
    UnknownFigure,
    by_label,
    key_date,
    key_id,
    person_names,
    ref,
    split_key,
    team_names,
)
from crm.insights.reports.models import ForecastLine, ForecastSnapshot
from crm.insights.reports.periods import add_months, month_of
from crm.insights.reports.tables import ZERO, Chart, Column, Row, Table, money, ratio, series
from sales.models import Stage

WON_IN_MONTH = Q(opportunity__stage__is_won=True, closed_month=F("close_month"))
GROUP_FIELDS = {"rep": "owner_id", "team": "team_id"}


def frozen_months(context: Context) -> tuple[dict[date, ForecastSnapshot], list[date]]:
    """The period's months that are over and have a snapshot; and those that are over without one."""
    current = month_of(context.today)
    over = [month for month in context.filters.period.months() if month < current]
    snapshots = {snapshot.month: snapshot for snapshot in ForecastSnapshot.objects.filter(month__in=over)}
    return snapshots, [month for month in over if month not in snapshots]


def frozen_lines(context: Context, months) -> QuerySet:
    """The frozen deals each month expected to close within it, narrowed like every report."""
    filters = context.filters
    lines = ForecastLine.objects.filter(snapshot__month__in=list(months), close_month=F("snapshot__month"))
    lines = context.scope.apply(lines.order_by(), owner="owner", team="team")
    if filters.rep:
        lines = lines.filter(owner=filters.rep)
    if filters.team:
        lines = lines.filter(team=filters.team)
    return lines.annotate(closed_month=TruncMonth("opportunity__closed_on"))


def won_in(context: Context, months) -> QuerySet:
    """Deals won within any of ``months``."""
    within = Q(pk__in=[])
    for month in months:
        within |= Q(closed_on__gte=month, closed_on__lt=add_months(month, 1))
    return common.opportunities(context).filter(within, stage__is_won=True)


def _forecast_rows(lines: QuerySet, group_field: str) -> dict:
    rows = lines.values("close_month", group_field).annotate(
        deals=Count("pk"), weighted_x100=Sum(common.WEIGHTED_X100, output_field=common.MONEY)
    )
    return {
        (row["close_month"], row[group_field]): (row["deals"], money(row["weighted_x100"]) / 100)
        for row in rows
    }


def _won_rows(won: QuerySet, group_field: str) -> dict:
    rows = (
        won.annotate(month=TruncMonth("closed_on"))
        .values("month", group_field)
        .annotate(deals=Count("pk"), amount=Sum("amount"))
    )
    return {(row["month"], row[group_field]): (row["deals"], money(row["amount"])) for row in rows}


def _add(figures: dict, key, deals: int, amount: Decimal) -> None:
    old_deals, old_amount = figures.get(key, (0, ZERO))
    figures[key] = (old_deals + deals, old_amount + amount)


def calibration(lines: QuerySet) -> list[dict]:
    """Per stage frozen: deals, mean probability, deals won in their month, amounts, Brier sum."""
    outcome = Case(When(WON_IN_MONTH, then=Value(1)), default=Value(0), output_field=IntegerField())
    return list(
        lines.annotate(outcome=outcome)
        .values("stage_id")
        .annotate(
            deals=Count("pk"),
            mean_probability=Avg("probability"),
            won=Sum("outcome"),
            weighted_x100=Sum(common.WEIGHTED_X100, output_field=common.MONEY),
            won_amount=Sum("amount", filter=WON_IN_MONTH),
            # (p − o)² in hundredths squared: p² − 2·p·o·100 + o·10000, summed then scaled once.
            brier_x10000=Sum(
                F("probability") * F("probability")
                - 200 * F("probability") * F("outcome")
                + 10000 * F("outcome")
            ),
        )
    )


class ForecastAccuracyReport(Report):
    slug = "forecast-accuracy"
    title = gettext_lazy("Forecast accuracy")
    description = gettext_lazy(
        "Once a month is over: the forecast frozen when it began against what was won, the error per rep, "
        "and how well each stage's probability predicted the outcome."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team")
    groupings = [("rep", gettext_lazy("Rep")), ("team", gettext_lazy("Team"))]
    default_period = "this_year"

    def columns(self) -> list[Column]:
        return [
            Column("forecast_deals", _("Deals forecast")),
            Column("forecast", _("Forecast (weighted)"), "money"),
            Column("won_deals", _("Deals won")),
            Column("won", _("Won amount"), "money"),
            Column("error", _("Error (won − forecast)"), "money"),
            Column("error_percent", _("Error vs forecast (%)"), "percent"),
        ]

    def _row(self, table: Table, label: str, key: str, forecast: tuple, won: tuple, links) -> Row:
        error = won[1] - forecast[1]
        values = {
            "forecast_deals": forecast[0],
            "forecast": forecast[1],
            "won_deals": won[0],
            "won": won[1],
            "error": error,
            "error_percent": ratio(abs(error), forecast[1]),
        }

        def link(column: str) -> str:
            if column.startswith("won"):
                return links("won", key) if won[0] else ""
            return links("forecast", key) if forecast[0] else ""

        return Row(label, table.cells_for(values, link))

    def build(self, context: Context) -> Result:
        links = context.links
        group = context.filters.group
        group_field = GROUP_FIELDS[group]
        snapshots, missing = frozen_months(context)
        months = sorted(snapshots)
        lines = frozen_lines(context, months)
        forecast = _forecast_rows(lines, group_field) if months else {}
        won = _won_rows(won_in(context, months), group_field) if months else {}

        per_month: dict = {}
        per_group: dict = {}
        forecast_month, forecast_group = {}, {}
        for (month, key), (deals, amount) in forecast.items():
            _add(forecast_month, month, deals, amount)
            _add(forecast_group, key, deals, amount)
        for (month, key), (deals, amount) in won.items():
            _add(per_month, month, deals, amount)
            _add(per_group, key, deals, amount)
        nothing = (0, ZERO)

        month_table = Table(
            key="months",
            title=_("Per month"),
            label=_("Month"),
            columns=self.columns(),
            empty_text=_("No month of this period is over with a frozen forecast."),
        )
        for month in months:
            month_table.rows.append(
                self._row(
                    month_table,
                    date_format(month, "YEAR_MONTH_FORMAT"),
                    f"month:{month.isoformat()}",
                    forecast_month.get(month, nothing),
                    per_month.get(month, nothing),
                    links,
                )
            )
        totals = (
            (
                sum(value[0] for value in forecast_month.values()),
                sum((v[1] for v in forecast_month.values()), ZERO),
            ),
            (sum(value[0] for value in per_month.values()), sum((v[1] for v in per_month.values()), ZERO)),
        )
        month_table.total = self._row(month_table, _("Total"), "", *totals, links)

        keys = set(forecast_group) | set(per_group)
        if group == "rep":
            people = person_names(keys)
            labels = {key: str(person) for key, person in people.items()}
        else:
            labels = team_names(keys)
        group_table = Table(
            key=group,
            title=_("Per rep") if group == "rep" else _("Per team"),
            label=str(dict(self.groupings)[group]),
            columns=self.columns(),
            empty_text=month_table.empty_text,
        )
        for key in by_label(keys, labels):
            group_table.rows.append(
                self._row(
                    group_table,
                    labels[key],
                    f"{group}:{ref(key)}",
                    forecast_group.get(key, nothing),
                    per_group.get(key, nothing),
                    links,
                )
            )
        group_table.total = self._row(group_table, _("Total"), "", *totals, links)

        stage_table, brier = self._calibration(lines if months else None, links)
        notes = []
        if missing:
            notes.append(
                _("No forecast was frozen when these months began, so they are left out: %(months)s.")
                % {"months": ", ".join(date_format(month, "YEAR_MONTH_FORMAT") for month in missing)}
            )
        if brier is not None:
            notes.append(
                _("Brier score of the probabilities: %(score)s (0 is perfect; always 50 %% scores 0.25).")
                % {"score": number_format(brier, 3)}
            )
        chart = Chart(
            kind="bar",
            labels=[date_format(month, "YEAR_MONTH_FORMAT") for month in months],
            datasets=[
                series(
                    _("Forecast (weighted)"),
                    [forecast_month.get(m, nothing)[1] for m in months],
                    key="forecast",
                ),
                series(_("Won amount"), [per_month.get(m, nothing)[1] for m in months], key="won"),
            ],
            label=_("Forecast against won, per month"),
        )
        return Result(tables=[month_table, group_table, stage_table], chart=chart, notes=notes)

    def _calibration(self, lines: QuerySet | None, links) -> tuple[Table, Decimal | None]:
        table = Table(
            key="calibration",
            title=_("Calibration per stage"),
            label=_("Stage when frozen"),
            columns=[
                Column("deals", _("Deals forecast")),
                Column("probability", _("Probability given"), "percent"),
                Column("won_deals", _("Deals won in their month")),
                Column("won_share", _("Share won"), "percent"),
                Column("difference", _("Won − given"), "points"),
                Column("forecast", _("Forecast (weighted)"), "money"),
                Column("won", _("Won amount"), "money"),
            ],
            empty_text=_("No frozen deal has had its month yet."),
        )
        rows = calibration(lines) if lines is not None else []
        stages = {stage.pk: stage for stage in Stage.objects.filter(pk__in=[row["stage_id"] for row in rows])}
        rows.sort(key=lambda row: (stages[row["stage_id"]].order, row["stage_id"]))
        total = {
            "deals": 0,
            "probability_sum": ZERO,
            "won": 0,
            "forecast": ZERO,
            "won_amount": ZERO,
            "brier": 0,
        }
        for row in rows:
            key = f"stage:{row['stage_id']}"
            self._calibration_row(table, str(stages[row["stage_id"]]), key, row, links)
            total["deals"] += row["deals"]
            total["probability_sum"] += Decimal(str(row["mean_probability"])) * row["deals"]
            total["won"] += row["won"]
            total["forecast"] += money(row["weighted_x100"]) / 100
            total["won_amount"] += money(row["won_amount"])
            total["brier"] += row["brier_x10000"]
        if not rows:
            table.total = None
            return table, None
        summary = {
            "deals": total["deals"],
            "mean_probability": total["probability_sum"] / total["deals"],
            "won": total["won"],
            "weighted_x100": total["forecast"] * 100,
            "won_amount": total["won_amount"],
        }
        self._calibration_row(table, _("All stages"), "", summary, links, total=True)
        brier = (Decimal(total["brier"]) / 10000 / total["deals"]).quantize(Decimal("0.001"))
        return table, brier

    @staticmethod
    def _calibration_row(
        table: Table, label: str, key: str, row: dict, links, *, total: bool = False
    ) -> None:
        probability = Decimal(str(row["mean_probability"])).quantize(Decimal("0.1"))
        won_share = ratio(row["won"], row["deals"])
        values = {
            "deals": row["deals"],
            "probability": probability,
            "won_deals": row["won"],
            "won_share": won_share,
            "difference": won_share - probability if won_share is not None else None,
            "forecast": money(row["weighted_x100"]) / 100,
            "won": money(row["won_amount"]),
        }

        def link(column: str) -> str:
            if column in ("won_deals", "won_share", "won"):
                return links("forecast_won", key) if row["won"] else ""
            return links("forecast", key)

        built = Row(label, table.cells_for(values, link))
        if total:
            table.total = built
        else:
            table.rows.append(built)

    def records(self, context: Context, measure: str, key: str) -> Records:
        snapshots, _missing = frozen_months(context)
        kind, value = split_key(key)
        if measure in ("forecast", "forecast_won"):
            lines = frozen_lines(context, sorted(snapshots))
            if kind == "stage":
                lines = lines.filter(stage_id=key_id(value))
            elif kind == "month":
                lines = lines.filter(close_month=month_of(key_date(value)))
            else:
                lines = common.narrow_to_key(lines, key, date_field="close_month")
            if measure == "forecast_won":
                return Records(
                    "forecast_lines", lines.filter(WON_IN_MONTH), _("Frozen deals won in their month")
                )
            return Records("forecast_lines", lines, _("Frozen forecast"))
        if measure == "won":
            won = won_in(context, sorted(snapshots))
            return Records(
                "opportunities",
                common.narrow_to_key(won, key, date_field="closed_on"),
                _("Won opportunities"),
            )
        raise UnknownFigure(measure)
