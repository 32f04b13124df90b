"""The campaign report: what each campaign (or channel) brought in, what it cost, and its return.

- A campaign is listed when it ran during the period (its dates overlap it; a campaign
  without dates counts as running) or brought leads, opportunities or wins in it.
- Leads: the campaign's leads created in the period.
- Opportunities: opportunities created in the period that came from the campaign, named on
  the opportunity or, failing that, on the lead it was converted from (as the campaign
  page counts them); each belongs to one campaign, so the rows add up to the total.
- Won: those opportunities won with a close date in the period; revenue is their amount.
- Cost: each listed campaign's whole actual cost, however long it ran; cost per lead and
  ROI = (revenue won − cost) / cost compare it with the period's figures.
- Whose: a marketer sees their own campaigns, a manager their teams', an admin all.
- Rep (for managers and admins): only the leads assigned to the rep and the opportunities
  and wins the rep owns are counted.
- Product: only the leads converted into an opportunity quoted with the product, the
  opportunities with a quote (any version) holding it and the wins whose accepted quote
  holds it are counted, and revenue is that product's lines of those quotes (after
  discount, before tax).
- Neither narrows cost: it stays each listed campaign's whole cost, and the campaigns
  listed are still those that ran in the period or brought anything counted in it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.roles import Role
from crm.insights.reports import (
    common,
    records,
)
from crm.insights.reports.base import (
    Context,
    Records,
    Report,
    Result,
    UnknownFigure,
    by_label,
    key_id,
    split_key,
)
from crm.insights.reports.tables import CENTS, ZERO, Chart, Column, Row, Table, money, ratio, series
from leads.models import Lead
from marketing.models import Campaign
from sales.models import Opportunity, QuoteLine

records.register_kind(
    "campaigns",
    related=["owner", "team"],
    order=["-start_date", "name", "pk"],
    deferred=["description"],
    amount="actual_cost",
)

CHANNELS = dict(Campaign.Channel.choices)


def source() -> Coalesce:
    """The campaign an opportunity came from: its own, else its lead's (looked up only then:
    converting a lead copies its campaign, so the lookup is rare)."""
    lead_campaign = Lead.objects.order_by().filter(pk=OuterRef("source_lead_id")).values("campaign_id")[:1]
    via_lead = Case(When(source_lead_id__isnull=False, then=Subquery(lead_campaign)), default=None)
    return Coalesce("campaign_id", via_lead, output_field=IntegerField())


def scoped_campaigns(context: Context) -> QuerySet:
    """The viewer's campaigns (by owner and team), narrowed by team and campaign as chosen."""
    filters = context.filters
    campaigns = context.scope.apply(Campaign.objects.order_by(), owner="owner", team="team")
    if filters.team:
        campaigns = campaigns.filter(team=filters.team)
    if filters.campaign:
        campaigns = campaigns.filter(pk=filters.campaign.pk)
    return campaigns


def campaign_ids(context: Context) -> list[int]:
    # A handful of ids, read once: the figures' queries then filter on a plain list.
    return list(scoped_campaigns(context).values_list("pk", flat=True))


def quoted(product_id: int) -> Exists:
    """The opportunity has a quote (any version, any status) with a line of the product."""
    return Exists(QuoteLine.objects.filter(quote__opportunity_id=OuterRef("pk"), product_id=product_id))


def period_leads(context: Context, ids: list[int]) -> QuerySet:
    """The campaigns' leads created in the period, narrowed by rep (assigned to) and product
    (converted into an opportunity quoted with it) as chosen."""
    filters = context.filters
    start, stop = filters.period.moments()
    leads = Lead.objects.order_by().filter(campaign__in=ids, created_at__gte=start, created_at__lt=stop)
    if filters.rep:
        leads = leads.filter(assigned_to=filters.rep)
    if filters.product:
        converted = Opportunity.objects.filter(source_lead_id=OuterRef("pk"))
        leads = leads.filter(Exists(converted.filter(quoted(filters.product.pk))))
    return leads


def _sourced(context: Context, ids: list[int]) -> QuerySet:
    opportunities = Opportunity.objects.order_by().alias(source=source()).filter(source__in=ids)
    if context.filters.rep:
        opportunities = opportunities.filter(owner=context.filters.rep)
    return opportunities


