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
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.roles import Role
from crm.insights.reports import extensions  # noqa: F401 (the campaigns table of the drill-down)
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
from sales.models import Opportunity

CHANNELS = dict(Campaign.Channel.choices)
# The campaign an opportunity came from: its own, else its lead's.
SOURCE = Coalesce("campaign_id", "source_lead__campaign_id")
SOURCE_CHANNEL = Coalesce("campaign__channel", "source_lead__campaign__channel")


def scoped_campaigns(context: Context) -> QuerySet:
    """The viewer's campaigns (by owner and team), narrowed by team and campaign as chosen."""
    filters = context.filters
    campaigns = context.scope.apply(Campaign.objects.order_by(), owner="owner", team="team")
    if filters.team:
        campaigns = campaigns.filter(team=filters.team)
    if filters.campaign:
        campaigns = campaigns.filter(pk=filters.campaign.pk)
    return campaigns


def period_leads(context: Context) -> QuerySet:
    start, stop = context.filters.period.moments()
    return Lead.objects.order_by().filter(
        campaign__in=scoped_campaigns(context).values("pk"), created_at__gte=start, created_at__lt=stop
    )


def _sourced(context: Context) -> QuerySet:
    return (
        Opportunity.objects.order_by()
        .alias(source=SOURCE)
        .filter(source__in=scoped_campaigns(context).values("pk"))
    )


def period_opportunities(context: Context) -> QuerySet:
    start, stop = context.filters.period.moments()
    return _sourced(context).filter(created_at__gte=start, created_at__lt=stop)


def period_won(context: Context) -> QuerySet:
    period = context.filters.period
    return _sourced(context).filter(
        stage__is_won=True, closed_on__gte=period.start, closed_on__lt=period.stop
    )


def listed_campaigns(context: Context) -> QuerySet:
    """The viewer's campaigns that ran in the period or brought figures in it."""
    period = context.filters.period
    start, stop = period.moments()
    ran = (Q(start_date__isnull=True) | Q(start_date__lte=period.end)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=period.start)
    )
    brought = Opportunity.objects.alias(source=SOURCE).filter(source=OuterRef("pk"))
    return scoped_campaigns(context).filter(
        ran
        | Exists(Lead.objects.filter(campaign=OuterRef("pk"), created_at__gte=start, created_at__lt=stop))
        | Exists(brought.filter(created_at__gte=start, created_at__lt=stop))
        | Exists(brought.filter(stage__is_won=True, closed_on__gte=period.start, closed_on__lt=period.stop))
    )


class CampaignReport(Report):
    slug = "campaigns"
    title = gettext_lazy("Campaigns")
    description = gettext_lazy(
        "Leads, opportunities and revenue won per campaign or channel, against what each campaign cost "
        "(cost per lead, return on investment)."
    )
    roles = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
    filters = ("team", "campaign")
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
        campaign_field, lead_field = (
            ("pk", "campaign_id") if group == "campaign" else ("channel", "campaign__channel")
        )
        source = SOURCE if group == "campaign" else SOURCE_CHANNEL
        costs = {
            row["key"]: row["cost"]
            for row in listed_campaigns(context)
            .values(key=F(campaign_field))
            .annotate(cost=Sum("actual_cost"))
        }
        leads = dict(period_leads(context).values_list(lead_field).annotate(count=Count("pk")))
        opportunities = dict(
            period_opportunities(context).annotate(key=source).values_list("key").annotate(count=Count("pk"))
        )
        won = {
            row["key"]: (row["deals"], money(row["revenue"]))
            for row in period_won(context)
            .annotate(key=source)
            .values("key")
            .annotate(deals=Count("pk"), revenue=Sum("amount"))
        }
        names = self._names(group, costs)
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
        notes = [_("Cost is each campaign's whole actual cost; the return compares it with the revenue won.")]
        return Result(tables=[table], chart=chart, notes=notes)

    @staticmethod
    def _names(group: str, costs: dict) -> dict:
        if group == "channel":
            return {key: str(CHANNELS.get(key, key)) for key in costs}
        return dict(Campaign.objects.filter(pk__in=list(costs)).values_list("pk", "name"))

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
        if kind == "campaign":
            campaign_id = key_id(value)
            narrow = {"pk": campaign_id}, {"campaign_id": campaign_id}, Q(source=campaign_id)
        elif kind == "channel":
            if value not in CHANNELS:
                raise UnknownFigure(value)
            narrow = (
                {"channel": value},
                {"campaign__channel": value},
                Q(campaign__channel=value) | Q(campaign__isnull=True, source_lead__campaign__channel=value),
            )
        elif kind:
            raise UnknownFigure(key)
        else:
            narrow = {}, {}, Q()
        campaigns, leads, opportunities = narrow
        if measure == "leads":
            return Records("leads", period_leads(context).filter(**leads), _("Leads"))
        if measure == "opportunities":
            return Records(
                "opportunities", period_opportunities(context).filter(opportunities), _("Opportunities")
            )
        if measure == "won":
            return Records("opportunities", period_won(context).filter(opportunities), _("Won opportunities"))
        if measure == "cost":
            return Records("campaigns", listed_campaigns(context).filter(**campaigns), _("Campaigns"))
        raise UnknownFigure(measure)
