"""Record sets several reports start from, narrowed by the viewer's scope and the filters."""

from __future__ import annotations

from datetime import date

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Value

from contacts.models import Activity
from crm.insights.reports.base import Context, UnknownFigure, key_date, key_id, split_key
from crm.insights.reports.periods import add_months
from sales.models import Opportunity, Quote, QuoteLine

MONEY = DecimalField(max_digits=24, decimal_places=4)
# A quote line's amount after discount, before tax, times 100 (divided once summed: exact).
LINE_AMOUNT_X100 = F("quantity") * F("unit_price") * (Value(100) - F("discount_percent"))
WEIGHTED_X100 = F("amount") * F("probability")


def opportunities(context: Context) -> QuerySet:
    """The viewer's opportunities, narrowed by rep, team and campaign as chosen."""
    filters = context.filters
    queryset = context.scope.apply(Opportunity.objects.order_by(), owner="owner", team="team")
    if filters.rep:
        queryset = queryset.filter(owner=filters.rep)
    if filters.team:
        queryset = queryset.filter(team=filters.team)
    if filters.campaign:
        queryset = queryset.filter(campaign=filters.campaign)
    return queryset


def activities(context: Context) -> QuerySet:
    """The viewer's activities (by who did them), narrowed by rep and team as chosen.

    Who is resolved first into a short list of ids, so that the database reads only the
    period of each one's activities (their index is by person and moment), however long the
    history grows.
    """
    filters = context.filters
    people = context.scope.members()
    if filters.rep:
        people = people.filter(pk=filters.rep.pk)
    if filters.team:
        people = people.filter(team=filters.team)
    return Activity.objects.order_by().filter(user_id__in=list(people.values_list("pk", flat=True)))


def accepted_lines() -> QuerySet:
    return QuoteLine.objects.filter(quote__status=Quote.Status.ACCEPTED).order_by()


def with_product(product_id: int) -> Exists:
    """The opportunity's accepted quote has a line of the product."""
    return Exists(accepted_lines().filter(quote__opportunity_id=OuterRef("pk"), product_id=product_id))


def without_accepted_quote() -> Q:
    return ~Q(Exists(Quote.objects.filter(opportunity_id=OuterRef("pk"), status=Quote.Status.ACCEPTED)))


def month_range(field: str, month: date) -> Q:
    return Q(**{f"{field}__gte": month, f"{field}__lt": add_months(month, 1)})


def narrow_to_key(queryset: QuerySet, key: str, *, date_field: str, owner: str = "owner", team: str = "team"):
    """``queryset`` narrowed to one row of a table (rep, team or month), or left whole."""
    kind, value = split_key(key)
    if not kind:
        return queryset
    if kind == "rep":
        return queryset.filter(**{f"{owner}_id": key_id(value)})
    if kind == "team":
        return queryset.filter(**{f"{team}_id": key_id(value)})
    if kind == "month":
        return queryset.filter(month_range(date_field, key_date(value)))
    raise UnknownFigure(key)
