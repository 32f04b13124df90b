"""Cards of the other desks: the telemarketer's queue and calls, the service queue and its SLA
clocks, accounting's invoices due and overdue, and the campaigns' results."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, DecimalField, F, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounting.models import Invoice
from contacts.models import Activity
from crm.accounts.roles import Role
from crm.insights.dashboard.board import Board, Card, register, total_cells
from crm.insights.reports.activity_queries import not_reached_outcomes, work
from crm.insights.reports.business_clock import position_at, relevant_holidays, sla_table
from crm.insights.reports.campaigns import CampaignReport
from crm.insights.reports.periods import Period
from crm.insights.reports.registry import REPORTS
from crm.insights.reports.service import ServiceReport
from crm.insights.reports.tables import ZERO, Chart, money, series
from leads.models import Lead
from service.models import Ticket

SHOWN = 8
DUE_SOON_DAYS = 14
# Days overdue: (label, first day, last day; None: no end).
AGES = [
    (gettext_lazy("1-30 days"), 1, 30),
    (gettext_lazy("31-60 days"), 31, 60),
    (gettext_lazy("61-90 days"), 61, 90),
    (gettext_lazy("Over 90 days"), 91, None),
]


@register
class CallQueue(Card):
    slug = "call_queue"
    title = gettext_lazy("My call queue")
    description = gettext_lazy(
        "Leads waiting for your call now, callbacks due, and when the next callback is."
    )
    roles = (Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)

    def figures(self, board: Board) -> dict:
        now = board.now
        due = Q(callback_at__lte=now)
        counts = (
            Lead.objects.in_queue()
            .filter(assigned_to=board.user)
            .order_by()
            .aggregate(
                ready=Count("pk", filter=Q(callback_at__isnull=True) | due),
                callbacks_due=Count("pk", filter=due),
                later=Count("pk", filter=Q(callback_at__gt=now)),
                next_callback=Min("callback_at", filter=Q(callback_at__gt=now)),
            )
        )
        return {**counts, "url": reverse("leads:queue")}


@register
class TodaysCalls(Card):
    slug = "todays_calls"
    title = gettext_lazy("My calls today")
    description = gettext_lazy("The calls you logged today by outcome, and how many reached someone.")
    roles = (Role.TELEMARKETER, Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    has_chart = True

    def _context(self, board: Board):
        day = board.today.isoformat()
        # A manager's calls today are their own calls too, not their team's.
        return board.report_context(
            "activity",
            query=urlencode({"period": "custom", "start": day, "end": day}),
            period=Period(board.today, board.today),
            rep=board.user,
        )

    def _outcomes(self, board: Board) -> tuple[list[tuple[str, int]], object]:
        context = self._context(board)
        calls = work(context).filter(kind=Activity.Kind.CALL)
        rows = list(calls.values_list("outcome").annotate(count=Count("pk")).order_by("-count", "outcome"))
        return rows, context

    def figures(self, board: Board) -> dict:
        rows, context = self._outcomes(board)
        missed = set(not_reached_outcomes())
        calls = sum(count for _outcome, count in rows)
        links = context.links if "activity" in REPORTS else None
        return {
            "calls": calls,
            "reached": sum(count for outcome, count in rows if outcome and outcome not in missed),
            "outcomes": [(outcome or _("No outcome"), count) for outcome, count in rows],
            "url": links("call", f"rep:{board.user.pk}") if links and calls else "",
        }

    def chart(self, board: Board) -> Chart:
        rows, _context = self._outcomes(board)
        return Chart(
            kind="doughnut",
            labels=[outcome or _("No outcome") for outcome, _count in rows],
            datasets=[series(_("Calls"), [count for _outcome, count in rows], key="calls")],
            money=False,
            label=_("Today's calls by outcome"),
        )


@register
class TicketQueue(Card):
    slug = "ticket_queue"
    title = gettext_lazy("My ticket queue")
    description = gettext_lazy(
        "Your open tickets by status and priority, and your team's tickets nobody has taken."
    )
    roles = (Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN)

    def figures(self, board: Board) -> dict:
        user = board.user
        mine = Q(assignee=user)
        untaken = Q(team_id=user.team_id, assignee__isnull=True) if user.team_id else Q(pk__in=[])
        Status, Priority = Ticket.Status, Ticket.Priority
        counts = (
            Ticket.objects.open()
            .filter(mine | untaken)
            .order_by()
            .aggregate(
                open=Count("pk", filter=mine),
                new=Count("pk", filter=mine & Q(status=Status.NEW)),
                waiting=Count("pk", filter=mine & Q(status=Status.WAITING)),
                urgent=Count("pk", filter=mine & Q(priority__in=[Priority.HIGH, Priority.URGENT])),
                untaken=Count("pk", filter=untaken),
            )
        )
        url = reverse("service:ticket_list")
        return {**counts, "url": url, "team_url": f"{url}?scope=team"}


@register
class SlaClocks(Card):
    slug = "sla_clocks"
    title = gettext_lazy("SLA clocks")
    description = gettext_lazy(
        "Open tickets closest to their service level target (first response, then resolution), in "
        "business hours; breached ones first."
    )
    roles = (Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN)

    def figures(self, board: Board) -> dict:
        open_tickets = board.scope.apply(Ticket.objects.open().order_by(), owner="assignee", team="team")
        # The clock stands where the tickets' clocks are read: with the same holidays.
        holidays = relevant_holidays(open_tickets)
        table, params = sla_table(open_tickets, holidays=holidays, targets=board.sla_targets)
        now = position_at(board.now, holidays)
        # First response first, then resolution; business seconds left (negative: breached).
        target = "CASE WHEN responded_epoch IS NULL THEN response_target ELSE resolution_target END"
        left = f"({target}) - ({now} - opened_pos)"
        with connection.cursor() as cursor:
            # One pass: the first clocks, with how many there are and how many are breached.
            # Fixed fragments and integers only; the values are the table's parameters.
            cursor.execute(
                f"SELECT id, {left}, COUNT(*) OVER (), "  # noqa: S608
                f"SUM(CASE WHEN {left} < 0 THEN 1 ELSE 0 END) OVER () "
                f"FROM ({table}) sla WHERE {target} IS NOT NULL ORDER BY 2, id LIMIT {SHOWN}",
                params,
            )
            first = cursor.fetchall()
        clocks, breached = (first[0][2], first[0][3]) if first else (0, 0)
        seconds_left = {pk: left_ for pk, left_, _clocks, _breached in first}
        tickets = Ticket.objects.filter(pk__in=list(seconds_left)).select_related("customer", "assignee")
        listed = sorted(
            tickets.defer("description", "satisfaction_comment", "customer__search_text", "customer__notes"),
            key=lambda ticket: (seconds_left[ticket.pk], ticket.pk),
        )
        for ticket in listed:
            ticket.breached = seconds_left[ticket.pk] < 0
            minutes = abs(seconds_left[ticket.pk]) // 60
            ticket.clock_hours, ticket.clock_minutes = divmod(minutes, 60)
            ticket.waiting_for = _("First response") if ticket.first_response_at is None else _("Resolution")
        return {
            "clocks": clocks,
            "breached": breached or 0,
            "tickets": listed,
            "url": reverse("service:ticket_list"),
        }


@register
class ServicePeriod(Card):
    slug = "service_period"
    title = gettext_lazy("Service in the period")
    description = gettext_lazy(
        "Tickets opened and resolved, service levels kept and satisfaction in the period."
    )
    roles = (Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN)
    uses_period = True
    has_chart = True

    def _result(self, board: Board):
        return ServiceReport().build(board.report_context("service", group="agent"))

    def figures(self, board: Board) -> dict:
        # The totals alone: the card names no agent.
        table = ServiceReport().totals(board.report_context("service", group="agent"), board.sla_targets)
        return {"cells": total_cells(table.total, table.columns), "url": board.report_url("service")}

    def chart(self, board: Board) -> Chart | None:
        return self._result(board).chart


# What is left to pay: credit notes settle an invoice as payments do.
BALANCE = F("total") - F("amount_paid") - F("amount_credited")


def _unpaid(board: Board):
    return (
        Invoice.objects.visible_to(board.user)
        .filter(total__gt=F("amount_paid") + F("amount_credited"))
        .order_by()
    )


def _invoice_list(state: str) -> str:
    return f"{reverse('accounting:invoice_list')}?{urlencode({'state': state})}"


@register
class InvoicesDue(Card):
    slug = "invoices_due"
    title = gettext_lazy("Invoices due soon")
    description = gettext_lazy("Unpaid invoices falling due in the next two weeks, the soonest first.")
    roles = (Role.ACCOUNTING, Role.MANAGER, Role.ADMIN)

    def figures(self, board: Board) -> dict:
        due = _unpaid(board).filter(
            due_date__gte=board.today, due_date__lte=board.today + timedelta(DUE_SOON_DAYS)
        )
        totals = due.aggregate(count=Count("pk"), balance=Sum(BALANCE))
        listed = list(
            due.annotate(open_balance=BALANCE)
            .select_related("order__customer")
            .defer("order__customer__search_text", "order__customer__notes")
            .order_by("due_date", "pk")[:SHOWN]
        )
        return {
            "count": totals["count"],
            "balance": money(totals["balance"]),
            "invoices": listed,
            "days": DUE_SOON_DAYS,
            "url": _invoice_list("open"),
        }


@register
class InvoicesOverdue(Card):
    slug = "invoices_overdue"
    title = gettext_lazy("Invoices overdue")
    description = gettext_lazy("Unpaid invoices past their due date, by how long overdue.")
    roles = (Role.ACCOUNTING, Role.MANAGER, Role.ADMIN)
    has_chart = True

    def _ages(self, board: Board) -> list[dict]:
        today = board.today
        overdue = _unpaid(board).filter(due_date__lt=today)
        money_field = DecimalField(max_digits=20, decimal_places=2)
        aggregates = {}
        for index, (_label, first, last) in enumerate(AGES):
            within = Q(due_date__lte=today - timedelta(first))
            if last is not None:
                within &= Q(due_date__gte=today - timedelta(last))
            aggregates[f"count_{index}"] = Count("pk", filter=within)
            aggregates[f"balance_{index}"] = Sum(BALANCE, filter=within, output_field=money_field)
        row = overdue.aggregate(**aggregates)
        return [
            {"label": label, "count": row[f"count_{index}"], "balance": money(row[f"balance_{index}"])}
            for index, (label, _first, _last) in enumerate(AGES)
        ]

    def figures(self, board: Board) -> dict:
        ages = self._ages(board)
        return {
            "ages": ages,
            "count": sum(age["count"] for age in ages),
            "balance": sum((age["balance"] for age in ages), ZERO),
            "url": _invoice_list("overdue"),
        }

    def chart(self, board: Board) -> Chart:
        ages = self._ages(board)
        return Chart(
            kind="bar",
            labels=[str(age["label"]) for age in ages],
            datasets=[series(_("Balance"), [age["balance"] for age in ages], key="balance")],
            label=_("Overdue balance by age"),
        )


@register
class CampaignResults(Card):
    slug = "campaign_results"
    title = gettext_lazy("Campaign results")
    description = gettext_lazy(
        "Leads, opportunities, revenue won, cost and return of your campaigns in the period."
    )
    roles = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
    uses_period = True
    has_chart = True

    def _result(self, board: Board):
        return CampaignReport().build(board.report_context("campaigns", group="campaign"))

    def figures(self, board: Board) -> dict:
        table = self._result(board).tables[0]
        return {
            "cells": total_cells(table.total, table.columns),
            "campaigns": len(table.rows),
            "url": board.report_url("campaigns"),
        }

    def chart(self, board: Board) -> Chart | None:
        return self._result(board).chart
