"""Pipeline pages: the opportunity list, its page, its form, moves between stages, visits."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.forms import ActivityForm
from contacts.models import Activity, Customer
from contacts.pagination import EitherEndPaginator
from crm.accounts.permissions import role_required
from sales.filters import OpportunityFilter
from sales.forms.pipeline import MoveForm, OpportunityForm
from sales.history import remembered
from sales.models import LostReason, Opportunity, Quote, Stage
from sales.services import pipeline as services
from sales.views.pipeline_board import board, render_board, url_for_pk

CUSTOMER_CHOICES_SHOWN = 20
DETAIL_ROWS_SHOWN = 50


def _visible(request: HttpRequest, pk: int) -> Opportunity:
    return get_object_or_404(Opportunity.objects.visible_to(request.user), pk=pk)


def _totals(queryset) -> dict:
    """Count, amount and probability-weighted amount of the filtered set, in one query."""
    weighted = ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    row = queryset.order_by().aggregate(
        number=Count("pk"), amount_sum=Sum("amount"), weighted_sum=Sum(weighted)
    )
    totals = {
        "count": row["number"],
        "amount": row["amount_sum"] or Decimal(0),
        "weighted": (Decimal(row["weighted_sum"] or 0) / 100).quantize(Decimal("0.01")),
    }
    return totals


LIST_VALUES = (
    "pk",
    "name",
    "amount",
    "probability",
    "expected_close_date",
    "customer__legal_name",
    "customer__trade_name",
    "stage__name",
    "stage__is_won",
    "stage__is_lost",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "team__name",
)


def _page(filtered, number: str | None, count: int) -> Page:
    """One page of the filtered list: keys first, then only that page's rows as plain values
    (written by ``{% opportunity_rows %}``).

    Sorting and skipping over keys alone lets the database leave the joins out until it knows
    which fifty rows it needs.
    """
    paginator = EitherEndPaginator(filtered.values_list("pk", flat=True), settings.CRM_LIST_PAGE_SIZE)
    paginator.count = count  # already counted with the totals
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = (
        {row["pk"]: row for row in Opportunity.objects.filter(pk__in=ids).values(*LIST_VALUES)} if ids else {}
    )
    url = url_for_pk("sales:opportunity_detail")
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    for row in page.object_list:
        row["url"] = url(row["pk"])
    return page


def _is_unfiltered(query) -> bool:
    """Whether the list shows the viewer's whole scope (only its page or order chosen)."""
    return not any(
        value for name, values in query.lists() if name not in {"page", "sort"} for value in values
    )


def _list_totals(request: HttpRequest, filtered) -> dict:
    """The totals of the list; those of the viewer's unfiltered scope are remembered until a
    deal or stage changes (``sales.history.pipeline_history``)."""
    if not _is_unfiltered(request.GET):
        return _totals(filtered)
    return remembered("list-totals", filtered.order_by(), lambda: _totals(filtered))


@role_required()
def opportunity_list(request: HttpRequest) -> HttpResponse:
    queryset = Opportunity.objects.visible_to(request.user)
    filterset = OpportunityFilter(request.GET or None, queryset=queryset, user=request.user)
    totals = _list_totals(request, filterset.qs)
    page_obj = _page(filterset.qs, request.GET.get("page"), totals["count"])
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "totals": totals,
        "query_string": query.urlencode(),
        "unsorted_query_string": unsorted.urlencode(),
        "current_sort": request.GET.get("sort", ""),
    }
    template = "sales/opportunity_list.html#results" if request.htmx else "sales/opportunity_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _activities(opportunity: Opportunity):
    related_type = ContentType.objects.get_for_model(Opportunity)
    return (
        Activity.objects.filter(related_type=related_type, related_id=opportunity.pk)
        .select_related("user", "contact")
        .order_by("-occurred_at", "-pk")[:DETAIL_ROWS_SHOWN]
    )


@role_required()
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related(
            "customer", "owner", "team", "stage", "lost_reason"
        ),
        pk=pk,
    )
    context = {
        "opportunity": opportunity,
        "activities": _activities(opportunity),
        "history": opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")[
            :DETAIL_ROWS_SHOWN
        ],
        "quotes": Quote.objects.visible_to(request.user).filter(opportunity=opportunity)[:DETAIL_ROWS_SHOWN],
        "stages": Stage.objects.filter(is_active=True),
        "lost_reasons": LostReason.objects.filter(is_active=True),
    }
    return render(request, "sales/opportunity_detail.html", context)


