"""The reports, in the order the index lists them."""

from __future__ import annotations

from crm.insights.reports.accuracy import ForecastAccuracyReport
from crm.insights.reports.activity import ActivityReport
from crm.insights.reports.base import Report
from crm.insights.reports.campaigns import CampaignReport
from crm.insights.reports.pipeline import PipelineReport
from crm.insights.reports.sales import SalesReport
from crm.insights.reports.service import ServiceReport
from crm.insights.reports.value import ValueReport

REPORTS: dict[str, Report] = {
    report.slug: report
    for report in (SalesReport(), ForecastAccuracyReport(), ActivityReport(), PipelineReport())
}
REPORTS.update((report.slug, report) for report in (CampaignReport(), ServiceReport(), ValueReport()))
