"""The value (RFM) panel on the customer page."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from contacts.panels import CustomerPanel
from crm.accounts.roles import is_supervisor


class ValuePanel(CustomerPanel):
    name = "value"
    title = _("Value (RFM)")
    template_name = "insights/panels/value.html"

    def get_context(self, request, customer):
        from crm.insights.rfm.reports import scores_of

        return {
            "customer": customer,
            "scores": scores_of(customer.pk),
            "currency": settings.CRM_CURRENCY,
            "can_see_scoring": is_supervisor(request.user),
        }
