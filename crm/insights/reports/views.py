"""The report pages: the index, each report with its chart, its exports, and the records
behind every figure. Thin: the reports' modules compute, these pages show."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.pagination import EitherEndPaginator
from crm.accounts.permissions import role_required
from crm.accounts.roles import has_role
from crm.insights.reports import exports, records
from crm.insights.reports.base import Context, Links, Report, UnknownFigure
from crm.insights.reports.filters import ReportFilterForm
from crm.insights.reports.registry import REPORTS
from crm.insights.reports.scope import scope_for

# Parameters of a figure or a page, not of the report's filters.
NOT_FILTERS = ("measure", "key", "page", "table")


def _report(request: HttpRequest, slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404
    if not has_role(request.user, *report.roles):
        raise PermissionDenied
    return report


def _run(request: HttpRequest, report: Report) -> tuple[ReportFilterForm, Context, str]:
    """The report's filters as chosen (bad ones reported and left out), and the context to build it in."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    form = ReportFilterForm(request.GET, report=report, scope=scope, today=today)
    filters = form.filters()
    query = form.data.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    query = query.urlencode()
    links = Links(reverse("insights:reports:records", args=[report.slug]), query)
    return form, Context(filters=filters, scope=scope, today=today, links=links), query


@role_required()
def report_index(request: HttpRequest) -> HttpResponse:
    reports = [report for report in REPORTS.values() if has_role(request.user, *report.roles)]
    if not reports:
        raise PermissionDenied
    return render(request, "insights/reports/index.html", {"reports": reports})


@role_required()
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    form, context, query = _run(request, report)
    result = report.build(context)
    page = {
        "report": report,
        "form": form,
        "filters": context.filters,
        "result": result,
        "chart_data": result.chart.data() if result.chart else None,
        "filter_query": query,
        "currency": settings.CRM_CURRENCY,
    }
    return render(request, "insights/reports/report.html", page)


@role_required()
def report_export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    report = _report(request, slug)
    _form, context, _query = _run(request, report)
    tables = report.build(context).tables
    period = context.filters.period
    name = f"{report.slug}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
    if file_format == "xlsx":
        return FileResponse(
            exports.xlsx_file(tables),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    chosen = request.GET.get("table", "")
    table = next((table for table in tables if table.key == chosen), tables[0])
    response = HttpResponse(exports.csv_text(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{table.key}.csv"'
    return response


@role_required()
def report_records(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    _form, context, query = _run(request, report)
    page = {"report": report, "filters": context.filters, "report_query": query}
    try:
        found = report.records(context, request.GET.get("measure", ""), request.GET.get("key", ""))
    except UnknownFigure:
        page["error"] = _("This link does not name a figure of the report.")
        return render(request, "insights/reports/records.html", page, status=400)
    totals = records.totals(found.kind, found.queryset if found.counted is None else found.counted)
    paginator = EitherEndPaginator(records.rows(found.kind, found.queryset), settings.CRM_LIST_PAGE_SIZE)
    paginator.count = totals.count  # counted already, with the totals
    this_page = request.GET.copy()
    this_page.pop("page", None)
    page |= {
        "found": found,
        "totals": totals,
        "page_obj": paginator.get_page(request.GET.get("page")),
        "query_string": this_page.urlencode(),
        "rows_template": f"insights/reports/records/{found.kind}.html",
    }
    return render(request, "insights/reports/records.html", page)
