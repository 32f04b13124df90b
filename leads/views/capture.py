"""Lead capture pages: importing a list into a campaign, and the campaign's public web form."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts.importing.reading import ImportFileError
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role
from leads.capture import importer, webform
from leads.forms_capture import ColumnMappingForm, LeadImportUploadForm, WebLeadForm
from leads.models import LeadImport
from marketing.models import Campaign

IMPORT_ROLES = (Role.MARKETING, Role.MANAGER, Role.ADMIN)


def _visible_import(request: HttpRequest, pk: int) -> LeadImport:
    campaigns = Campaign.objects.visible_to(request.user)
    return get_object_or_404(
        LeadImport.objects.select_related("campaign", "distribute_to_team").filter(campaign__in=campaigns),
        pk=pk,
    )


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    form = LeadImportUploadForm(
        request.POST or None, request.FILES or None, initial={"distribute_to_team": campaign.team}
    )
    if request.method == "POST" and form.is_valid():
        record = importer.start_import(
            campaign=campaign,
            upload=form.cleaned_data["file"],
            table=form.table,
            distribute_to_team=form.cleaned_data["distribute_to_team"],
            by=request.user,
        )
        return redirect("leads:import_detail", pk=record.pk)
    recent = LeadImport.objects.filter(campaign=campaign).select_related("uploaded_by")[:10]
    return render(request, "leads/import_start.html", {"campaign": campaign, "form": form, "recent": recent})


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Mapping, then preview and confirm, then progress and result: one page that follows the import."""
    record = _visible_import(request, pk)
    headers = record.mapping.get("headers", [])
    mapping_form = ColumnMappingForm(
        request.POST if "map" in request.POST else None,
        headers=headers,
        initial_fields=record.mapping.get("fields", []),
    )
    if request.method == "POST":
        if "confirm" in request.POST:
            importer.confirm_import(lead_import=record, by=request.user)
            return redirect("leads:import_detail", pk=record.pk)
        if mapping_form.is_valid():
            try:
                importer.preview_import(lead_import=record, fields=mapping_form.chosen_fields())
            except ImportFileError as error:
                mapping_form.add_error(None, str(error))
            else:
                return redirect("leads:import_detail", pk=record.pk)
    editing = record.status == LeadImport.Status.UPLOADED or "remap" in request.GET or mapping_form.errors
    context = {
        "record": record,
        "campaign": record.campaign,
        "mapping_form": mapping_form,
        "editing": editing and record.status in (LeadImport.Status.UPLOADED, LeadImport.Status.PREVIEWED),
        "counts": record.result.get("counts", {}),
        "summary": record.result.get("summary", {}),
    }
    return render(request, "leads/import_detail.html", context)


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET"])
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible_import(request, pk)
    context = {"record": record, "campaign": record.campaign, "summary": record.result.get("summary", {})}
    response = render(request, "leads/import_detail.html#progress", context)
    if record.status != LeadImport.Status.IMPORTING and request.htmx:
        # Finished: reload the page so the result and skipped rows show in full.
        response["HX-Refresh"] = "true"
    return response


def _open_campaign(token: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("team").filter(web_form_token=token, web_form_enabled=True).first()
    )
    if campaign is None:
        raise Http404(_("This form is not available."))
    return campaign


def _client_ip(request: HttpRequest) -> str:
    # The proxy in front of the app sets REMOTE_ADDR to the visitor's address (as for axes).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@require_http_methods(["GET", "POST"])
def web_form(request: HttpRequest, token: str) -> HttpResponse:
    campaign = _open_campaign(token)
    form = WebLeadForm(request.POST or None)
    if request.method == "POST":
        if not webform.allow_entry(client_ip=_client_ip(request)):
            return render(request, "leads/web_form_limited.html", {"campaign": campaign}, status=429)
        if form.is_spam:
            return redirect("leads:web_form_thanks", token=token)
        if form.is_valid():
            webform.capture_web_lead(campaign=campaign, data=form.cleaned_data)
            return redirect("leads:web_form_thanks", token=token)
    return render(request, "leads/web_form.html", {"campaign": campaign, "form": form})


@require_http_methods(["GET"])
def web_form_thanks(request: HttpRequest, token: str) -> HttpResponse:
    campaign = _open_campaign(token)
    return render(request, "leads/web_form_thanks.html", {"campaign": campaign})


urlpatterns = [
    path("campaigns/<int:pk>/import/", import_start, name="import_start"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_progress, name="import_progress"),
    path("form/<str:token>/", web_form, name="web_form"),
    path("form/<str:token>/thanks/", web_form_thanks, name="web_form_thanks"),
]
