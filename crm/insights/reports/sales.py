"""The sales report: won deals and amounts per rep, team, product or month, against the
forecast frozen at the start of the period.

- Won: opportunities in a won stage whose close date falls in the period.
- Per product (or with a product chosen): the lines of the won deals' accepted quotes,
  after discount and before tax; a deal with several products counts once per product,
  and once in the total. Won deals without an accepted quote have a row of their own.
- Forecast: the snapshot taken when the period's first month began (see ``snapshots``),
  its open deals expected to close within the period; weighted = amount × probability.
  The snapshot knows no products, so there is no forecast per product.
"""

from __future__ import annotations

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
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
from crm.insights.reports.periods import month_of
from crm.insights.reports.tables import ZERO, Chart, Column, Row, Table, money, ratio, series
from sales.models import Product

GROUP_FIELDS = {"rep": "owner_id", "team": "team_id", "month": "closed_on"}


def won_opportunities(context: Context) -> QuerySet:
    period = context.filters.period
    won = common.opportunities(context).filter(
        stage__is_won=True, closed_on__gte=period.start, closed_on__lt=period.stop
    )
    if context.filters.product:
        won = won.filter(common.with_product(context.filters.product.pk))
    return won


def _group_expression(group: str, prefix: str = ""):
    if group == "month":
        return TruncMonth(f"{prefix}closed_on")
    return F(f"{prefix}{GROUP_FIELDS[group]}")


def won_by_group(context: Context, group: str) -> dict:
    """{group key: (deals, amount)} in one query."""
    won = won_opportunities(context)
    if group == "product" or context.filters.product:
        lines = common.accepted_lines().filter(quote__opportunity__in=won)
        if context.filters.product:
            lines = lines.filter(product=context.filters.product)
        key = F("product_id") if group == "product" else _group_expression(group, "quote__opportunity__")
        rows = (
            lines.annotate(group_key=key)
            .values("group_key")
            .annotate(
                deals=Count("quote__opportunity_id", distinct=True),
                amount_x100=Sum(common.LINE_AMOUNT_X100, output_field=common.MONEY),
            )
        )
        figures = {row["group_key"]: (row["deals"], money(row["amount_x100"]) / 100) for row in rows}
        if group == "product" and not context.filters.product:
            unquoted = won.filter(common.without_accepted_quote()).aggregate(
                deals=Count("pk"), amount=Sum("amount")
            )
            if unquoted["deals"]:
                figures[None] = (unquoted["deals"], money(unquoted["amount"]))
        return figures
    rows = (
        won.annotate(group_key=_group_expression(group))
        .values("group_key")
        .annotate(deals=Count("pk"), amount=Sum("amount"))
    )
    return {row["group_key"]: (row["deals"], money(row["amount"])) for row in rows}


def forecast_lines(context: Context, snapshot: ForecastSnapshot) -> QuerySet:
    """The snapshot's deals expected to close within the period, narrowed like the won ones."""
    filters = context.filters
    lines = ForecastLine.objects.filter(
        snapshot=snapshot,
        expected_close_date__gte=filters.period.start,
        expected_close_date__lt=filters.period.stop,
    ).order_by()
    lines = context.scope.apply(lines, owner="owner", team="team")
    if filters.rep:
        lines = lines.filter(owner=filters.rep)
    if filters.team:
        lines = lines.filter(team=filters.team)
    if filters.campaign:
        lines = lines.filter(opportunity__campaign=filters.campaign)
    return lines


def forecast_by_group(context: Context, snapshot: ForecastSnapshot, group: str) -> dict:
    """{group key: (weighted, pipeline)} in one query."""
    field = {"rep": "owner_id", "team": "team_id", "month": "close_month"}[group]
    rows = (
        forecast_lines(context, snapshot)
        .values(field)
        .annotate(
            pipeline=Sum("amount"),
            weighted_x100=Sum(common.WEIGHTED_X100, output_field=common.MONEY),
        )
    )
    return {row[field]: (money(row["weighted_x100"]) / 100, money(row["pipeline"])) for row in rows}


def period_snapshot(context: Context) -> ForecastSnapshot | None:
    return ForecastSnapshot.objects.filter(month=month_of(context.filters.period.start)).first()


def _labels(group: str, keys) -> tuple[list, dict]:
    """The rows' keys in display order, and their labels."""
    if group == "rep":
        people = person_names(keys)
        return by_label(keys, people), {key: str(person) for key, person in people.items()}
    if group == "team":
        names = team_names(keys)
        return by_label(keys, names), names
    if group == "product":
        names = {None: _("Not on an accepted quote")}
        names.update(
            (pk, f"{code} · {name}")
            for pk, code, name in Product.objects.filter(pk__in=[key for key in keys if key]).values_list(
                "pk", "code", "name"
            )
        )
        return by_label(keys, names), names
    return sorted(keys), {key: date_format(key, "YEAR_MONTH_FORMAT") for key in keys}


def _key(group: str, value) -> str:
    return f"{group}:{value.isoformat() if group == 'month' else ref(value)}"


