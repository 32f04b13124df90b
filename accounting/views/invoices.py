"""Invoices: the list, the page, its PDF, and recording a payment or a credit note against it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounting import services
from accounting.forms import CreditNoteForm, InvoiceFilterForm, PaymentForm
from accounting.models import Invoice
from accounting.pdf import invoice_filename, render_invoice_pdf
from crm.accounts.permissions import role_required


@role_required()
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = Invoice.objects.visible_to(request.user).select_related("order__customer")
    form = InvoiceFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            invoices = invoices.filter(
                Q(number__icontains=data["q"]) | Q(order__customer__legal_name__icontains=data["q"])
            )
        # Credit notes settle an invoice as payments do.
        unpaid = Q(total__gt=F("amount_paid") + F("amount_credited"))
        if data["state"] == form.PAID:
            invoices = invoices.exclude(unpaid)
        elif data["state"] == form.OPEN:
            invoices = invoices.filter(unpaid)
        elif data["state"] == form.OVERDUE:
            invoices = invoices.filter(unpaid, due_date__lt=timezone.localdate())
    elif form.is_bound:
        invoices = invoices.none()
    totals = invoices.aggregate(
        count=Count("pk"),
        total=Sum("total"),
        paid=Sum("amount_paid"),
        credited=Sum("amount_credited"),
    )
    totals["balance"] = (totals["total"] or 0) - (totals["paid"] or 0) - (totals["credited"] or 0)
    page = Paginator(invoices, settings.CRM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounting/invoice_list.html", {"form": form, "page_obj": page, "totals": totals})


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.visible_to(request.user).select_related("order__customer", "created_by"), pk=pk
    )


def _render(
    request: HttpRequest,
    invoice: Invoice,
    *,
    form: PaymentForm | None = None,
    credit_form: CreditNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "invoice": invoice,
        "payments": invoice.payments.select_related("recorded_by"),
        "credit_notes": invoice.credit_notes.select_related("created_by"),
        "form": form or PaymentForm(initial={"amount": invoice.balance}),
        "credit_form": credit_form or CreditNoteForm(initial={"amount": services.creditable(invoice)}),
        "can_act": services.can_act(request.user),
    }
    return render(request, "accounting/invoice_detail.html", context, status=status)


@role_required()
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _invoice(request, pk))


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
    return _render(request, invoice, form=form, status=400)


@require_http_methods(["POST"])
@role_required(*services.ACCOUNTING_ROLES)
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.issue_credit_note(invoice, by=request.user, **form.cleaned_data)
        except services.AccountingError as error:
            form.add_error("amount", str(error))
        else:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
            return redirect(invoice.get_absolute_url())
    return _render(request, invoice, credit_form=form, status=400)


@require_GET
@role_required()
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice as a PDF, rendered now so that it shows today's balance."""
    invoice = _invoice(request, pk)
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=invoice_filename(invoice)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("invoices/", invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pay/", invoice_pay, name="invoice_pay"),
    path("invoices/<int:pk>/credit/", invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/pdf/", invoice_pdf, name="invoice_pdf"),
]
