"""What the campaign, service and customer value reports add to the framework: the tables of
records behind their figures (campaigns, tickets, customers) and the format of a rating.

The drill-down page looks a kind up in ``records`` and renders
``insights/reports/records/<kind>.html``; these entries sit beside the framework's own, the
way reports sit in the registry.
"""

from __future__ import annotations

from django.utils.formats import number_format

from crm.insights.reports import records, tables

KINDS = {
    # kind: (related rows fetched with each record, order, columns left unread, amount summed)
    "campaigns": (["owner", "team"], ["-start_date", "name", "pk"], ["description"], "actual_cost"),
    "tickets": (
        ["customer", "assignee", "product"],
        ["-opened_at", "-pk"],
        ["description", "satisfaction_comment", "customer__search_text", "customer__notes"],
        None,
    ),
    "customers": (["owner", "team"], ["legal_name", "pk"], ["search_text", "notes"], None),
}

for kind, (related, order, deferred, amount) in KINDS.items():
    records.RELATED.setdefault(kind, related)
    records.ORDER.setdefault(kind, order)
    records.DEFERRED.setdefault(kind, deferred)
    if amount:
        records.AMOUNT.setdefault(kind, amount)

# An average of 1-5 stars, with one decimal.
tables.FORMATS.setdefault("rating", lambda value: number_format(value, 1))
