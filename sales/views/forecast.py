"""The managers' forecast, its CSV export, and the opportunities behind each figure."""

from __future__ import annotations

import csv

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from contacts.exporting import escape_formula
from contacts.pagination import EitherEndPaginator
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role
from sales import forecast as forecasting
from sales.forms.forecast import DrillDownForm, ForecastForm
from sales.models import Opportunity

SUPERVISORS = (Role.MANAGER, Role.ADMIN)
SHOWN = [
    "name",
    "amount",
    "probability",
    "expected_close_date",
    "closed_on",
    "customer__legal_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "team__name",
    "stage__name",
]


def _forecast_for(request) -> tuple[ForecastForm, dict, forecasting.Forecast]:
    form = ForecastForm(request.GET)
    chosen = form.choices()
    result = forecasting.build_forecast(
        user=request.user,
        today=timezone.localdate(),
        quarters=chosen["quarters"],
        team=chosen["team"],
        owner=chosen["owner"],
    )
    return form, chosen, result


def _url_exists(name: str, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


@role_required(*SUPERVISORS)
def forecast(request):
    form, chosen, result = _forecast_for(request)
    filters = request.GET.copy()
    filters.pop("measure", None)
    measure = chosen["measure"]
    detail_url = reverse("sales:forecast_detail")
    *rows, (_total, total_cells) = forecasting.measure_rows(result, measure, detail_url=detail_url)
    context = {
        "form": form,
        "forecast": result,
        "measure": measure,
        "measures": forecasting.MEASURES,
        "rows": rows,
        "total_cells": total_cells,
        "month_rows": forecasting.month_rows(result, detail_url=detail_url),
        "chart_data": result.chart_data(),
        "filter_query": filters.urlencode(),
        "currency": settings.CRM_CURRENCY,
    }
    return render(request, "sales/forecast.html", context)


@role_required(*SUPERVISORS)
def forecast_export(request):
    _form, _chosen, result = _forecast_for(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="forecast-{timezone.localdate():%Y-%m-%d}.csv"'
    response.write("\ufeff")  # so that Excel reads the accents as UTF-8
    writer = csv.writer(response)
    for row in forecasting.csv_rows(result):
        writer.writerow([escape_formula(value) for value in row])
    return response


@role_required(*SUPERVISORS)
def forecast_detail(request):
    form = DrillDownForm(request.GET)
    context = {"form": form, "forecast_url": reverse("sales:forecast")}
    if not form.is_valid():
        return render(request, "sales/forecast_detail.html", context, status=400)
    opportunities = form.opportunities(Opportunity.objects.visible_to(request.user)).select_related(
        "customer", "owner", "team", "stage"
    )
    # Only what the table shows: a customer row carries long search text and notes.
    opportunities = opportunities.only(*SHOWN)
    if form.cleaned_data["kind"] == "won":
        opportunities = opportunities.order_by("-closed_on", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "kind": form.cleaned_data["kind"],
        "scope": form.scope(),
        "totals": forecasting.totals_of(opportunities),
        "page_obj": EitherEndPaginator(opportunities, settings.CRM_LIST_PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "query_string": query.urlencode(),
        # The opportunity pages come with the pipeline; without them the names are plain text.
        "links_to_opportunities": _url_exists("sales:opportunity_detail", 1),
    }
    return render(request, "sales/forecast_detail.html", context)


urlpatterns = [
    path("forecast/", forecast, name="forecast"),
    path("forecast/export/", forecast_export, name="forecast_export"),
    path("forecast/opportunities/", forecast_detail, name="forecast_detail"),
]
