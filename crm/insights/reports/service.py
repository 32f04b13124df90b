"""The service report: tickets opened and resolved, service levels kept, and satisfaction,
per agent, product or team.

- Opened: tickets opened in the period. Resolved: tickets whose resolution falls in it
  (a reopened ticket counts again when it is resolved again).
- Service level: of the tickets resolved (or first answered) in the period whose priority
  has an SLA policy, the share done within its target in business hours, counted in SQL
  by ``business_clock`` exactly as the ticket page counts it; "late" are the others.
- Satisfaction: the average of the ratings (1 to 5) given in the period.
- Whose: an agent sees the tickets assigned to them, a manager their teams', an admin all;
  a ticket nobody was assigned to has a row of its own.
- Filters: agent keeps the tickets assigned to the chosen agent (offered to managers and
  admins, among the people they see); team the tickets of the team; product the tickets
  about the product.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.roles import Role
from crm.insights.reports import records
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
    team_names,
)
from crm.insights.reports.business_clock import (
    Targets,
    missed,
    policy_targets,
    relevant_holidays,
    sla_rows,
    sla_table,
)
from crm.insights.reports.tables import Chart, Column, Row, Table, ratio, register_format, series
from sales.models import Product
from service.models import Ticket

records.register_kind(
    "tickets",
    related=["customer", "assignee", "product"],
    order=["-opened_at", "-pk"],
    deferred=["description", "satisfaction_comment", "customer__search_text", "customer__notes"],
)
# An average of 1-5 stars, with one decimal.
register_format("rating", lambda value: number_format(value, 1))

GROUP_FIELDS = {"agent": "assignee_id", "product": "product_id", "team": "team_id"}


def scoped_tickets(context: Context) -> QuerySet:
    """The viewer's tickets (by assignee and team), narrowed by agent, team and product as chosen."""
    filters = context.filters
    tickets = context.scope.apply(Ticket.objects.order_by(), owner="assignee", team="team")
    if filters.rep:
        tickets = tickets.filter(assignee=filters.rep)
    if filters.team:
        tickets = tickets.filter(team=filters.team)
    if filters.product:
        tickets = tickets.filter(product=filters.product)
    return tickets


def _within(field: str, context: Context) -> Q:
    start, stop = context.filters.period.moments()
    return Q(**{f"{field}__gte": start, f"{field}__lt": stop})


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def period_flags(context: Context) -> dict[str, Case]:
    """Columns of ``business_clock.sla_table``: 1 when the ticket was opened, resolved, first
    answered or rated in the period."""
    return {
        "opened_in": _flag(_within("opened_at", context)),
        "resolved_in": _flag(_within("resolved_at", context)),
        "responded_in": _flag(_within("first_response_at", context)),
        "rated_in": _flag(_within("satisfaction_at", context) & Q(satisfaction_rating__isnull=False)),
    }


# Each countable figure, as SQL on the columns of the SLA table (fixed text, no input).
MEASURES = {
    "opened": "opened_in = 1",
    "resolved": "resolved_in = 1",
    "resolution_sla": "resolved_in = 1 AND resolution_target IS NOT NULL",
    "resolved_late": "resolved_in = 1 AND resolution_target IS NOT NULL AND resolved_in_time = 0",
    "response_sla": "responded_in = 1 AND response_target IS NOT NULL",
    "responded_late": "responded_in = 1 AND response_target IS NOT NULL AND responded_in_time = 0",
    "ratings": "rated_in = 1",
}


# The late figures: which target the tickets missed ("responded" or "resolved").
LATE = {"resolved_late": "resolved", "responded_late": "responded"}


