"""The sales panels on the customer page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
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


@dataclass
class ChecklistEntry:
    """A catalogue product, and the customer's installed row for it when owned."""

    product: Any
    installed: Any = None
    expired: bool = False
    expiring: bool = False


class InstalledBasePanel(CustomerPanel):
    """The active catalogue as a checklist of what the customer owns (two queries)."""

    title = _("Products owned")
    template_name = "sales/panels/installed_base.html"
    expiring_days = 60

    def get_context(self, request, customer):
        from sales.services.catalog import can_edit_installed_base

        return {
            "customer": customer,
            "entries": self.entries(customer),
            "can_edit": can_edit_installed_base(request.user),
        }

    @classmethod
    def entries(cls, customer) -> list[ChecklistEntry]:
        from sales.models import Product

        installed = {row.product_id: row for row in customer.installed_products.all()}
        today = timezone.localdate()
        soon = today + timedelta(days=cls.expiring_days)
        entries = []
        for product in Product.objects.for_checklist(customer.pk):
            row = installed.get(product.pk)
            expires = row.licence_expires_on if row else None
            entries.append(
                ChecklistEntry(
                    product=product,
                    installed=row,
                    expired=bool(expires and expires < today),
                    expiring=bool(expires and today <= expires <= soon),
                )
            )
        # Owned products first, then what else could be offered.
        entries.sort(key=lambda entry: entry.installed is None)
        return entries


class QuotesPanel(CustomerPanel):
    title = _("Quotes")
    template_name = "sales/panels/quotes.html"

    def get_context(self, request, customer):
        from sales.models import Quote

        return {
            "customer": customer,
            "quotes": Quote.objects.visible_to(request.user).filter(customer=customer)[:10],
        }
