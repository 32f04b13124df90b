"""Order pages: the list with filters and totals, an order taken by hand, an order, and its actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounting import services
from accounting.forms import OrderFilterForm
from accounting.forms_order_entry import OrderForm, OrderLineFormSet
from accounting.models import Invoice, Order
from contacts.models import Customer
from crm.accounts.permissions import role_required
from sales.models import Product, Quote

LINES_PREFIX = "lines"
CUSTOMER_CHOICES_SHOWN = 20


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
        {
            "form": form,
            "page_obj": page,
            "totals": totals,
            "can_act": services.can_act(request.user),
            "can_take_orders": services.can_take_orders(request.user),
        },
    )


def _visible_customer(request: HttpRequest, value: str | None) -> Customer | None:
    if not value or not value.isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=value).first()


def _choose_customer(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    customers = Customer.objects.visible_to(request.user).for_list()
    customers = customers.search(query) if query else customers.filter(owner=request.user)
    return render(
        request,
        "accounting/order_choose_customer.html",
        {"query": query, "customers": customers[:CUSTOMER_CHOICES_SHOWN]},
    )


def _line_formset(data: QueryDict | None) -> OrderLineFormSet:
    products = Product.objects.active().only("pk", "code", "name", "unit_price", "unit_cost", "tax_rate")
    return OrderLineFormSet(data, prefix=LINES_PREFIX, products=products)


def _with_new_row(data: QueryDict) -> QueryDict:
    """The posted rows plus an untouched one, so the form grows without saving."""
    data = data.copy()
    total = data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "")
    index = min(int(total), OrderLineFormSet.max_num) if total.isdigit() else 0
    data[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(index + 1)
    # The row's initial values, so that it counts as unchanged and shows no errors.
    data[f"{LINES_PREFIX}-{index}-quantity"] = "1"
    data[f"{LINES_PREFIX}-{index}-discount_percent"] = "0"
    return data


@role_required(*services.ORDER_TAKERS)
def order_create(request: HttpRequest) -> HttpResponse:
    """An order typed in for a sale closed by phone: pick a customer, then the lines."""
    data = request.POST if request.method == "POST" else None
    if data is not None:
        customer = _visible_customer(request, data.get("customer"))
    elif "customer" in request.GET:
        customer = _visible_customer(request, request.GET["customer"])
        if customer is None:
            raise Http404
    else:
        return _choose_customer(request)
    adding = data is not None and "add_line" in data
    if adding:
        data = _with_new_row(data)
    form = OrderForm(data, user=request.user, initial={"customer": customer.pk if customer else None})
    formset = _line_formset(data)
    if data is not None and not adding and form.is_valid() and formset.is_valid():
        try:
            order = services.create_order(
                form.cleaned_data["customer"],
                lines=formset.line_inputs(),
                order_date=form.cleaned_data["order_date"],
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except services.AccountingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
            return redirect(order)
    status = 400 if data is not None and not adding else 200
    context = {"form": form, "formset": formset, "customer": customer, "today": timezone.localdate()}
    return render(request, "accounting/order_form.html", context, status=status)


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
    path("orders/new/", order_create, name="order_create"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/invoice/", order_invoice, name="order_invoice"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order_cancel"),
    path("quotes/<int:pk>/order/", order_from_quote, name="order_from_quote"),
]