class SalesReport(Report):
    slug = "sales"
    title = gettext_lazy("Sales")
    description = gettext_lazy(
        "Won deals and amounts per rep, team, product or month, against the forecast frozen at the start "
        "of the period."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team", "campaign", "product")
    groupings = [
        ("rep", gettext_lazy("Rep")),
        ("team", gettext_lazy("Team")),
        ("product", gettext_lazy("Product")),
        ("month", gettext_lazy("Month")),
    ]
    default_period = "this_quarter"

    def columns(self) -> list[Column]:
        return [
            Column("deals", _("Won deals")),
            Column("won", _("Won amount"), "money"),
            Column("forecast", _("Forecast (weighted)"), "money"),
            Column("pipeline", _("Pipeline at the start"), "money"),
            Column("attainment", _("Won / forecast"), "percent"),
            Column("gap", _("Won − forecast"), "money"),
        ]

    def build(self, context: Context) -> Result:
        group = context.filters.group
        won = won_by_group(context, group)
        notes = []
        snapshot = None if group == "product" or context.filters.product else period_snapshot(context)
        forecast = forecast_by_group(context, snapshot, group) if snapshot else {}
        if group == "product" or context.filters.product:
            notes.append(_("The frozen forecast knows no products: per product there is only what was won."))
        elif snapshot is None:
            notes.append(
                _("No forecast was frozen when %(month)s began, so there is nothing to compare with.")
                % {"month": date_format(month_of(context.filters.period.start), "YEAR_MONTH_FORMAT")}
            )
        else:
            notes.append(
                _("Forecast as frozen on %(when)s.")
                % {"when": date_format(snapshot.taken_at, "DATETIME_FORMAT")}
            )
        keys = set(won) | set(forecast)
        if group == "month":
            keys |= set(context.filters.period.months())
        ordered, labels = _labels(group, keys)
        table = Table(
            key="sales",
            title=str(self.title),
            label=str(dict(self.groupings)[group]),
            columns=self.columns(),
            empty_text=_("Nothing was won or forecast in this period."),
        )
        links = context.links
        has_forecast = snapshot is not None
        for key in ordered:
            deals, amount = won.get(key, (0, ZERO))
            weighted, pipeline = forecast.get(key, (ZERO, ZERO)) if has_forecast else (None, None)
            table.rows.append(
                Row(
                    labels[key],
                    table.cells_for(
                        self._figures(deals, amount, weighted, pipeline),
                        self._linker(links, _key(group, key), deals, weighted),
                    ),
                )
            )
        deals = sum(won.get(key, (0, ZERO))[0] for key in keys)
        if group == "product" or context.filters.product:
            deals = won_opportunities(context).count() if keys else 0
        amount = sum((won.get(key, (0, ZERO))[1] for key in keys), ZERO)
        weighted = sum((value[0] for value in forecast.values()), ZERO) if has_forecast else None
        pipeline = sum((value[1] for value in forecast.values()), ZERO) if has_forecast else None
        table.total = Row(
            _("Total"),
            table.cells_for(
                self._figures(deals, amount, weighted, pipeline), self._linker(links, "", deals, weighted)
            ),
        )
        chart = Chart(
            kind="bar",
            labels=[labels[key] for key in ordered],
            datasets=[series(_("Won amount"), [won.get(key, (0, ZERO))[1] for key in ordered], key="won")],
            label=_("Won amount against the forecast"),
        )
        if has_forecast:
            chart.datasets.append(
                series(
                    _("Forecast (weighted)"),
                    [forecast.get(key, (ZERO, ZERO))[0] for key in ordered],
                    kind="line",
                    key="forecast",
                )
            )
        return Result(tables=[table], chart=chart, notes=notes)

    @staticmethod
    def _figures(deals, amount, weighted, pipeline) -> dict:
        return {
            "deals": deals,
            "won": amount,
            "forecast": weighted,
            "pipeline": pipeline,
            "attainment": ratio(amount, weighted) if weighted is not None else None,
            "gap": amount - weighted if weighted is not None else None,
        }

    @staticmethod
    def _linker(links, key: str, deals: int, weighted):
        def link(column: str) -> str:
            if column in ("deals", "won", "attainment"):
                return links("won", key) if deals else ""
            return links("forecast", key) if weighted else ""

        return link

    def records(self, context: Context, measure: str, key: str) -> Records:
        kind, value = split_key(key)
        if measure == "won":
            won = won_opportunities(context)
            if kind == "product":
                product_id = key_id(value)
                won = won.filter(
                    common.with_product(product_id) if product_id else common.without_accepted_quote()
                )
            else:
                won = common.narrow_to_key(won, key, date_field="closed_on")
            return Records("opportunities", won, _("Won opportunities"))
        if measure == "forecast":
            snapshot = period_snapshot(context)
            if snapshot is None:
                return Records("forecast_lines", ForecastLine.objects.none(), _("Forecast"))
            lines = forecast_lines(context, snapshot)
            if kind == "month":
                lines = lines.filter(close_month=month_of(key_date(value)))
            elif kind:
                lines = common.narrow_to_key(lines, key, date_field="close_month")
            return Records(
                "forecast_lines",
                lines,
                _("Forecast as frozen on %(when)s")
                % {"when": date_format(snapshot.taken_at, "SHORT_DATETIME_FORMAT")},
            )
        raise UnknownFigure(measure)
