"""Order history import: upload a CSV, check the preview with its per-row errors, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounting import importing
from accounting.importing import pending as pending_imports
from accounting.services import ACCOUNTING_ROLES
from crm.accounts.permissions import role_required


def _own_import(request: HttpRequest, token: str | None) -> pending_imports.PendingImport:
    """Only the uploader sees or confirms an import; anyone else gets 404."""
    found = pending_imports.find(token or "", by=request.user)
    if found is None:
        raise Http404
    return found


def _template_csv() -> HttpResponse:
    response = HttpResponse(
        "\ufeff"
        + ",".join(importing.COLUMNS)
        + "\r\nC-001,Ferretería El Tornillo S.A.S.,2024-01-31,F-1001,1250000.50\r\n",
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="order-history-template.csv"'
    return response


def _say_outcome(request: HttpRequest, record: pending_imports.PendingImport, *, was_pending: bool) -> None:
    if not was_pending:
        messages.info(request, _("This file was already handled; nothing was imported again."))
    elif record.status == pending_imports.Status.FAILED:
        messages.error(request, record.failure)
    elif record.outcome["imported"]:
        count = record.outcome["imported"]
        messages.success(
            request,
            ngettext("Imported %(count)s order.", "Imported %(count)s orders.", count) % {"count": count},
        )
    else:
        messages.info(request, _("Nothing was imported: every order in the file was imported before."))


@require_http_methods(["GET", "POST"])
@role_required(*ACCOUNTING_ROLES)
def order_import(request: HttpRequest) -> HttpResponse:
    """Upload (POST ``file``) → preview (GET ``?id=``) → confirm (POST ``confirm``) on one address."""
    url = reverse("accounting:order_import")
    if request.GET.get("template"):
        return _template_csv()
    if request.method == "POST" and "confirm" in request.POST:
        record = _own_import(request, request.POST.get("confirm"))
        was_pending = record.status == pending_imports.Status.PREVIEWED
        record = pending_imports.confirm(record, by=request.user)
        _say_outcome(request, record, was_pending=was_pending)
        return redirect(f"{url}?id={record.token}")
    if request.method == "GET" and "id" in request.GET:
        record = _own_import(request, request.GET.get("id"))
        return render(request, "accounting/import_orders.html", {"record": record})
    bound = request.method == "POST"
    form = importing.OrderImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        record = pending_imports.keep(
            order_file=form.order_file,
            preview=importing.validate(form.order_file),
            file_name=form.cleaned_data["file"].name,
            by=request.user,
        )
        return redirect(f"{url}?id={record.token}")
    return render(request, "accounting/import_orders.html", {"form": form, "columns": importing.COLUMNS})


urlpatterns = [
    path("orders/import/", order_import, name="order_import"),
]
