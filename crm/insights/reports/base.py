"""What every report shares: its declaration, the context it runs in, links to the records
behind a figure, and the registry the pages read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import Team, User
from crm.insights.reports.filters import Filters
from crm.insights.reports.scope import PEOPLE_ROLES, Scope
from crm.insights.reports.tables import Chart, Table

NONE = "none"  # the key of "no team", "no reason", "no product"...


class UnknownFigure(Exception):
    """A drill-down link that names no figure of the report."""


@dataclass
class Links:
    """Drill-down URLs: the page's filters plus the figure (``measure``) and its row (``key``)."""

    url: str
    query: str

    def __call__(self, measure: str, key: str = "") -> str:
        params = {"measure": measure, **({"key": key} if key else {})}
        return (
            f"{self.url}?{self.query}&{urlencode(params)}"
            if self.query
            else f"{self.url}?{urlencode(params)}"
        )


@dataclass
class Context:
    filters: Filters
    scope: Scope
    today: date
    links: Links


@dataclass
class Result:
    tables: list[Table]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Records:
    """The records behind one figure, for the drill-down page."""

    kind: str  # names the table template: opportunities, forecast_lines, activities, leads, quotes
    queryset: QuerySet
    title: str
    scope: list[str] = field(default_factory=list)  # what the figure covers, in words
    # The same records for the count and totals, when another query finds them cheaper than
    # the page's (which reads only the rows it shows); None: ``queryset``.
    counted: QuerySet | None = None


class Report:
    slug: str
    title: str
    description: str
    roles: tuple[str, ...]
    filters: tuple[str, ...] = ()
    groupings: list[tuple[str, str]] = []
    granularity = False
    default_period = "this_month"
    default_granularity = "week"
    # Whom the rep filter offers (by role), and its label and "everyone" choice.
    people_roles: tuple[str, ...] = PEOPLE_ROLES
    rep_labels = (gettext_lazy("Rep"), gettext_lazy("All reps"))

    def build(self, context: Context) -> Result:
        raise NotImplementedError

    def records(self, context: Context, measure: str, key: str) -> Records:
        raise NotImplementedError


# --- keys and names -----------------------------------------------------------------------


def split_key(key: str) -> tuple[str, str]:
    """``"rep:7"`` → ``("rep", "7")``; an empty key is the total."""
    kind, _sep, value = key.partition(":")
    return kind, value


def key_id(value: str) -> int | None:
    """An id from a key (None for "none"); anything else is not a figure of ours."""
    if value == NONE:
        return None
    if value.isdigit() and len(value) < 10:
        return int(value)
    raise UnknownFigure(value)


def key_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise UnknownFigure(value) from error


def ref(value) -> str:
    """The key part for an id that may be missing."""
    return NONE if value is None else str(value)


@dataclass(frozen=True)
class Person:
    name: str
    left: bool = False

    def __str__(self) -> str:
        return _("%(name)s (left)") % {"name": self.name} if self.left else self.name


def person_names(ids: Iterable[int | None]) -> dict[int | None, Person]:
    """Each user id's name, in one query; a rep who left is still named, and says so."""
    wanted = {pk for pk in ids if pk is not None}
    names: dict[int | None, Person] = {None: Person(_("Nobody"))}
    if wanted:
        for pk, first, last, username, active in User.objects.filter(pk__in=wanted).values_list(
            "pk", "first_name", "last_name", "username", "is_active"
        ):
            names[pk] = Person(f"{first} {last}".strip() or username, left=not active)
    return names


def team_names(ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {pk for pk in ids if pk is not None}
    names: dict[int | None, str] = {None: _("No team")}
    if wanted:
        names.update(Team.objects.filter(pk__in=wanted).values_list("pk", "name"))
    return names


def by_label(keys: Iterable, names: dict) -> list:
    """``keys`` in the order of their names, the missing one ("no team") last."""
    return sorted(keys, key=lambda key: (key is None, str(names.get(key, "")).casefold(), key or 0))
