"""Campaign pages: the list with totals, the form, the page with its figures, the web form switch."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm.accounts.permissions import role_required
from marketing import services
from marketing.forms import AddSegmentForm, CampaignFilter, CampaignForm, WebFormToggleForm
from marketing.models import Campaign, CampaignMember, Segment


def _count_of(relation: str) -> Subquery:
    """How many rows of a reverse relation each campaign has, as a correlated subquery."""
    counted = (
        Campaign.objects.filter(pk=OuterRef("pk"))
        .annotate(number=Count(relation))
        .values("number")
        .order_by()
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _totals(queryset) -> dict:
    row = queryset.order_by().aggregate(number=Count("pk"), budget=Sum("budget"), cost=Sum("actual_cost"))
    return {
        "count": row["number"],
        "budget": row["budget"] or Decimal(0),
        "cost": row["cost"] or Decimal(0),
    }


@role_required()
def campaign_list(request: HttpRequest) -> HttpResponse:
    filterset = CampaignFilter(request.GET or None, queryset=Campaign.objects.visible_to(request.user))
    rows = filterset.qs.for_list().annotate(member_count=_count_of("members"), lead_count=_count_of("leads"))
    page_obj = Paginator(rows, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "totals": _totals(filterset.qs),
        "query_string": query.urlencode(),
        "can_edit": services.can_edit_campaigns(request.user),
    }
    template = "marketing/campaign_list.html#results" if request.htmx else "marketing/campaign_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _web_form_url(request: HttpRequest, campaign: Campaign) -> str | None:
    try:
        return request.build_absolute_uri(reverse("leads:web_form", args=[campaign.web_form_token]))
    except NoReverseMatch:
        return None


@role_required()
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("owner", "team"), pk=pk
    )
    figures = services.campaign_figures(campaign)
    members = (
        CampaignMember.objects.filter(campaign=campaign)
        .select_related("customer")
        .order_by("-added_at", "-pk")
    )
    paginator = Paginator(members, settings.CRM_LIST_PAGE_SIZE)
    paginator.count = figures.members  # counted with the figures
    can_edit = services.can_edit_campaigns(request.user)
    context = {
        "campaign": campaign,
        "figures": figures,
        "roi_percent": figures.roi * 100 if figures.roi is not None else None,
        "page_obj": paginator.get_page(request.GET.get("page")),
        "query_string": "",
        "can_edit": can_edit,
        "web_form_url": _web_form_url(request, campaign),
        "add_segment_form": AddSegmentForm() if can_edit else None,
        "mailings": campaign.mailings.order_by("-created_at")[:10],
    }
    return render(request, "marketing/campaign_detail.html", context)


def _form_page(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.save_campaign(campaign=form.save(commit=False), by=request.user)
        if campaign is None:
            messages.success(request, _("Campaign %(name)s created.") % {"name": saved.name})
        else:
            messages.success(request, _("Campaign %(name)s saved.") % {"name": saved.name})
        return redirect(saved)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign})


@role_required(*services.CAMPAIGN_EDITORS)
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@role_required(*services.CAMPAIGN_EDITORS)
def campaign_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk))


@require_POST
@role_required(*services.CAMPAIGN_EDITORS)
def campaign_web_form(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    form = WebFormToggleForm(request.POST)
    form.is_valid()  # an unchecked box is simply "closed"
    enabled = bool(form.cleaned_data.get("enabled"))
    services.set_web_form(campaign=campaign, enabled=enabled, by=request.user)
    if enabled:
        messages.success(request, _("The web form is open."))
    else:
        messages.success(request, _("The web form is closed."))
    return redirect(campaign)


@require_POST
@role_required(*services.CAMPAIGN_EDITORS)
def campaign_add_segment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a segment's current members to the campaign (POST ``segment=<id>``)."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    form = AddSegmentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(campaign)
    return add_members(request, campaign=campaign, segment=form.cleaned_data["segment"])


def add_members(request: HttpRequest, *, campaign: Campaign, segment: Segment) -> HttpResponse:
    """Shared by the campaign page and the segment page: add, say how many, go to the campaign."""
    try:
        added = services.add_segment_to_campaign(campaign=campaign, segment=segment, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(segment)
    if added:
        text = ngettext(
            "%(count)s customer of %(segment)s added to %(campaign)s.",
            "%(count)s customers of %(segment)s added to %(campaign)s.",
            added,
        )
        messages.success(request, text % {"count": added, "segment": segment.name, "campaign": campaign.name})
    else:
        messages.info(
            request,
            _("Every customer of %(segment)s was already in %(campaign)s.")
            % {"segment": segment.name, "campaign": campaign.name},
        )
    return redirect(campaign)


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_update, name="campaign_update"),
    path("campaigns/<int:pk>/web-form/", campaign_web_form, name="campaign_web_form"),
    path("campaigns/<int:pk>/add-segment/", campaign_add_segment, name="campaign_add_segment"),
]