def done_in_period(measure: str, context: Context, targets: dict) -> Q:
    """What the tickets of a figure did in the period, on their own columns: the period flags
    and targets of MEASURES (a ticket has a target when a policy names its priority)."""
    with_policy = {
        done: Q(priority__in=[priority for priority, _seconds in targets[done]]) for done in targets
    }
    resolved, responded = _within("resolved_at", context), _within("first_response_at", context)
    return {
        "opened": _within("opened_at", context),
        "resolved": resolved,
        "resolution_sla": resolved & with_policy["resolved"],
        "resolved_late": resolved & with_policy["resolved"],
        "response_sla": responded & with_policy["responded"],
        "responded_late": responded & with_policy["responded"],
        "ratings": _within("satisfaction_at", context) & Q(satisfaction_rating__isnull=False),
    }[measure]


def period_tickets(context: Context) -> QuerySet:
    """The viewer's tickets with anything to count in the period."""
    touched = Q()
    for field in ("opened_at", "resolved_at", "first_response_at", "satisfaction_at"):
        touched |= _within(field, context)
    return scoped_tickets(context).filter(touched)


class ServiceReport(Report):
    slug = "service"
    title = gettext_lazy("Service")
    description = gettext_lazy(
        "Tickets opened and resolved, service levels kept in business hours and customer satisfaction, "
        "per agent, product or team."
    )
    roles = (Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team", "product")
    people_roles = (Role.SERVICE_AGENT, Role.MANAGER)
    rep_labels = (gettext_lazy("Agent"), gettext_lazy("All agents"))
    groupings = [
        ("agent", gettext_lazy("Agent")),
        ("product", gettext_lazy("Product")),
        ("team", gettext_lazy("Team")),
    ]
    default_period = "this_month"

    def columns(self) -> list[Column]:
        return [
            Column("opened", _("Opened")),
            Column("resolved", _("Resolved")),
            Column("resolution_sla", _("Resolved within SLA"), "percent"),
            Column("resolved_late", _("Resolved late")),
            Column("response_sla", _("First response within SLA"), "percent"),
            Column("responded_late", _("First response late")),
            Column("satisfaction", _("Satisfaction (1-5)"), "rating"),
            Column("ratings", _("Ratings")),
        ]

    def figures_by_group(self, context: Context, group: str, targets: Targets | None = None) -> dict:
        """{group key: {measure: count, "rating_sum": ...}} in one query over the SLA table
        (``targets``: the policies' targets when already read)."""
        extra = {
            "group_key": F(GROUP_FIELDS[group]),
            "rating": F("satisfaction_rating"),
            **period_flags(context),
        }
        table, params = sla_table(period_tickets(context), extra=extra, targets=targets)
        sums = ", ".join(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)" for condition in MEASURES.values())
        with connection.cursor() as cursor:
            # Fixed fragments only; the values are the table's parameters.
            cursor.execute(
                f"SELECT group_key, {sums}, SUM(CASE WHEN rated_in = 1 THEN rating ELSE 0 END) "  # noqa: S608
                f"FROM ({table}) sla GROUP BY group_key",
                params,
            )
            rows = cursor.fetchall()
        names = [*MEASURES, "rating_sum"]
        return {key: dict(zip(names, figures, strict=True)) for key, *figures in rows}

    def build(self, context: Context) -> Result:
        group = context.filters.group
        figures = self.figures_by_group(context, group)
        ordered, labels = self._labels(group, list(figures))
        table = self._table(group)
        for key in ordered:
            values = self._values(figures[key])
            link = self._linker(context.links, f"{group}:{ref(key)}", values)
            table.rows.append(Row(labels[key], table.cells_for(values, link)))
        table.total = self._total(context, table, figures)
        chart = Chart(
            kind="bar",
            labels=[labels[key] for key in ordered],
            datasets=[
                series(_("Opened"), [figures[key]["opened"] for key in ordered], key="opened"),
                series(_("Resolved"), [figures[key]["resolved"] for key in ordered], key="resolved"),
            ],
            money=False,
            label=_("Tickets opened and resolved"),
        )
        return Result(tables=[table], chart=chart)

    def totals(self, context: Context, targets: Targets | None = None) -> Table:
        """The table with its total row alone (the dashboard's card): no row is named."""
        table = self._table(context.filters.group)
        figures = self.figures_by_group(context, context.filters.group, targets)
        table.total = self._total(context, table, figures)
        return table

    def _table(self, group: str) -> Table:
        return Table(
            key="service",
            title=str(self.title),
            label=str(dict(self.groupings)[group]),
            columns=self.columns(),
            empty_text=_("No ticket was opened, answered, resolved or rated in this period."),
        )

    def _total(self, context: Context, table: Table, figures: dict) -> Row:
        total = self._values(
            {name: sum(row[name] or 0 for row in figures.values()) for name in (*MEASURES, "rating_sum")}
        )
        return Row(_("Total"), table.cells_for(total, self._linker(context.links, "", total)))

    @staticmethod
    def _values(row: dict) -> dict:
        rated = row["ratings"]
        return {
            **row,
            "resolution_sla": ratio(row["resolution_sla"] - row["resolved_late"], row["resolution_sla"]),
            "response_sla": ratio(row["response_sla"] - row["responded_late"], row["response_sla"]),
            "satisfaction": (Decimal(row["rating_sum"]) / rated).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if rated
            else None,
            # Kept for the links: how many tickets each percentage is of.
            "_resolution_base": row["resolution_sla"],
            "_response_base": row["response_sla"],
        }

    @staticmethod
    def _linker(links, key: str, values: dict):
        bases = {
            "resolution_sla": "_resolution_base",
            "response_sla": "_response_base",
            "satisfaction": "ratings",
        }

        def link(column: str) -> str:
            return links(column, key) if values[bases.get(column, column)] else ""

        return link

    @staticmethod
    def _labels(group: str, keys: list) -> tuple[list, dict]:
        if group == "agent":
            people = person_names(keys)
            names = {key: str(people[key]) for key in keys}
            names[None] = _("Not assigned")
        elif group == "team":
            names = team_names(keys)
        else:
            names = {None: _("No product")}
            names.update(
                (pk, f"{code} · {name}")
                for pk, code, name in Product.objects.filter(pk__in=[key for key in keys if key]).values_list(
                    "pk", "code", "name"
                )
            )
        return by_label(keys, names), names

    def records(self, context: Context, measure: str, key: str) -> Records:
        if measure == "satisfaction":
            measure = "ratings"
        if measure not in MEASURES:
            raise UnknownFigure(measure)
        tickets = period_tickets(context)
        kind, value = split_key(key)
        if kind in GROUP_FIELDS:
            tickets = tickets.filter(**{GROUP_FIELDS[kind]: key_id(value)})
        elif kind:
            raise UnknownFigure(key)
        targets = policy_targets()
        tickets = tickets.filter(done_in_period(measure, context, targets))
        title = str(TITLES[measure])
        done = LATE.get(measure)
        if done is None:
            return Records("tickets", tickets, title)
        if not targets[done]:
            return Records("tickets", tickets.none(), title)
        # The clock judges only these tickets: the page those it reads in date order until
        # it has its rows, the count all of them at once ("< 1": 0, which the planner expects
        # of a share of the tickets rather than of almost none).
        holidays = relevant_holidays(tickets)
        late = tickets.filter(missed(done, holidays=holidays, targets=targets))
        counted = sla_rows(tickets, f"{done}_in_time < 1", holidays=holidays, targets=targets)
        return Records("tickets", late, title, counted=counted)


TITLES = {
    "opened": gettext_lazy("Tickets opened"),
    "resolved": gettext_lazy("Tickets resolved"),
    "resolution_sla": gettext_lazy("Tickets resolved, with a resolution target"),
    "resolved_late": gettext_lazy("Tickets resolved late"),
    "response_sla": gettext_lazy("Tickets answered, with a first response target"),
    "responded_late": gettext_lazy("Tickets answered late"),
    "ratings": gettext_lazy("Tickets rated"),
}