def period_opportunities(context: Context, ids: list[int]) -> QuerySet:
    start, stop = context.filters.period.moments()
    opportunities = _sourced(context, ids).filter(created_at__gte=start, created_at__lt=stop)
    if context.filters.product:
        opportunities = opportunities.filter(quoted(context.filters.product.pk))
    return opportunities


def period_won(context: Context, ids: list[int]) -> QuerySet:
    period = context.filters.period
    won = _sourced(context, ids).filter(
        stage__is_won=True, closed_on__gte=period.start, closed_on__lt=period.stop
    )
    if context.filters.product:
        won = won.filter(common.with_product(context.filters.product.pk))
    return won


def won_by_campaign(context: Context, ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """{campaign id: (won deals, revenue)} in one query; with a product chosen, the revenue is
    that product's lines of each deal's accepted quote."""
    won = period_won(context, ids)
    product = context.filters.product
    if product is None:
        rows = won.values(key=F("source")).annotate(deals=Count("pk"), revenue=Sum("amount"))
        return {row["key"]: (row["deals"], money(row["revenue"])) for row in rows}
    lines_x100 = (
        common.accepted_lines()
        .filter(quote__opportunity_id=OuterRef("pk"), product=product)
        .values("quote__opportunity_id")
        .annotate(total=Sum(common.LINE_AMOUNT_X100, output_field=common.MONEY))
        .values("total")
    )
    rows = (
        won.alias(lines_x100=Subquery(lines_x100, output_field=common.MONEY))
        .values(key=F("source"))
        .annotate(deals=Count("pk"), revenue_x100=Sum("lines_x100"))
    )
    return {row["key"]: (row["deals"], (money(row["revenue_x100"]) / 100).quantize(CENTS)) for row in rows}


def ran_in(context: Context) -> Q:
    """The campaign's dates overlap the period (a campaign without dates counts as running)."""
    period = context.filters.period
    return (Q(start_date__isnull=True) | Q(start_date__lte=period.end)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=period.start)
    )


def figures_by_campaign(context: Context, ids: list[int]) -> dict[str, dict]:
    """Leads, opportunities and wins per campaign id, one grouped query each."""
    return {
        # Counted as rows: the index of campaigns' leads by day answers alone.
        "leads": dict(period_leads(context, ids).values_list("campaign_id").annotate(count=Count("*"))),
        "opportunities": dict(
            period_opportunities(context, ids).values_list(F("source")).annotate(count=Count("pk"))
        ),
        "won": won_by_campaign(context, ids),
    }


def listed_campaigns(context: Context, ids: list[int], brought: set[int]) -> QuerySet:
    """Of the viewer's campaigns, those that ran in the period or ``brought`` something in it."""
    return Campaign.objects.order_by().filter(pk__in=ids).filter(ran_in(context) | Q(pk__in=sorted(brought)))


