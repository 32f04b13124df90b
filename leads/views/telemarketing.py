"""Telemarketing pages: the lead list and page, the call queue and call screen, disqualifying,
leads entered by hand, and bulk reassignment."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from contacts.models import Activity, Customer
from contacts.pagination import EitherEndPaginator
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role, has_role, is_supervisor
from leads import services
from leads.capture.distribution import reassign_leads
from leads.filters import LeadFilter
from leads.forms import CallForm, DisqualifyForm, LeadForm, ReassignForm, telemarketers
from leads.models import DisqualificationReason, Lead
from leads.queue import next_callback, next_lead
from leads.services import CallOutcome

CALLERS = (Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)
WORKERS = (*CALLERS, Role.SALES_REP)
HISTORY_SHOWN = 20
CALLS_SHOWN = 50
DEFAULT_SCRIPT = gettext_lazy(
    "Introduce yourself and the company. Ask whether they have a need we can help with, whether "
    "there is a budget for it, who decides, and when they expect to decide."
)


def _visible(request: HttpRequest, pk: int) -> Lead:
    return get_object_or_404(
        Lead.objects.visible_to(request.user).select_related(
            "customer", "contact", "campaign", "assigned_to", "team", "disqualification_reason"
        ),
        pk=pk,
    )


def after_lead_url(request: HttpRequest, lead: Lead) -> str:
    """Callers go on with their queue; anyone else back to the lead."""
    if has_role(request.user, *CALLERS):
        return reverse("leads:queue")
    return lead.get_absolute_url()


def _page(filtered, number: str | None) -> Page:
    """One page of the filtered list: keys first, then only that page's rows with their relations."""
    paginator = EitherEndPaginator(filtered.values_list("pk", flat=True), settings.CRM_LIST_PAGE_SIZE)
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = (
        Lead.objects.for_list()
        .select_related("team")
        .defer("customer__search_text", "customer__notes")
        .in_bulk(ids)
    )
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


@role_required()
def lead_list(request: HttpRequest) -> HttpResponse:
    filterset = LeadFilter(
        request.GET or None, queryset=Lead.objects.visible_to(request.user), user=request.user
    )
    page_obj = _page(filterset.qs, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_reassign = is_supervisor(request.user)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "can_reassign": can_reassign,
        "can_call": has_role(request.user, *CALLERS),
        "telemarketers": telemarketers() if can_reassign else (),
    }
    template = "leads/lead_list.html#results" if request.htmx else "leads/lead_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _calls(lead: Lead):
    return (
        Activity.objects.filter(
            related_type=ContentType.objects.get_for_model(Lead), related_id=lead.pk, kind=Activity.Kind.CALL
        )
        .for_timeline()
        .filter(customer_id=lead.customer_id)[:CALLS_SHOWN]
    )


@role_required()
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible(request, pk)
    context = {
        "lead": lead,
        "customer": lead.customer,
        "calls": _calls(lead),
        "opportunities": lead.opportunities.all()[:CALLS_SHOWN]
        if lead.status == Lead.Status.CONVERTED
        else (),
        "is_open": lead.status in services.OPEN_STATUSES,
        "can_call": has_role(request.user, *CALLERS),
        "can_work": has_role(request.user, *WORKERS),
    }
    return render(request, "leads/lead_detail.html", context)


