"""The service panel on the customer page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contacts.panels import CustomerPanel


class TicketsPanel(CustomerPanel):
    title = _("Tickets")
    template_name = "service/panels/tickets.html"

    def get_context(self, request, customer):
        from service.models import Ticket
        from service.services import can_work_tickets

        return {
            "customer": customer,
            "tickets": Ticket.objects.visible_to(request.user)
            .filter(customer=customer)
            .open()
            .select_related("assignee")[:10],
            "can_work": can_work_tickets(request.user),
        }
