"""Segment pages: the list, the form (filled in from a customer-list query string), the members."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.permissions import role_required
from marketing import services
from marketing.forms import AddToCampaignForm, SegmentForm
from marketing.models import Campaign, Segment
from marketing.segments import filters_are_valid, segment_members
from marketing.views.campaigns import add_members


@role_required(*services.CAMPAIGN_EDITORS)
def segment_list(request: HttpRequest) -> HttpResponse:
    segments = Segment.objects.select_related("owner").order_by("name", "pk")
    page_obj = Paginator(segments, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketing/segment_list.html", {"page_obj": page_obj, "query_string": ""})


@role_required(*services.CAMPAIGN_EDITORS)
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("owner"), pk=pk)
    members = segment_members(segment, user=request.user).select_related("owner")
    page_obj = Paginator(members, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "filters_valid": filters_are_valid(segment.filters or {}, user=request.user),
        "page_obj": page_obj,
        "query_string": "",
        "add_form": AddToCampaignForm(user=request.user),
    }
    return render(request, "marketing/segment_detail.html", context)


def _form_page(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    source = segment.filters if segment else request.GET
    form = SegmentForm(request.POST or None, instance=segment, initial=SegmentForm.initial_from(source))
    if request.method == "POST" and form.is_valid():
        saved = services.save_segment(
            segment=form.save(commit=False), filters=form.filters(), by=request.user
        )
        messages.success(request, _("Segment %(name)s saved.") % {"name": saved.name})
        return redirect(saved)
    return render(request, "marketing/segment_form.html", {"form": form, "segment": segment})


@role_required(*services.CAMPAIGN_EDITORS)
def segment_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@role_required(*services.CAMPAIGN_EDITORS)
def segment_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, get_object_or_404(Segment, pk=pk))


@require_POST
@role_required(*services.CAMPAIGN_EDITORS)
def segment_add_to_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """The segment page's "Add to campaign" (POST ``campaign=<id>``)."""
    segment = get_object_or_404(Segment, pk=pk)
    form = AddToCampaignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(segment)
    campaign: Campaign = form.cleaned_data["campaign"]
    return add_members(request, campaign=campaign, segment=segment)


urlpatterns = [
    path("segments/", segment_list, name="segment_list"),
    path("segments/new/", segment_create, name="segment_create"),
    path("segments/<int:pk>/", segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segment_update, name="segment_update"),
    path("segments/<int:pk>/add-to-campaign/", segment_add_to_campaign, name="segment_add_to_campaign"),
]
