"""Every card, and the cards each role starts with (in this order) until its people choose."""

from __future__ import annotations

from crm.accounts.roles import Role
from crm.insights.dashboard import cards_desk, cards_sales  # noqa: F401 (they register their cards)
from crm.insights.dashboard.board import CARDS, Card

DEFAULTS: dict[str, list[str]] = {
    Role.SALES_REP: ["my_tasks", "my_pipeline", "follow_ups"],
    Role.TELEMARKETER: ["call_queue", "todays_calls", "my_tasks"],
    Role.MANAGER: ["forecast_vs_won", "team_pipeline", "activity_league"],
    Role.ADMIN: ["forecast_vs_won", "team_pipeline", "activity_league"],
    Role.SERVICE_AGENT: ["ticket_queue", "sla_clocks", "service_period"],
    Role.ACCOUNTING: ["invoices_overdue", "invoices_due"],
    Role.MARKETING: ["campaign_results", "my_tasks"],
}

__all__ = ["CARDS", "DEFAULTS", "Card"]