def _customer_from(request: HttpRequest, value: str | None) -> Customer | None:
    if not value or not value.isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=value).first()


def _choose_customer(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    customers = Customer.objects.visible_to(request.user).for_list()
    customers = customers.search(query) if query else customers.filter(owner=request.user)
    return render(
        request,
        "sales/opportunity_choose_customer.html",
        {"query": query, "customers": customers[:CUSTOMER_CHOICES_SHOWN]},
    )


def _redirect_after_save(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    # Given to someone on another team, the opportunity may no longer be the user's to see.
    if not Opportunity.objects.visible_to(request.user).filter(pk=opportunity.pk).exists():
        return redirect("sales:board")
    return redirect(opportunity)


@role_required()
def opportunity_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        customer = _customer_from(request, request.POST.get("customer"))
    elif "customer" in request.GET:
        customer = _customer_from(request, request.GET["customer"])
        if customer is None:
            raise Http404
    else:
        return _choose_customer(request)
    initial = {"customer": customer.pk if customer else None}
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        opportunity = services.create_opportunity(data=form.cleaned_data, by=request.user)
        messages.success(request, _("Opportunity %(name)s opened.") % {"name": opportunity})
        return _redirect_after_save(request, opportunity)
    return render(request, "sales/opportunity_form.html", {"form": form, "customer": customer})


@role_required()
def opportunity_update(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("customer", "stage"), pk=pk
    )
    customer = opportunity.customer
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        opportunity = services.update_opportunity(
            opportunity=opportunity, data=form.cleaned_data, by=request.user
        )
        messages.success(request, _("Opportunity %(name)s saved.") % {"name": opportunity})
        return _redirect_after_save(request, opportunity)
    return render(
        request,
        "sales/opportunity_form.html",
        {"form": form, "customer": customer, "opportunity": opportunity},
    )


def _next_url(request: HttpRequest, opportunity: Opportunity) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return opportunity.get_absolute_url()


@require_POST
@role_required()
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to another stage: from the board (htmx, answers the board) or a plain form."""
    opportunity = _visible(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        moved = services.move_opportunity(
            opportunity=opportunity,
            stage=form.cleaned_data["stage"],
            lost_reason=form.cleaned_data["lost_reason"],
            by=request.user,
        )
        if request.htmx:
            return render_board(request)
        messages.success(request, _("%(name)s is now in %(stage)s.") % {"name": moved, "stage": moved.stage})
        return redirect(_next_url(request, moved))
    if request.htmx:
        # htmx swaps only successful answers: the board comes back as it is, with the reason.
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return render_board(request, {"move_errors": errors})
    return render(
        request,
        "sales/opportunity_move.html",
        {"opportunity": opportunity, "form": form, "next": request.POST.get("next", "")},
    )


@role_required()
def opportunity_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a visit, meeting, call, email or note about the opportunity."""
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    form = ActivityForm(
        request.POST or None, customer=opportunity.customer, initial={"kind": Activity.Kind.VISIT}
    )
    if request.method == "POST" and form.is_valid():
        services.log_opportunity_activity(opportunity=opportunity, by=request.user, **form.cleaned_data)
        if request.htmx:
            response = render(
                request,
                "sales/opportunity_detail.html#activities",
                {"opportunity": opportunity, "activities": _activities(opportunity)},
            )
            response["HX-Trigger"] = "activity-logged"
            return response
        messages.success(request, _("Activity logged."))
        return redirect(opportunity)
    context = {"opportunity": opportunity, "form": form}
    if not request.htmx:
        return render(request, "sales/opportunity_activity_form.html", context)
    response = render(request, "sales/opportunity_activity_form.html#form", context)
    # A form with errors goes back into its slot, not into the list it would have updated.
    response["HX-Retarget"] = "#activity-form"
    response["HX-Reswap"] = "innerHTML"
    return response


urlpatterns = [
    path("pipeline/", board, name="board"),
    path("opportunities/", opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", opportunity_update, name="opportunity_update"),
    path("opportunities/<int:pk>/move/", opportunity_move, name="opportunity_move"),
    path("opportunities/<int:pk>/activities/new/", opportunity_activity, name="opportunity_activity"),
]