class CampaignReport(Report):
    slug = "campaigns"
    title = gettext_lazy("Campaigns")
    description = gettext_lazy(
        "Leads, opportunities and revenue won per campaign or channel, against what each campaign cost "
        "(cost per lead, return on investment)."
    )
    roles = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team", "campaign", "product")
    groupings = [("campaign", gettext_lazy("Campaign")), ("channel", gettext_lazy("Channel"))]
    default_period = "this_year"

    def columns(self) -> list[Column]:
        return [
            Column("leads", _("Leads")),
            Column("opportunities", _("Opportunities")),
            Column("won", _("Won deals")),
            Column("revenue", _("Revenue won"), "money"),
            Column("cost", _("Cost"), "money"),
            Column("cost_per_lead", _("Cost per lead"), "money"),
            Column("roi", _("Return on investment"), "percent"),
        ]

    def build(self, context: Context) -> Result:
        group = context.filters.group
        ids = campaign_ids(context)
        found = figures_by_campaign(context, ids)
        brought = set(found["leads"]) | set(found["opportunities"]) | set(found["won"])
        campaigns = list(
            listed_campaigns(context, ids, brought).values("pk", "name", "channel", "actual_cost")
        )
        # Per channel: the campaigns' figures added up (a few rows, already counted in SQL).
        key_of = {
            campaign["pk"]: campaign["pk" if group == "campaign" else "channel"] for campaign in campaigns
        }
        costs, leads, opportunities, won = {}, {}, {}, {}
        for campaign in campaigns:
            pk, key = campaign["pk"], key_of[campaign["pk"]]
            costs[key] = costs.get(key, ZERO) + campaign["actual_cost"]
            leads[key] = leads.get(key, 0) + found["leads"].get(pk, 0)
            opportunities[key] = opportunities.get(key, 0) + found["opportunities"].get(pk, 0)
            deals, revenue = won.get(key, (0, ZERO))
            more_deals, more_revenue = found["won"].get(pk, (0, ZERO))
            won[key] = (deals + more_deals, revenue + more_revenue)
        names = (
            {campaign["pk"]: campaign["name"] for campaign in campaigns}
            if group == "campaign"
            else {key: str(CHANNELS.get(key, key)) for key in costs}
        )
        ordered = by_label(costs, names)
        table = Table(
            key="campaigns",
            title=str(self.title),
            label=str(dict(self.groupings)[group]),
            columns=self.columns(),
            empty_text=_("No campaign ran or brought anything in this period."),
        )
        for key in ordered:
            figures = self._figures(
                leads.get(key, 0), opportunities.get(key, 0), *won.get(key, (0, ZERO)), costs[key]
            )
            table.rows.append(
                Row(
                    names[key],
                    table.cells_for(figures, self._linker(context.links, f"{group}:{key}", figures)),
                )
            )
        total = self._figures(
            sum(leads.values()),
            sum(opportunities.values()),
            sum(deals for deals, _revenue in won.values()),
            sum((revenue for _deals, revenue in won.values()), ZERO),
            sum((money(cost) for cost in costs.values()), ZERO),
        )
        table.total = Row(_("Total"), table.cells_for(total, self._linker(context.links, "", total)))
        chart = Chart(
            kind="bar",
            labels=[names[key] for key in ordered],
            datasets=[
                series(_("Cost"), [money(costs[key]) for key in ordered], key="cost"),
                series(_("Revenue won"), [won.get(key, (0, ZERO))[1] for key in ordered], key="revenue"),
            ],
            label=_("Cost and revenue won per campaign"),
        )
        notes = [
            _(
                "Cost is each campaign's whole actual cost, even with a rep or product chosen; the return "
                "compares it with the revenue won."
            )
            if context.filters.rep or context.filters.product
            else _("Cost is each campaign's whole actual cost; the return compares it with the revenue won.")
        ]
        return Result(tables=[table], chart=chart, notes=notes)

    @staticmethod
    def _figures(leads: int, opportunities: int, deals: int, revenue, cost) -> dict:
        cost = money(cost)
        return {
            "leads": leads,
            "opportunities": opportunities,
            "won": deals,
            "revenue": revenue,
            "cost": cost,
            "cost_per_lead": (cost / leads).quantize(CENTS) if leads else None,
            "roi": ratio(revenue - cost, cost),
        }

    @staticmethod
    def _linker(links, key: str, figures: dict):
        def link(column: str) -> str:
            if column in ("won", "revenue", "roi"):
                return links("won", key) if figures["won"] else ""
            if column in ("cost", "cost_per_lead"):
                return links("cost", key)
            return links(column, key) if figures[column] else ""

        return link

    def records(self, context: Context, measure: str, key: str) -> Records:
        kind, value = split_key(key)
        ids = campaign_ids(context)
        if kind == "campaign":
            ids = [pk for pk in ids if pk == key_id(value)]
        elif kind == "channel":
            if value not in CHANNELS:
                raise UnknownFigure(value)
            ids = list(Campaign.objects.filter(pk__in=ids, channel=value).values_list("pk", flat=True))
        elif kind:
            raise UnknownFigure(key)
        if measure == "leads":
            return Records("leads", period_leads(context, ids), _("Leads"))
        if measure == "opportunities":
            return Records("opportunities", period_opportunities(context, ids), _("Opportunities"))
        if measure == "won":
            product = context.filters.product
            scope = (
                [
                    _("The amount is of the whole deals; the revenue counts only their lines of %(product)s.")
                    % {"product": product}
                ]
                if product
                else []
            )
            return Records("opportunities", period_won(context, ids), _("Won opportunities"), scope)
        if measure == "cost":
            found = figures_by_campaign(context, ids)
            brought = set(found["leads"]) | set(found["opportunities"]) | set(found["won"])
            return Records("campaigns", listed_campaigns(context, ids, brought), _("Campaigns"))
        raise UnknownFigure(measure)
