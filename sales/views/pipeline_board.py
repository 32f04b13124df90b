"""The pipeline board: one column per active stage, a bounded number of cards in each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from crm.accounts.permissions import role_required
from sales.filters import PipelineFilter
from sales.models import LostReason, Opportunity, Stage

CARDS_PER_COLUMN = 20
# Won and lost columns show what closed recently; older closes live in the list.
CLOSED_COLUMN_DAYS = 30
CARD_FIELDS = (
    "name",
    "amount",
    "probability",
    "expected_close_date",
    "closed_on",
    "stage_id",
    "customer__legal_name",
    "customer__trade_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


@dataclass
class Column:
    stage: Stage
    cards: list[Opportunity]
    count: int
    total: Decimal
    more_url: str
    # The <option>s of the no-JavaScript stage select, this column's stage selected.
    stage_options: SafeString

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


def _stage_options(stages: list[Stage], selected: Stage) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((stage.pk, " selected" if stage.pk == selected.pk else "", stage) for stage in stages),
    )


def _cards(queryset, stage: Stage, since: date) -> list[Opportunity]:
    cards = queryset.filter(stage=stage).select_related("customer", "owner").only(*CARD_FIELDS)
    if stage.is_closed:
        cards = cards.filter(closed_on__gte=since).order_by("-closed_on", "-pk")
    else:
        cards = cards.order_by("expected_close_date", "pk")
    return list(cards[:CARDS_PER_COLUMN])


def _more_url(stage: Stage, filters: QueryDict, since: date) -> str:
    query = QueryDict(mutable=True)
    for name in ("owner", "team"):
        if filters.get(name):
            query[name] = filters[name]
    query["stage"] = stage.pk
    if stage.is_closed:
        query["closed_since"] = since.isoformat()
        query["sort"] = "-closed"
    else:
        query["sort"] = "close"
    return f"{reverse('sales:opportunity_list')}?{query.urlencode()}"


def board_columns(queryset, stages: list[Stage], filters: QueryDict) -> list[Column]:
    """Columns for ``stages`` from ``queryset`` (already visible to the user and filtered).

    One aggregate query for every column's count and total, then one short query per
    column, read in close-date order from the (stage, expected_close_date) index.
    """
    since = timezone.localdate() - timedelta(days=CLOSED_COLUMN_DAYS)
    open_ids = [stage.pk for stage in stages if not stage.is_closed]
    closed_ids = [stage.pk for stage in stages if stage.is_closed]
    shown = queryset.filter(Q(stage_id__in=open_ids) | Q(stage_id__in=closed_ids, closed_on__gte=since))
    totals = {
        row["stage_id"]: row
        for row in shown.order_by().values("stage_id").annotate(count=Count("pk"), total=Sum("amount"))
    }
    columns = []
    for stage in stages:
        row = totals.get(stage.pk, {})
        columns.append(
            Column(
                stage=stage,
                cards=_cards(queryset, stage, since) if row else [],
                count=row.get("count", 0),
                total=row.get("total") or Decimal(0),
                more_url=_more_url(stage, filters, since),
                stage_options=_stage_options(stages, stage),
            )
        )
    return columns


def board_context(request: HttpRequest) -> dict:
    """Everything the board template needs, for the page and for its htmx fragment."""
    queryset = Opportunity.objects.visible_to(request.user)
    filterset = PipelineFilter(request.GET or None, queryset=queryset, user=request.user)
    stages = list(Stage.objects.filter(is_active=True))
    query = request.GET.copy()
    query_string = QueryDict(mutable=True)
    for name in ("owner", "team"):
        if query.get(name):
            query_string[name] = query[name]
    board_url = reverse("sales:board")
    if query_string:
        board_url = f"{board_url}?{query_string.urlencode()}"
    lost_reasons = LostReason.objects.filter(is_active=True)
    return {
        "filter": filterset,
        "columns": board_columns(filterset.qs, stages, request.GET),
        "board_url": board_url,
        "closed_days": CLOSED_COLUMN_DAYS,
        "lost_reason_options": format_html_join(
            "", '<option value="{}">{}</option>', ((reason.pk, reason) for reason in lost_reasons)
        ),
    }


def render_board(request: HttpRequest, extra: dict | None = None) -> HttpResponse:
    context = board_context(request)
    context.update(extra or {})
    template = "sales/board.html#board" if request.htmx else "sales/board.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@role_required()
def board(request: HttpRequest) -> HttpResponse:
    return render_board(request)
