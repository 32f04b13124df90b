"""The pipeline board: one column per active stage, a bounded number of cards in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.db import connections
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crm.accounts.permissions import role_required
from sales.filters import PipelineFilter
from sales.history import remembered
from sales.models import LostReason, Opportunity, Stage

CARDS_PER_COLUMN = 20
# Won and lost columns show what closed recently; older closes live in the list.
CLOSED_COLUMN_DAYS = 30
CARD_VALUES = (
    "pk",
    "name",
    "amount",
    "expected_close_date",
    "closed_on",
    "customer__legal_name",
    "customer__trade_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


@dataclass(slots=True)
class Card:
    """What a card shows, read as plain values."""

    pk: int
    name: str
    customer: str
    owner: str
    amount: Decimal
    day: date | None  # the expected close date, or the close date once closed
    url: str
    move_url: str


CARD_HTML = (
    '<article class="board-card card mb-2" draggable="true" id="opportunity-{pk}">'
    '<div class="card-body p-2">'
    '<div class="small text-body-secondary text-truncate">{customer}</div>'
    '<a href="{url}" class="fw-semibold" draggable="false">{name}</a>'
    '<div class="d-flex justify-content-between small"><span>{amount}</span> <span>{day}</span></div>'
    '<div class="small text-body-secondary text-truncate">{owner}</div>'
    '<form method="post" action="{move_url}" class="d-flex gap-1 mt-1 board-move">{hidden}'
    '<label class="flex-grow-1"><span class="visually-hidden">{label}</span>'
    '<select name="stage" class="form-select form-select-sm">{options}</select></label>'
    '<button class="btn btn-sm btn-outline-secondary" type="submit">{move}</button>'
    "</form></div></article>"
)


class CardWriter:
    """Writes cards straight from their values, as contacts.widgets.QuickSelect writes options.

    A board shows a hundred and more cards; reading a dozen template variables (or
    ``format_html`` arguments) for each made them the costliest part of the page. Every
    value from the database is escaped here; the markup is what a template would write.
    """

    def __init__(self, *, hidden: SafeString):
        self.hidden = hidden  # the form fields every card's form carries
        self.move = escape(_("Move"))
        self.label = _("Stage of %(name)s")
        self.date_format = formats.get_format("SHORT_DATE_FORMAT")
        self.amount = amount_formatter()
        self.days: dict[date, str] = {}  # many cards share a day

    def day(self, day: date | None) -> str:
        if day is None:
            return ""
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = dateformat.format(day, self.date_format)
        return text

    def __call__(self, cards: list[Card], options: SafeString) -> SafeString:
        return mark_safe(  # noqa: S308 - every value below is escaped or already safe
            "".join(
                CARD_HTML.format(
                    pk=card.pk,
                    customer=escape(card.customer),
                    url=escape(card.url),
                    name=escape(card.name),
                    amount=self.amount(card.amount),
                    day=self.day(card.day),
                    owner=escape(card.owner),
                    move_url=escape(card.move_url),
                    hidden=self.hidden,
                    label=escape(self.label % {"name": card.name}),
                    options=options,
                    move=self.move,
                )
                for card in cards
            )
        )


@dataclass
class Column:
    stage: Stage
    cards: list[Card]
    count: int
    total: Decimal
    more_url: str
    # The <option>s of the no-JavaScript stage select, this column's stage selected.
    stage_options: SafeString
    html: str = ""  # the cards, once written

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @property
    def stage_id(self) -> str:
        return str(self.stage.pk)


def _stage_options(stages: list[Stage], selected: Stage) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((stage.pk, " selected" if stage.pk == selected.pk else "", stage) for stage in stages),
    )


def amount_formatter() -> Callable[[Decimal], str]:
    """What ``floatformat:"0g"`` writes (whole amount, the language's thousands separator),
    without its per-call cost: a hundred and more amounts on a page."""
    separator = formats.get_format("THOUSAND_SEPARATOR")

    def format_amount(value: Decimal) -> str:
        text = f"{Decimal(value).quantize(Decimal(1), ROUND_HALF_UP):,f}"
        return "0" if text == "-0" else text.replace(",", separator)

    return format_amount


def url_for_pk(name: str) -> Callable[[int], str]:
    """The address of ``name`` for any primary key, from a single ``reverse()``.

    ``reverse()`` costs about 60 µs; a board has a hundred and more cards, each with its page
    and its move address, which differ only by the key.
    """
    marker = 987654321
    head, _marker, tail = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _column_rows(values, stage: Stage, since: date):
    rows = values.filter(stage=stage)
    if stage.is_closed:
        rows = rows.filter(closed_on__gte=since).order_by("-closed_on", "-pk")
    else:
        rows = rows.order_by("expected_close_date", "pk")
    return rows[:CARDS_PER_COLUMN]


def _card_rows(queryset, stages: list[Stage], since: date) -> list[dict]:
    """The first cards of every column: one query where the database allows a LIMIT inside a
    UNION ALL (PostgreSQL), else one per column."""
    # The joins of the card values are set up once, not once per column.
    values = queryset.values(*CARD_VALUES, "stage_id")
    parts = [_column_rows(values, stage, since) for stage in stages]
    if not parts:
        return []
    if connections[queryset.db].features.supports_slicing_ordering_in_compound and len(parts) > 1:
        return list(parts[0].union(*parts[1:], all=True))
    return [row for part in parts for row in part]


def _card(row: dict, urls: dict[str, Callable[[int], str]], closed: bool) -> Card:
    pk = row["pk"]
    owner = f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"]
    return Card(
        pk=pk,
        name=row["name"],
        customer=row["customer__trade_name"] or row["customer__legal_name"],
        owner=owner,
        amount=row["amount"],
        day=row["closed_on"] if closed else row["expected_close_date"],
        url=urls["detail"](pk),
        move_url=urls["move"](pk),
    )


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


def board_columns(queryset, stages: list[Stage], filters: QueryDict, *, hidden: SafeString) -> list[Column]:
    """Columns for ``stages`` from ``queryset`` (already visible to the user and filtered);
    ``hidden`` holds the form fields that every card's form carries.

    One aggregate query for every column's count and total, then the first cards of each
    column in close-date order, read from the (stage, expected_close_date, id) index.
    """
    since = timezone.localdate() - timedelta(days=CLOSED_COLUMN_DAYS)
    open_ids = [stage.pk for stage in stages if not stage.is_closed]
    closed_ids = [stage.pk for stage in stages if stage.is_closed]
    shown = queryset.filter(Q(stage_id__in=open_ids) | Q(stage_id__in=closed_ids, closed_on__gte=since))
    per_stage = shown.order_by().values("stage_id").annotate(count=Count("pk"), total=Sum("amount"))
    # Filtered on the deals' own columns only: remembered until a deal or a stage changes,
    # named by the deals' SQL and the columns (cheaper to write than the grouped query's SQL).
    found = remembered("board-totals", queryset, lambda: list(per_stage), extra=(open_ids, closed_ids, since))
    totals = {row["stage_id"]: row for row in found}
    filled = [stage for stage in stages if stage.pk in totals]
    urls = {"detail": url_for_pk("sales:opportunity_detail"), "move": url_for_pk("sales:opportunity_move")}
    closed = {stage.pk: stage.is_closed for stage in stages}
    cards: dict[int, list[Card]] = {stage.pk: [] for stage in stages}
    for row in _card_rows(queryset, filled, since):
        cards[row["stage_id"]].append(_card(row, urls, closed[row["stage_id"]]))
    # UNION ALL promises no order across its parts: put each column back in date order.
    for stage_id, column_cards in cards.items():
        column_cards.sort(key=lambda card: (card.day or date.min, card.pk), reverse=closed[stage_id])
    columns = [
        Column(
            stage=stage,
            cards=cards[stage.pk],
            count=totals.get(stage.pk, {}).get("count", 0),
            total=totals.get(stage.pk, {}).get("total") or Decimal(0),
            more_url=_more_url(stage, filters, since),
            stage_options=_stage_options(stages, stage),
        )
        for stage in stages
    ]
    write = CardWriter(hidden=hidden)
    for column in columns:
        column.html = write(column.cards, column.stage_options)
    return columns


def board_context(request: HttpRequest) -> dict:
    """Everything the board template needs, for the page and for its htmx fragment."""
    queryset = Opportunity.objects.visible_to(request.user)
    filterset = PipelineFilter(request.GET or None, queryset=queryset, user=request.user)
    stages = list(Stage.objects.filter(is_active=True))
    kept = QueryDict(mutable=True)
    for name in ("owner", "team"):
        if request.GET.get(name):
            kept[name] = request.GET[name]
    board_url = reverse("sales:board") + (f"?{kept.urlencode()}" if kept else "")
    # The same on every card's form: its token and the way back to this board.
    hidden = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">',
        get_token(request),
        board_url,
    )
    lost_reasons = LostReason.objects.filter(is_active=True)
    return {
        "filter": filterset,
        "columns": board_columns(filterset.qs, stages, request.GET, hidden=hidden),
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
