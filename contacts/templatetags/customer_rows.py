"""``{% customer_rows page_obj as rows %}``: the rows of the customer list, written in Python.

Fifty rows of eight template variables each were the costliest part of the list page, the
most visited page of the CRM (see docs/benchmarks.md). As ``sales.views.pipeline_board``
writes its cards, this writes the markup a template would, escaping every value.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contacts.models import Customer

register = template.Library()

DASH = "—"
ROW_HTML = (
    '<tr><td class="name"><a href="{url}">{name}</a>{trade_name}</td>'
    '<td class="d-none d-md-table-cell">{tax_id}</td>'
    '<td class="d-none d-md-table-cell">{city}</td>'
    '<td><span class="badge text-bg-light">{stage}</span></td>'
    '<td class="d-none d-lg-table-cell">{phone}</td>'
    '<td class="d-none d-lg-table-cell">{owner}</td></tr>'
)
TRADE_NAME_HTML = '<div class="small text-body-secondary">{}</div>'


def _detail_url():
    """``Customer.get_absolute_url`` with one ``reverse()`` for the page instead of one per row."""
    marker = "2147483647"
    pattern = escape(reverse("contacts:customer_detail", args=[int(marker)]))
    before, after = pattern.split(marker)
    return lambda pk: f"{before}{pk}{after}"


@register.simple_tag
def customer_rows(customers: Iterable[Customer]) -> SafeString:
    """The ``<tr>`` of each customer (name, tax id, city, stage, phone, owner); empty for none."""
    stages = {value: escape(label) for value, label in Customer.Stage.choices}
    detail_url = _detail_url()
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            ROW_HTML.format(
                url=detail_url(customer.pk),
                name=escape(customer.legal_name),
                trade_name=TRADE_NAME_HTML.format(escape(customer.trade_name)) if customer.trade_name else "",
                tax_id=escape(customer.tax_id or DASH),
                city=escape(customer.city or DASH),
                stage=stages.get(customer.lifecycle_stage, escape(customer.lifecycle_stage)),
                phone=escape(customer.phone or DASH),
                owner=escape(customer.owner) if customer.owner_id else DASH,
            )
            for customer in customers
        )
    )
