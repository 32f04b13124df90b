"""The home dashboard, the JSON its charts are drawn from, and the page to choose its cards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.accounts.permissions import role_required
from crm.accounts.roles import has_any_role
from crm.insights.dashboard.board import Board
from crm.insights.dashboard.forms import LayoutForm
from crm.insights.dashboard.layout import available_cards, cards_for, chosen_slugs, reset_layout, save_layout
from crm.insights.dashboard.registry import CARDS
from crm.insights.reports.periods import PRESETS, preset_period

PERIODS = [(key, label) for key, label in PRESETS if key != "custom"]
DEFAULT_PERIOD = "this_month"


def _board(request: HttpRequest) -> tuple[Board, str]:
    """The board for the period asked for; an unknown period is reported and this month shown."""
    preset, error = request.GET.get("period") or DEFAULT_PERIOD, ""
    if preset not in dict(PERIODS):
        preset, error = DEFAULT_PERIOD, _("That period is not one of the choices: this month is shown.")
    today = timezone.localdate()
    board = Board(
        user=request.user, now=timezone.now(), today=today, preset=preset, period=preset_period(preset, today)
    )
    return board, error


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the person's cards, each with a few figures and links to what is behind them."""
    if not has_any_role(request.user):
        return render(request, "insights/dashboard/home.html", {"has_role": False})
    board, error = _board(request)
    cards, chosen = cards_for(request.user)
    page = {
        "has_role": True,
        "board": board,
        "panels": [(card, card.figures(board)) for card in cards],
        "chosen": chosen,
        "periods": PERIODS,
        "period_error": error,
        "uses_period": any(card.uses_period for card in cards),
    }
    return render(request, "insights/dashboard/home.html", page)


@require_GET
@role_required()
def card_data(request: HttpRequest, slug: str) -> JsonResponse:
    """A card's chart as JSON, for ``static/js/dashboard.js`` to draw."""
    card = CARDS.get(slug)
    if card is None or not card.has_chart:
        return JsonResponse({"error": _("There is no such chart.")}, status=404)
    if not card.allowed(request.user):
        return JsonResponse({"error": _("This card is not for your role.")}, status=403)
    board, _error = _board(request)
    chart = card.chart(board)
    return JsonResponse(
        {"card": slug, "period": board.preset, "label": str(chart.label), "chart": chart.data()}
        if chart
        else {"card": slug, "period": board.preset, "chart": None}
    )


@require_http_methods(["GET", "POST"])
@role_required()
def customise(request: HttpRequest) -> HttpResponse:
    """Each person ticks the cards they want and gives each a place; the choice is saved."""
    cards = available_cards(request.user)
    chosen, _chose = chosen_slugs(request.user)
    if request.method == "POST" and "reset" in request.POST:
        reset_layout(user=request.user)
        messages.success(request, _("Your dashboard shows your role's cards again."))
        return redirect("home")
    # Bound on every POST: ticking no card at all is a choice too.
    form = LayoutForm(request.POST if request.method == "POST" else None, cards=cards, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        save_layout(user=request.user, slugs=form.chosen_slugs())
        messages.success(request, _("Your dashboard is saved."))
        return redirect("home")
    return render(
        request, "insights/dashboard/customise.html", {"form": form}, status=400 if form.errors else 200
    )
