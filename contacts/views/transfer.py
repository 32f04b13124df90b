"""Customer import (CSV) and export (CSV, XLSX)."""

from django.http import HttpResponse

from crm.accounts.permissions import role_required


@role_required()
def customer_import(request):
    return HttpResponse(status=501)


@role_required()
def customer_export(request):
    return HttpResponse(status=501)
