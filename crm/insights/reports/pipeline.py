"""The pipeline report: the funnel of the deals opened in the period, how long deals stay in
each stage, how old the open ones are, and each rep's win rate and average deal size.

- Funnel: of the deals opened in the period, how many got to each stage (their furthest stage
  in the history; a won deal got through every stage), and the share that went on from one
  stage to the next.
- Time in stage: stays that ended in the period (the deal moved on), averaged; and the open
  deals in each stage today with how long they have been there.
- Ageing: open deals today by days since they were opened, and how many are past their
  expected close.
- Win rate: won / (won + lost) of the deals closed in the period; average deal size: won
  amount / won deals.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.roles import Role
from crm.insights.reports import pipeline_queries as queries
from crm.insights.reports.base import (
    Context,
    Records,
    Report,
    Result,
    UnknownFigure,
    by_label,
    key_id,
    person_names,
    ref,
    split_key,
)
from crm.insights.reports.tables import ZERO, Chart, Column, Row, Table, money, ratio, series
from sales.models import Stage

WON = "won"


class PipelineReport(Report):
    slug = "pipeline"
    title = gettext_lazy("Pipeline")
    description = gettext_lazy(
        "The funnel by stage with the conversion between stages, the time deals spend in each stage, "
        "ageing deals, and each rep's win rate and average deal size."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team", "campaign")
    default_period = "this_quarter"

    def build(self, context: Context) -> Result:
        stages = list(
            Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order", "pk")
        )
        reached, stays = queries.from_history(context)
        funnel, chart = self._funnel(context, stages, reached)
        open_rows = queries.open_deals(context, timezone.now(), context.today)
        return Result(
            tables=[
                funnel,
                self._time_in_stage(context, stages, stays, open_rows),
                self._ageing(context, open_rows),
                self._win_rates(context),
            ],
            chart=chart,
        )

    # --- funnel -------------------------------------------------------------------------

    def _funnel(self, context: Context, stages: list[Stage], rows: list[dict]) -> tuple[Table, Chart]:
        links = context.links
        opened = sum(row["deals"] for row in rows)
        won = sum(row["deals"] for row in rows if row["stage__is_won"])
        lost = sum(row["deals"] for row in rows if row["stage__is_lost"])
        counts = [
            (
                str(stage),
                f"stage:{stage.pk}",
                won
                + sum(
                    row["deals"]
                    for row in rows
                    if not row["stage__is_won"] and row["furthest"] >= stage.order
                ),
            )
            for stage in stages
        ]
        counts.append((_("Won"), f"stage:{WON}", won))
        table = Table(
            key="funnel",
            title=_("Funnel of the deals opened in the period"),
            label=_("Stage"),
            columns=[
                Column("deals", _("Deals that got there")),
                Column("share", _("Of those opened"), "percent"),
                Column("conversion", _("From the stage before"), "percent"),
            ],
            empty_text=_("No deals were opened in this period."),
        )
        if opened:
            before = None
            for label, key, count in counts:
                values = {
                    "deals": count,
                    "share": ratio(count, opened),
                    "conversion": ratio(count, before) if before is not None else None,
                }
                table.rows.append(
                    Row(
                        label,
                        table.cells_for(values, lambda _c, k=key, n=count: links("reached", k) if n else ""),
                    )
                )
                before = count
            table.total = Row(
                _("Opened"),
                table.cells_for(
                    {"deals": opened, "share": ratio(opened, opened)},
                    lambda column: links("opened") if column == "deals" else "",
                ),
            )
            table.note = _("%(lost)s of them were lost; %(open)s are still open.") % {
                "lost": lost,
                "open": opened - won - lost,
            }
        chart = Chart(
            kind="bar",
            labels=[label for label, _key, _count in counts] if opened else [],
            datasets=[
                series(_("Deals that got there"), [count for _l, _k, count in counts] if opened else [])
            ],
            horizontal=True,
            money=False,
            label=_("Funnel of the deals opened in the period"),
        )
        return table, chart

    # --- time in stage ------------------------------------------------------------------

    def _time_in_stage(
        self, context: Context, stages: list[Stage], stays: dict, open_rows: list[dict]
    ) -> Table:
        links = context.links
        per_stage: dict = {}
        for row in open_rows:
            deals, in_stage = per_stage.get(row["stage_id"], (0, None))
            per_stage[row["stage_id"]] = (deals + row["deals"], _plus(in_stage, row["in_stage"]))
        table = Table(
            key="time_in_stage",
            title=_("Time in stage"),
            label=_("Stage"),
            columns=[
                Column("stays", _("Stays ended in the period")),
                Column("days", _("Average days"), "days"),
                Column("open", _("Open deals in it today")),
                Column("open_days", _("Their average days so far"), "days"),
            ],
        )
        for stage in stages:
            count, days = stays.get(stage.pk, (0, None))
            open_count, in_stage = per_stage.get(stage.pk, (0, None))
            values = {
                "stays": count,
                "days": Decimal(days).quantize(Decimal("0.1")) if days is not None else None,
                "open": open_count,
                "open_days": _average_days(in_stage, open_count),
            }
            key = f"stage:{stage.pk}"

            def link(column: str, key=key, values=values) -> str:
                if column in ("stays", "days"):
                    return links("stays", key) if values["stays"] else ""
                return links("open_in_stage", key) if values["open"] else ""

            table.rows.append(Row(str(stage), table.cells_for(values, link)))
        return table

    # --- ageing -------------------------------------------------------------------------

    def _ageing(self, context: Context, open_rows: list[dict]) -> Table:
        links = context.links
        rows: dict[int, dict] = {}
        for row in open_rows:
            bucket = rows.setdefault(row["age"], {"deals": 0, "amount": ZERO, "overdue": 0})
            bucket["deals"] += row["deals"]
            bucket["amount"] += money(row["amount"])
            bucket["overdue"] += row["overdue"]
        table = Table(
            key="ageing",
            title=_("Open deals by age"),
            label=_("Days since opened"),
            columns=[
                Column("deals", _("Open deals")),
                Column("amount", _("Amount"), "money"),
                Column("overdue", _("Past their expected close")),
            ],
            note=_("Today, whatever the period."),
        )
        totals = {"deals": 0, "amount": ZERO, "overdue": 0}
        for index, (first, last) in enumerate(queries.AGES):
            row = rows.get(index, {"deals": 0, "amount": None, "overdue": 0})
            values = {"deals": row["deals"], "amount": money(row["amount"]), "overdue": row["overdue"]}
            label = f"{first}–{last}" if last is not None else _("%(days)s or more") % {"days": first}
            key = f"age:{index}"

            def link(column: str, key=key, values=values) -> str:
                if not values[column]:
                    return ""
                return links("ageing_overdue" if column == "overdue" else "ageing", key)

            table.rows.append(Row(label, table.cells_for(values, link)))
            for name in totals:
                totals[name] += values[name]
        table.total = Row(
            _("Total"),
            table.cells_for(
                totals,
                lambda column: (
                    links("ageing_overdue" if column == "overdue" else "ageing") if totals[column] else ""
                ),
            ),
        )
        return table

    # --- win rates ----------------------------------------------------------------------

    def _win_rates(self, context: Context) -> Table:
        links = context.links
        rates = queries.win_rates(context)
        people = person_names(rates)
        table = Table(
            key="win_rate",
            title=_("Win rate and deal size per rep"),
            label=_("Rep"),
            columns=[
                Column("won", _("Won")),
                Column("lost", _("Lost")),
                Column("win_rate", _("Win rate"), "percent"),
                Column("won_amount", _("Won amount"), "money"),
                Column("average", _("Average deal size"), "money"),
            ],
            empty_text=_("No deals were closed in this period."),
        )
        totals = {"won": 0, "lost": 0, "won_amount": None}
        for owner_id in by_label(rates, {key: str(person) for key, person in people.items()}):
            row = rates[owner_id]
            table.rows.append(
                self._rate_row(table, str(people[owner_id]), f"rep:{ref(owner_id)}", row, links)
            )
            totals["won"] += row["won"]
            totals["lost"] += row["lost"]
            totals["won_amount"] = money(totals["won_amount"]) + money(row["won_amount"])
        table.total = self._rate_row(table, _("Total"), "", totals, links)
        return table

    @staticmethod
    def _rate_row(table: Table, label: str, key: str, row: dict, links) -> Row:
        amount = money(row["won_amount"])
        values = {
            "won": row["won"],
            "lost": row["lost"],
            "win_rate": ratio(row["won"], row["won"] + row["lost"]),
            "won_amount": amount,
            "average": (amount / row["won"]).quantize(Decimal("0.01")) if row["won"] else None,
        }
        measures = {"won": "won", "lost": "lost", "win_rate": "closed", "won_amount": "won", "average": "won"}

        def link(column: str) -> str:
            measure = measures[column]
            count = (
                row["lost"]
                if measure == "lost"
                else row["won"] + row["lost"]
                if measure == "closed"
                else row["won"]
            )
            return links(measure, key) if count else ""

        return Row(label, table.cells_for(values, link))

    # --- drill-down ---------------------------------------------------------------------

    def records(self, context: Context, measure: str, key: str) -> Records:
        kind, value = split_key(key)
        if measure in ("opened", "reached"):
            cohort = queries.created_in_period(context)
            if measure == "opened":
                return Records("opportunities", cohort, _("Deals opened in the period"))
            if kind != "stage":
                raise UnknownFigure(key)
            if value == WON:
                return Records("opportunities", cohort.filter(stage__is_won=True), _("Deals opened and won"))
            stage = Stage.objects.filter(pk=key_id(value)).first()
            if stage is None:
                raise UnknownFigure(key)
            return Records(
                "opportunities",
                queries.reached(cohort, stage.order),
                _("Deals opened in the period that got to %(stage)s") % {"stage": stage},
            )
        if measure in ("stays", "open_in_stage"):
            if kind != "stage":
                raise UnknownFigure(key)
            stage_id = key_id(value)
            if measure == "stays":
                return Records(
                    "opportunities",
                    queries.opportunities_with_stays(context, stage_id),
                    _("Deals that moved on"),
                )
            return Records(
                "opportunities", queries.open_now(context).filter(stage_id=stage_id), _("Open deals")
            )
        if measure in ("ageing", "ageing_overdue"):
            deals = queries.open_now(context)
            if kind == "age":
                index = key_id(value)
                if index is None or index >= len(queries.AGES):
                    raise UnknownFigure(key)
                deals = deals.annotate(age=queries.age_bucket(timezone.now())).filter(age=index)
            elif kind:
                raise UnknownFigure(key)
            if measure == "ageing_overdue":
                deals = deals.filter(expected_close_date__lt=context.today)
            return Records("opportunities", deals, _("Open deals"))
        if measure in ("won", "lost", "closed"):
            deals = queries.closed_in_period(context)
            deals = {
                "won": deals.filter(stage__is_won=True),
                "lost": deals.filter(stage__is_lost=True),
                "closed": deals.filter(stage__is_won=True) | deals.filter(stage__is_lost=True),
            }[measure]
            if kind == "rep":
                deals = deals.filter(owner_id=key_id(value))
            elif kind:
                raise UnknownFigure(key)
            return Records("opportunities", deals, _("Deals closed in the period"))
        raise UnknownFigure(measure)


def _plus(total, more):
    return more if total is None else total + more


def _average_days(total, count: int) -> Decimal | None:
    if total is None or not count:
        return None
    return Decimal(total.total_seconds() / 86400 / count).quantize(Decimal("0.1"))
