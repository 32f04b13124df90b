"""One department panel of the customer page, loaded by htmx after the page (or opened alone)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from contacts.models import Customer
from contacts.panels import customer_panels
from crm.accounts.permissions import role_required


@role_required()
def customer_panel(request, pk: int, panel: str):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    shown = customer_panels.get(panel)
    if shown is None or not shown.is_shown(request, customer):
        raise Http404("No such panel for this user.")
    context = {
        "customer": customer,
        "panel_title": shown.title,
        "panel_template": shown.template_name,
        "panel": shown.get_context(request, customer),
    }
    template = "contacts/customer_panel.html#body" if request.htmx else "contacts/customer_panel.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response