@role_required()
def lead_create(request: HttpRequest) -> HttpResponse:
    """A lead entered by hand on a customer: ?customer=<pk>."""
    value = request.GET.get("customer", "")
    customer = Customer.objects.visible_to(request.user).filter(pk=value).first() if value.isdigit() else None
    if customer is None:
        raise Http404
    form = LeadForm(request.POST or None, customer=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = services.create_lead(customer=customer, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Lead added for %(customer)s.") % {"customer": customer.display_name})
        if Lead.objects.visible_to(request.user).filter(pk=lead.pk).exists():
            return redirect(lead)
        return redirect(customer)
    return render(request, "leads/lead_form.html", {"form": form, "customer": customer})


@role_required(*CALLERS)
def queue(request: HttpRequest) -> HttpResponse:
    """The next lead's call screen, or word that the queue is empty (and when it fills again)."""
    lead = next_lead(request.user)
    if lead is not None:
        return redirect("leads:call", pk=lead.pk)
    return render(request, "leads/queue_empty.html", {"next_callback": next_callback(request.user)})


def _call_context(lead: Lead, form: CallForm) -> dict:
    customer = lead.customer
    campaign = lead.campaign
    return {
        "lead": lead,
        "customer": customer,
        "form": form,
        "outcomes": CallOutcome.choices,
        "script": (campaign.description if campaign and campaign.description else DEFAULT_SCRIPT),
        "contacts": customer.contacts.all()[:HISTORY_SHOWN],
        "history": Activity.objects.filter(customer=customer).for_timeline()[:HISTORY_SHOWN],
    }


def _disqualify_url(lead: Lead, outcome: str) -> str:
    url = reverse("leads:disqualify", args=[lead.pk])
    name = CallOutcome.SUGGESTED_REASONS.get(outcome)
    reason = DisqualificationReason.objects.filter(name=name, is_active=True).first() if name else None
    return f"{url}?reason={reason.pk}" if reason else url


@role_required(*CALLERS)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """One screen to call a lead: details, history, a script, notes, and one click per outcome."""
    lead = _visible(request, pk)
    if lead.status not in services.OPEN_STATUSES:
        messages.info(request, _("This lead is no longer open."))
        return redirect(lead)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]
        try:
            services.log_call(
                lead=lead,
                by=request.user,
                outcome=outcome,
                notes=data["notes"],
                duration_minutes=data["duration_minutes"],
                callback_at=data["callback_at"],
            )
        except services.CallbackInPastError as error:
            form.add_error("callback_at", str(error))
        else:
            if outcome in CallOutcome.SUGGESTED_REASONS:
                return redirect(_disqualify_url(lead, outcome))
            if outcome == CallOutcome.INTERESTED:
                return redirect("leads:qualify", pk=lead.pk)
            if outcome == CallOutcome.SOLD:
                return redirect(reverse("leads:qualify", args=[lead.pk]) + "?won=1")
            messages.success(
                request,
                _("Call logged: %(outcome)s.") % {"outcome": CallOutcome.label(outcome)},
            )
            return redirect("leads:queue")
    status = 400 if form.errors else 200
    return render(request, "leads/call.html", _call_context(lead, form), status=status)


@role_required(*WORKERS)
def qualify(request: HttpRequest, pk: int) -> HttpResponse:
    """The qualify screen lives with the conversion in sales; this name keeps the leads' links."""
    lead = _visible(request, pk)
    url = reverse("sales:lead_convert", args=[lead.pk])
    if request.GET.get("won") == "1":
        url += "?won=1"
    return redirect(url)


@role_required(*WORKERS)
def disqualify(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible(request, pk)
    if lead.status not in services.OPEN_STATUSES:
        messages.info(request, _("This lead is no longer open."))
        return redirect(lead)
    initial = {}
    if request.GET.get("reason", "").isdigit():
        initial["reason"] = int(request.GET["reason"])
    form = DisqualifyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.disqualify_lead(
            lead=lead, reason=form.cleaned_data["reason"], notes=form.cleaned_data["notes"], by=request.user
        )
        messages.success(
            request, _("Lead disqualified: %(reason)s.") % {"reason": form.cleaned_data["reason"]}
        )
        return redirect(after_lead_url(request, lead))
    status = 400 if form.errors else 200
    return render(request, "leads/lead_disqualify.html", {"lead": lead, "form": form}, status=status)


def _back_to_list(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("leads:lead_list")


@require_POST
@role_required(Role.MANAGER, Role.ADMIN)
def reassign(request: HttpRequest) -> HttpResponse:
    form = ReassignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            count = reassign_leads(
                lead_ids=[lead.pk for lead in form.cleaned_data["leads"]],
                to_user=form.cleaned_data["telemarketer"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_back_to_list(request))
        messages.success(
            request,
            ngettext("%(count)s lead given to %(user)s.", "%(count)s leads given to %(user)s.", count)
            % {"count": count, "user": form.cleaned_data["telemarketer"]},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_back_to_list(request))


urlpatterns = [
    path("", lead_list, name="lead_list"),
    path("new/", lead_create, name="lead_create"),
    path("reassign/", reassign, name="reassign"),
    path("queue/", queue, name="queue"),
    path("<int:pk>/", lead_detail, name="lead_detail"),
    path("<int:pk>/call/", call, name="call"),
    path("<int:pk>/qualify/", qualify, name="qualify"),
    path("<int:pk>/disqualify/", disqualify, name="disqualify"),
]
