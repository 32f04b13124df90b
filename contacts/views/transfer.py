"""Customer import (CSV, previewed then confirmed) and export (CSV, XLSX) of the filtered list."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contacts import exporting, importing
from contacts.filters import CustomerFilter
from contacts.models import Customer, CustomerImport
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role

IMPORT_ROLES = (Role.SALES_REP, Role.MARKETING, Role.MANAGER, Role.ADMIN)


def _own_import(request, pk: str | None) -> CustomerImport:
    """Only the uploader sees or confirms an import; anyone else gets 404."""
    if not pk or not pk.isdigit():
        raise Http404
    return get_object_or_404(CustomerImport.objects.filter(uploaded_by=request.user), pk=pk)


def _template_csv() -> HttpResponse:
    response = HttpResponse("\ufeff" + ",".join(importing.COLUMNS) + "\r\n", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="customers-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*IMPORT_ROLES)
def customer_import(request):
    """Upload (POST ``file``) → preview (GET ``?id=``) → confirm (POST ``confirm``) on one address."""
    if request.GET.get("template"):
        return _template_csv()
    if request.method == "POST" and "confirm" in request.POST:
        record = _own_import(request, request.POST.get("confirm"))
        was_pending = record.status == CustomerImport.Status.PREVIEWED
        record = importing.import_customers(customer_import=record, by=request.user)
        if not was_pending:
            messages.info(request, _("This file was already handled; nothing was imported again."))
        elif record.status == CustomerImport.Status.IMPORTED:
            messages.success(
                request,
                _("Imported %(customers)s customers and %(contacts)s contacts.")
                % {"customers": record.customer_count, "contacts": record.contact_count},
            )
        else:
            messages.error(request, record.failure)
        return redirect(f"{reverse('contacts:customer_import')}?id={record.pk}")
    if request.method == "GET" and "id" in request.GET:
        record = _own_import(request, request.GET.get("id"))
        return render(request, "contacts/customer_import.html", {"record": record})
    form = importing.ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = importing.preview_import(
            parsed=form.parsed, file_name=form.cleaned_data["file"].name, by=request.user
        )
        return redirect(f"{reverse('contacts:customer_import')}?id={record.pk}")
    return render(request, "contacts/customer_import.html", {"form": form, "columns": importing.COLUMNS})


@require_GET
@role_required()
def customer_export(request):
    """The list the user sees with the same filters, every page of it, as CSV or XLSX."""
    kind = request.GET.get("format") or "csv"
    if kind not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Unknown export format; use csv or xlsx."))
    filterset = CustomerFilter(
        request.GET or None, queryset=Customer.objects.visible_to(request.user).for_list()
    )
    rows = exporting.customer_rows(filterset.qs)
    name = f"customers-{timezone.localtime():%Y%m%d-%H%M}.{kind}"
    if kind == "csv":
        response = StreamingHttpResponse(exporting.stream_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        exporting.write_xlsx(rows),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
