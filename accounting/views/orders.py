"""Order pages: the list with filters and totals, an order, and the actions on it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounting import services
from accounting.forms import OrderFilterForm
from accounting.models import Invoice, Order
from crm.accounts.permissions import role_required
from sales.models import Quote


def _order(request: HttpRequest, pk: int) -> Order:
    return get_object_or_404(
        Order.objects.visible_to(request.user).select_related("customer", "quote", "created_by"), pk=pk
    )


@role_required()
def order_list(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.visible_to(request.user).for_list()
    form = OrderFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            orders = orders.filter(
                Q(number__icontains=data["q"]) | Q(customer__legal_name__icontains=data["q"])
            )
        if data["status"]:
            orders = orders.filter(status=data["status"])
        if data["since"]:
            orders = orders.filter(order_date__gte=data["since"])
        if data["until"]:
            orders = orders.filter(order_date__lte=data["until"])
    elif form.is_bound:
        orders = orders.none()
    totals = orders.aggregate(count=Count("pk"), total=Sum("total"))
    page = Paginator(orders, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounting/order_list.html",
        {"form": form, "page_obj": page, "totals": totals, "can_act": services.can_act(request.user)},
    )


@role_required()
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    invoice = Invoice.objects.filter(order=order).first()
    return render(
        request,
        "accounting/order_detail.html",
        {
            "order": order,
            "lines": order.lines.select_related("product"),
            "invoice": invoice,
            "can_act": services.can_act(request.user),
        },
    )


@require_POST
@role_required(*services.ACCOUNTING_ROLES)
def order_from_quote(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(Quote.objects.visible_to(request.user), pk=pk)
    try:
        order = services.create_order_from_quote(quote=quote, by=request.user)
    except services.AccountingError as error:
        messages.error(request, str(error))
        return redirect(quote.get_absolute_url())
    messages.success(request, _("Order %(number)s is made from the quote.") % {"number": order.number})
    return redirect(order.get_absolute_url())


@require_POST
@role_required(*services.ACCOUNTING_ROLES)
def order_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        invoice = services.create_invoice(order=order, by=request.user)
    except services.AccountingError as error:
        messages.error(request, str(error))
        return redirect(order.get_absolute_url())
    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return redirect(invoice.get_absolute_url())


@require_POST
@role_required(*services.ACCOUNTING_ROLES)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    invoice = Invoice.objects.filter(order=order).first()
    was_open = invoice is not None and not order.is_cancelled and invoice.balance > 0
    try:
        services.cancel_order(order=order, by=request.user)
    except services.AccountingError as error:
        messages.error(request, str(error))
        return redirect(order.get_absolute_url())
    messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    if invoice is not None:
        invoice.refresh_from_db()
        if was_open:
            note = invoice.credit_notes.order_by("-pk").first()
            messages.info(
                request,
                _("Credit note %(number)s issued for the open balance of invoice %(invoice)s.")
                % {"number": note.number, "invoice": invoice.number},
            )
        if invoice.amount_paid:
            messages.warning(
                request,
                _("%(amount)s was already paid on invoice %(invoice)s; give it back by a refund.")
                % {
                    "amount": number_format(invoice.amount_paid, 2, force_grouping=True),
                    "invoice": invoice.number,
                },
            )
    return redirect(order.get_absolute_url())


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/invoice/", order_invoice, name="order_invoice"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order_cancel"),
    path("quotes/<int:pk>/order/", order_from_quote, name="order_from_quote"),
]
