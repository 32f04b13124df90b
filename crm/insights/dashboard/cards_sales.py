"""Cards of the sales floor: my tasks, my pipeline, my customers overdue for a follow-up,
the team's pipeline, forecast against won, the activity league and the value segments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, F, Min, OuterRef, Prefetch, Q, Subquery, Sum, Window
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Activity, Customer, Task
from crm.accounts.roles import Role, has_role
from crm.insights.dashboard.board import Board, Card, register, total_cells
from crm.insights.reports import common, value
from crm.insights.reports.activity_queries import KINDS, work
from crm.insights.reports.base import by_label
from crm.insights.reports.registry import REPORTS
from crm.insights.reports.sales import SalesReport
from crm.insights.reports.tables import ZERO, Chart, money, series
from crm.insights.rfm.reports import current_snapshot, name_of, segment_names
from sales.models import Opportunity, Stage

EVERYONE = (
    Role.SALES_REP,
    Role.TELEMARKETER,
    Role.MARKETING,
    Role.SERVICE_AGENT,
    Role.ACCOUNTING,
    Role.MANAGER,
    Role.ADMIN,
)
SHOWN = 8  # rows a list card shows; the rest is behind its link


def _opportunity_list(**params) -> str:
    return f"{reverse('sales:opportunity_list')}?{urlencode({'status': 'open', **params})}"


def _pipeline_rows(opportunities, field: str) -> list[dict]:
    return list(
        opportunities.values(key=F(field))
        .annotate(
            deals=Count("pk"),
            total=Sum("amount"),
            weighted_x100=Sum(common.WEIGHTED_X100, output_field=common.MONEY),
        )
        .order_by()
    )


@register
class MyTasks(Card):
    slug = "my_tasks"
    title = gettext_lazy("My tasks due")
    description = gettext_lazy("Your open follow-up tasks, the most urgent first; overdue ones stand out.")
    roles = EVERYONE

    def figures(self, board: Board) -> dict:
        user, today = board.user, board.today
        # Assigned to the user: theirs to see on any customer (the assignee index answers).
        tasks = Task.objects.open().filter(assignee=user)
        counts = tasks.order_by().aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            due_today=Count("pk", filter=Q(due_date=today)),
        )
        # The first tasks, then their customers: joining first would read every customer's row.
        customers = Prefetch("customer", Customer.objects.defer("search_text", "notes"))
        listed = list(tasks.defer("notes").prefetch_related(customers)[:SHOWN])
        # A task may be on a customer of another team: it is listed, but linked only if it opens.
        openable = set(
            Customer.objects.visible_to(user)
            .filter(pk__in=[task.customer_id for task in listed])
            .values_list("pk", flat=True)
        )
        for task in listed:
            task.customer_is_visible = task.customer_id in openable
        return {"tasks": listed, "counts": counts, "today": today, "more": counts["open"] - len(listed)}


@register
class MyPipeline(Card):
    slug = "my_pipeline"
    title = gettext_lazy("My pipeline")
    description = gettext_lazy(
        "Your open opportunities per stage: how many, their amount and weighted amount."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    has_chart = True

    def _stages(self, board: Board) -> list[dict]:
        rows = {row["key"]: row for row in _pipeline_rows(self._open(board), "stage_id")}
        stages = Stage.objects.filter(pk__in=list(rows)).order_by("order", "pk")
        return [
            {
                "stage": stage,
                "deals": rows[stage.pk]["deals"],
                "amount": money(rows[stage.pk]["total"]),
                "weighted": money(rows[stage.pk]["weighted_x100"]) / 100,
                "url": _opportunity_list(owner="mine", stage=stage.pk),
            }
            for stage in stages
        ]

    @staticmethod
    def _open(board: Board):
        return Opportunity.objects.open().filter(owner=board.user).order_by()

    def figures(self, board: Board) -> dict:
        stages = self._stages(board)
        return {
            "stages": stages,
            "deals": sum(row["deals"] for row in stages),
            "amount": sum((row["amount"] for row in stages), ZERO),
            "weighted": sum((row["weighted"] for row in stages), ZERO),
            "url": _opportunity_list(owner="mine"),
        }

    def chart(self, board: Board) -> Chart:
        stages = self._stages(board)
        return Chart(
            kind="bar",
            labels=[str(row["stage"]) for row in stages],
            datasets=[
                series(_("Amount"), [row["amount"] for row in stages], key="amount"),
                series(_("Weighted"), [row["weighted"] for row in stages], key="weighted"),
            ],
            label=_("Open pipeline per stage"),
        )


@register
class FollowUps(Card):
    slug = "follow_ups"
    title = gettext_lazy("My customers overdue for a follow-up")
    description = gettext_lazy(
        "Customers with a follow-up task of yours past its due date (the follow-up rules make one "
        "after a sale, before a renewal...), the most overdue first."
    )
    roles = (Role.SALES_REP, Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)

    def figures(self, board: Board) -> dict:
        user, today = board.user, board.today
        # The user's own tasks: the assignee index answers, however many customers they have.
        overdue = Task.objects.open().filter(assignee=user, due_date__lt=today).order_by()
        # The most overdue customers, each row with how many customers there are in all.
        rows = list(
            overdue.values("customer_id")
            .annotate(tasks=Count("pk"), since=Min("due_date"), customers=Window(Count("*")))
            .order_by("since", "customer_id")[:SHOWN]
        )
        # Names and first tasks of those few customers only.
        first = overdue.filter(customer=OuterRef("pk")).order_by("due_date", "pk").values("title")[:1]
        names = {
            customer["pk"]: customer
            for customer in Customer.objects.filter(pk__in=[row["customer_id"] for row in rows])
            .annotate(first_title=Subquery(first))
            .values("pk", "legal_name", "trade_name", "first_title")
        }
        customers = rows[0]["customers"] if rows else 0
        for row in rows:
            customer = names[row["customer_id"]]
            row["name"] = customer["trade_name"] or customer["legal_name"]
            row["first_title"] = customer["first_title"]
            row["days"] = (today - row["since"]).days
            row["url"] = reverse("contacts:customer_detail", args=[row["customer_id"]])
        url = reverse("insights:relationships") if has_role(user, Role.MANAGER, Role.ADMIN) else ""
        return {"rows": rows, "customers": customers, "more": customers - len(rows), "url": url}


@register
class TeamPipeline(Card):
    slug = "team_pipeline"
    title = gettext_lazy("Team pipeline")
    description = gettext_lazy(
        "Open opportunities per rep of your teams: how many, amount and weighted amount."
    )
    roles = (Role.MANAGER, Role.ADMIN)
    has_chart = True

    def _reps(self, board: Board) -> list[dict]:
        opportunities = board.scope.apply(Opportunity.objects.open().order_by(), owner="owner", team="team")
        rows = {row["key"]: row for row in _pipeline_rows(opportunities, "owner_id")}
        people = board.person_names(rows)
        ordered = sorted(rows, key=lambda key: (-money(rows[key]["total"]), str(people[key]).casefold()))
        return [
            {
                "name": str(people[key]),
                "left": people[key].left,
                "deals": rows[key]["deals"],
                "amount": money(rows[key]["total"]),
                "weighted": money(rows[key]["weighted_x100"]) / 100,
                "url": _opportunity_list(owner=key),
            }
            for key in ordered
        ]

    def figures(self, board: Board) -> dict:
        reps = self._reps(board)
        return {
            "reps": reps[:SHOWN],
            "more": len(reps) - SHOWN,
            "deals": sum(row["deals"] for row in reps),
            "amount": sum((row["amount"] for row in reps), ZERO),
            "weighted": sum((row["weighted"] for row in reps), ZERO),
            "url": reverse("sales:board"),
        }

    def chart(self, board: Board) -> Chart:
        reps = self._reps(board)
        return Chart(
            kind="bar",
            labels=[row["name"] for row in reps],
            datasets=[
                series(_("Amount"), [row["amount"] for row in reps], key="amount"),
                series(_("Weighted"), [row["weighted"] for row in reps], key="weighted"),
            ],
            horizontal=True,
            label=_("Open pipeline per rep"),
        )


@register
class ForecastVsWon(Card):
    slug = "forecast_vs_won"
    title = gettext_lazy("Forecast against won")
    description = gettext_lazy(
        "What was won in the period against the forecast frozen when it began, month by month."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    uses_period = True
    has_chart = True

    def _result(self, board: Board):
        return SalesReport().build(board.report_context("sales", group="month"))

    def figures(self, board: Board) -> dict:
        result = self._result(board)
        table = result.tables[0]
        return {
            "cells": total_cells(table.total, table.columns),
            "notes": result.notes,
            "url": board.report_url("sales", group="month"),
        }

    def chart(self, board: Board) -> Chart | None:
        return self._result(board).chart


@register
class ActivityLeague(Card):
    slug = "activity_league"
    title = gettext_lazy("Activity league")
    description = gettext_lazy("Visits, calls, meetings and emails per rep in the period, the busiest first.")
    roles = (Role.MANAGER, Role.ADMIN)
    uses_period = True

    def figures(self, board: Board) -> dict:
        context = board.report_context("activity")
        # Counted from columns of the index of people's work, which answers alone (it has no ids).
        counts = {kind: Count("kind", filter=Q(kind=kind)) for kind in KINDS}
        rows = {
            row.pop("user_id"): row
            for row in work(context).values("user_id").annotate(all=Count("*"), **counts)
        }
        people = board.person_names(rows)
        names = {key: str(person) for key, person in people.items()}
        ordered = sorted(by_label(rows, names), key=lambda key: -rows[key]["all"])
        # Links only once the activity report exists to take them.
        links = context.links if "activity" in REPORTS else None
        league = []
        for place, key in enumerate(ordered[:SHOWN], start=1):
            row = rows[key]
            cells = [(row[kind], links(kind, f"rep:{key}") if links and row[kind] else "") for kind in KINDS]
            cells.append((row["all"], links("all", f"rep:{key}") if links else ""))
            league.append({"place": place, "name": names[key], "left": people[key].left, "cells": cells})
        return {
            "league": league,
            "kinds": [Activity.Kind(kind).label for kind in KINDS],
            "more": len(ordered) - SHOWN,
            "url": board.report_url("activity") if "activity" in REPORTS else "",
        }


@register
class ValueSegments(Card):
    slug = "value_segments"
    title = gettext_lazy("Customers per value segment")
    description = gettext_lazy("Your customers in each value segment (RFM) of the last scoring run.")
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    has_chart = True

    def _segments(self, board: Board):
        snapshot = current_snapshot()
        if snapshot is None:
            return None, []
        day = snapshot.as_of.isoformat()
        # The report for the day of the run shows exactly that run.
        query = urlencode({"period": "custom", "start": day, "end": day})
        context = board.report_context("value", query=query)
        counts = value.segment_counts(context, snapshot)
        names = segment_names()
        codes = [code for code in [*names, *sorted(set(counts) - set(names))] if counts.get(code)]
        rows = [
            {
                "name": name_of(code, names),
                "customers": counts[code],
                "url": context.links("customers", f"segment:{code or 'none'}")
                if not snapshot.scores_pruned
                else "",
            }
            for code in codes
        ]
        return snapshot, rows

    def figures(self, board: Board) -> dict:
        snapshot, rows = self._segments(board)
        return {
            "snapshot": snapshot,
            "segments": rows,
            "customers": sum(row["customers"] for row in rows),
            "url": (
                reverse("insights:reports:report", args=["value"])
                + "?"
                + urlencode({"period": "custom", "start": snapshot.as_of, "end": snapshot.as_of})
                if snapshot
                else ""
            ),
        }

    def chart(self, board: Board) -> Chart:
        _snapshot, rows = self._segments(board)
        return Chart(
            kind="bar",
            labels=[row["name"] for row in rows],
            datasets=[series(_("Customers"), [row["customers"] for row in rows], key="customers")],
            money=False,
            label=_("Customers per value segment"),
        )
