"""The accounting panel on the customer page: orders and the status of their invoices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.panels import CustomerPanel


class OrdersPanel(CustomerPanel):
    title = _("Orders and invoices")
    template_name = "accounting/panels/orders.html"

    def get_context(self, request, customer):
        from accounting.models import Order
        from accounting.services import can_take_orders

        return {
            "customer": customer,
            "can_take_orders": can_take_orders(request.user),
            "orders": Order.objects.visible_to(request.user)
            .filter(customer=customer)
            .select_related("invoice")[:10],
        }
