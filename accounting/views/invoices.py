"""The invoice page and recording a payment against it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounting import services
from accounting.forms import PaymentForm
from accounting.models import Invoice
from crm.accounts.permissions import role_required


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.visible_to(request.user).select_related("order__customer", "created_by"), pk=pk
    )


def _render(request: HttpRequest, invoice: Invoice, form: PaymentForm, status: int = 200) -> HttpResponse:
    context = {
        "invoice": invoice,
        "payments": invoice.payments.select_related("recorded_by"),
        "form": form,
        "can_act": services.can_act(request.user),
    }
    return render(request, "accounting/invoice_detail.html", context, status=status)


@role_required()
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    return _render(request, invoice, PaymentForm(initial={"amount": invoice.balance}))


@require_http_methods(["POST"])
@role_required(*services.ACCOUNTING_ROLES)
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.record_payment(invoice=invoice, by=request.user, **form.cleaned_data)
        except services.AccountingError as error:
            form.add_error("amount", str(error))
        else:
            messages.success(request, _("Payment recorded."))
            return redirect(invoice.get_absolute_url())
    return _render(request, invoice, form, status=400)


urlpatterns = [
    path("invoices/<int:pk>/", invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pay/", invoice_pay, name="invoice_pay"),
]
