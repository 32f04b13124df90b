"""Ticket pages: the queue, opening a ticket, the ticket with its thread and customer beside it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounting.models import Order
from contacts.models import Customer
from crm.accounts.permissions import role_required
from sales.models import Quote
from service import services
from service.filters import TicketFilter
from service.forms import AssignForm, AttachmentForm, ReplyForm, StatusForm, TicketForm, TicketUpdateForm
from service.models import SlaPolicy, Ticket


def visible_ticket(request, pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.visible_to(request.user).for_list(), pk=pk)


@role_required()
def ticket_list(request):
    filterset = TicketFilter(
        request.GET or None,
        user=request.user,
        queryset=Ticket.objects.visible_to(request.user).for_list().order_by("-opened_at", "-pk"),
    )
    page_obj = Paginator(filterset.qs, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "can_work": services.can_work_tickets(request.user),
    }
    template = "service/ticket_list.html#results" if request.htmx else "service/ticket_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@role_required(*services.TICKET_WORKERS)
def ticket_create(request, customer_pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    form = TicketForm(request.POST or None, customer=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        ticket = services.open_ticket(ticket=form.save(commit=False), customer=customer, by=request.user)
        messages.success(request, _("Ticket %(ticket)s opened.") % {"ticket": ticket})
        return redirect(ticket)
    return render(request, "service/ticket_form.html", {"form": form, "customer": customer})


@role_required(*services.TICKET_WORKERS)
def ticket_update(request, pk: int):
    ticket = visible_ticket(request, pk)
    form = TicketUpdateForm(
        request.POST or None, instance=ticket, customer=ticket.customer, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.update_ticket(ticket=form.save(commit=False), by=request.user)
        messages.success(request, _("Ticket %(ticket)s saved.") % {"ticket": ticket})
        return redirect(ticket)
    context = {"form": form, "customer": ticket.customer, "ticket": ticket}
    return render(request, "service/ticket_form.html", context)


def detail_context(request, ticket: Ticket, **forms) -> dict:
    customer = ticket.customer
    context = {
        "ticket": ticket,
        "customer": customer,
        "replies": ticket.replies.select_related("author"),
        "attachments": ticket.attachments.select_related("uploaded_by"),
        "installed": customer.installed_products.select_related("product").order_by("product__name"),
        # The quotes are shown to whoever handles the ticket, as a read-only summary of
        # what the customer was offered; opening a quote still needs quote visibility.
        "quotes": Quote.objects.filter(customer=customer).order_by("-issued_on", "-pk")[:5],
        "orders": Order.objects.visible_to(request.user)
        .filter(customer=customer)
        .order_by("-order_date", "-pk")[:5],
        "sla": SlaPolicy.objects.targets_for(ticket),
        "can_work": services.can_work_tickets(request.user),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "status_form": forms.get("status_form") or StatusForm(initial={"status": ticket.status}),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"assignee": ticket.assignee_id}),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    return context


@role_required()
def ticket_detail(request, pk: int):
    ticket = visible_ticket(request, pk)
    return render(request, "service/ticket_detail.html", detail_context(request, ticket))


@require_POST
@role_required(*services.TICKET_WORKERS)
def ticket_reply(request, pk: int):
    ticket = visible_ticket(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, ticket, reply_form=form)
        return render(request, "service/ticket_detail.html", context, status=400)
    services.add_reply(
        ticket=ticket,
        body=form.cleaned_data["body"],
        by=request.user,
        internal=form.cleaned_data["is_internal"],
    )
    messages.success(request, _("Note added.") if form.cleaned_data["is_internal"] else _("Reply added."))
    return redirect(ticket)


@require_POST
@role_required(*services.TICKET_WORKERS)
def ticket_status(request, pk: int):
    ticket = visible_ticket(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, ticket, status_form=form)
        return render(request, "service/ticket_detail.html", context, status=400)
    services.change_status(ticket=ticket, status=form.cleaned_data["status"], by=request.user)
    messages.success(request, _("Status changed to %(status)s.") % {"status": ticket.get_status_display()})
    return redirect(ticket)


@require_POST
@role_required(*services.TICKET_WORKERS)
def ticket_assign(request, pk: int):
    ticket = visible_ticket(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, ticket, assign_form=form)
        return render(request, "service/ticket_detail.html", context, status=400)
    services.assign(ticket=ticket, assignee=form.cleaned_data["assignee"], by=request.user)
    messages.success(request, _("Ticket assigned."))
    return redirect(ticket)


urlpatterns = [
    path("tickets/", ticket_list, name="ticket_list"),
    path("tickets/new/<int:customer_pk>/", ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/edit/", ticket_update, name="ticket_update"),
    path("tickets/<int:pk>/reply/", ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", ticket_assign, name="ticket_assign"),
]
