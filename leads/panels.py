"""The leads panel on the customer page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.panels import CustomerPanel


class LeadsPanel(CustomerPanel):
    title = _("Leads")
    template_name = "leads/panels/leads.html"

    def get_context(self, request, customer):
        from leads.models import Lead

        return {
            "customer": customer,
            "leads": Lead.objects.visible_to(request.user)
            .filter(customer=customer)
            .select_related("campaign", "assigned_to")[:10],
        }
