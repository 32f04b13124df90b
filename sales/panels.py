"""The sales panels on the customer page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.panels import CustomerPanel


class OpportunitiesPanel(CustomerPanel):
    title = _("Opportunities")
    template_name = "sales/panels/opportunities.html"

    def get_context(self, request, customer):
        from sales.models import Opportunity

        return {
            "customer": customer,
            "opportunities": Opportunity.objects.visible_to(request.user)
            .filter(customer=customer)
            .select_related("stage", "owner")
            .order_by("stage__is_won", "stage__is_lost", "expected_close_date")[:10],
        }


class InstalledBasePanel(CustomerPanel):
    title = _("Products owned")
    template_name = "sales/panels/installed_base.html"

    def get_context(self, request, customer):
        return {"customer": customer, "installed": customer.installed_products.select_related("product")}


class QuotesPanel(CustomerPanel):
    title = _("Quotes")
    template_name = "sales/panels/quotes.html"

    def get_context(self, request, customer):
        from sales.models import Quote

        return {
            "customer": customer,
            "quotes": Quote.objects.visible_to(request.user).filter(customer=customer)[:10],
        }
