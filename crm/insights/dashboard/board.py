"""What every dashboard card shares: the board it is drawn on (whose, which period) and the
card's declaration. Cards register themselves in ``CARDS``; ``registry`` lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise

from crm.accounts.models import User
from crm.accounts.roles import has_role
from crm.insights.reports.base import Context, Links, Person, person_names
from crm.insights.reports.business_clock import Targets, policy_targets
from crm.insights.reports.filters import Filters
from crm.insights.reports.periods import Period
from crm.insights.reports.scope import Scope, scope_for
from crm.insights.reports.tables import Chart, Row


@dataclass
class Board:
    """One person's dashboard as of now, for the period they chose."""

    user: User
    now: datetime
    today: date
    preset: str
    period: Period
    _people: dict[int | None, Person] = field(default_factory=dict, init=False, repr=False)

    def person_names(self, ids: Iterable[int | None]) -> dict[int | None, Person]:
        """``person_names`` shared by the board's cards: each person is looked up once."""
        ids = list(ids)
        missing = {pk for pk in ids if pk not in self._people}
        if missing:
            self._people.update(person_names(missing))
        return {pk: self._people[pk] for pk in {None, *ids} if pk in self._people}

    @cached_property
    def scope(self) -> Scope:
        """Whose figures: the reports' rule (own, the teams managed, or everyone)."""
        return scope_for(self.user)

    @cached_property
    def sla_targets(self) -> Targets:
        """The service level policies' targets, read once for the board's cards."""
        return policy_targets()

    @property
    def period_query(self) -> str:
        return urlencode({"period": self.preset})

    def report_context(
        self,
        slug: str,
        *,
        group: str = "",
        query: str | None = None,
        period: Period | None = None,
        rep: User | None = None,
    ) -> Context:
        """A report's context for this board: its period (or ``period``, which ``query`` then
        names for the links), no other filter but ``rep``, links to the report's records."""
        query = self.period_query if query is None else query
        filters = Filters(
            period=period or self.period, preset="custom" if period else self.preset, rep=rep, group=group
        )
        links = Links(reverse("insights:reports:records", args=[slug]), query)
        return Context(filters=filters, scope=self.scope, today=self.today, links=links)

    def report_url(self, slug: str, **params: str) -> str:
        query = urlencode({"period": self.preset, **params})
        return f"{reverse('insights:reports:report', args=[slug])}?{query}"


class Card:
    slug: str
    title: Promise
    description: Promise  # what it shows, on the page where people choose their cards
    roles: tuple[str, ...]  # who may put it on their dashboard
    uses_period: bool = False  # its figures follow the dashboard's period
    has_chart: bool = False  # its chart is drawn from ``chart()`` through the card data endpoint

    @property
    def template(self) -> str:
        return f"insights/dashboard/cards/{self.slug}.html"

    def allowed(self, user: User) -> bool:
        return has_role(user, *self.roles)

    def figures(self, board: Board) -> dict[str, Any]:
        """What the card's template shows, in a few set-based queries."""
        raise NotImplementedError

    def chart(self, board: Board) -> Chart | None:
        return None


CARDS: dict[str, Card] = {}


def register(card_class: type[Card]) -> type[Card]:
    card = card_class()
    CARDS[card.slug] = card
    return card_class


def total_cells(row: Row | None, columns) -> dict[str, Any]:
    """A report's total row as {column key: cell}, for a card that shows a report's totals."""
    if row is None:
        return {}
    return {column.key: cell for column, cell in zip(columns, row.cells, strict=True)}
