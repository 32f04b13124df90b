"""Qualify a lead and hand it to a sales rep as an opportunity."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from crm.accounts.permissions import role_required
from crm.accounts.roles import Role, has_role
from leads.models import Lead
from leads.services import OPEN_STATUSES, LeadClosedError
from sales.forms.conversion import ConvertLeadForm
from sales.services.conversion import NoOpenStageError, convert_lead
from sales.services.pipeline import NoWonStageError

CONVERTERS = (Role.TELEMARKETER, Role.MANAGER, Role.ADMIN, Role.SALES_REP)
CALLERS = (Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)


@role_required(*CONVERTERS)
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        Lead.objects.visible_to(request.user).select_related("customer", "contact", "campaign"), pk=pk
    )
    if lead.status not in OPEN_STATUSES:
        messages.info(request, _("This lead is no longer open."))
        return redirect(lead)
    won = (request.POST or request.GET).get("won") == "1"
    initial = {
        "need": lead.need,
        "budget": lead.budget,
        "authority": lead.authority,
        "timeline": lead.timeline,
        "name": lead.campaign.name if lead.campaign else lead.customer.display_name,
    }
    form = ConvertLeadForm(request.POST or None, won=won, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = convert_lead(lead=lead, by=request.user, won=won, **form.cleaned_data)
        except (LeadClosedError, NoWonStageError, NoOpenStageError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(opportunity)s handed to %(rep)s.")
                % {"opportunity": opportunity, "rep": opportunity.owner},
            )
            if has_role(request.user, *CALLERS):
                return redirect("leads:queue")
            return redirect(reverse("leads:lead_detail", args=[lead.pk]))
    status = 400 if form.errors else 200
    return render(request, "sales/lead_convert.html", {"lead": lead, "form": form, "won": won}, status=status)


urlpatterns = [
    path("leads/<int:pk>/convert/", lead_convert, name="lead_convert"),
]
