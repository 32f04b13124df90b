"""``{% opportunity_rows page_obj as rows %}``: the rows of the opportunity list, written in Python.

Fifty rows of eight template variables each were the costliest part of the list page. As
``sales.views.pipeline_board`` writes its cards, this writes the markup a template would,
escaping every value. The rows are plain values (``sales.views.pipeline.LIST_VALUES``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils import dateformat, formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sales.views.pipeline_board import amount_formatter

register = template.Library()

DASH = "—"
ROW_HTML = (
    '<tr><td class="name"><a href="{url}">{name}</a></td>'
    "<td>{customer}</td>"
    '<td><span class="badge {badge}">{stage}</span></td>'
    '<td class="text-end text-nowrap">{amount}</td>'
    '<td class="text-end d-none d-md-table-cell">{probability}%</td>'
    '<td class="text-nowrap">{day}</td>'
    '<td class="d-none d-lg-table-cell">{owner}</td>'
    '<td class="d-none d-lg-table-cell">{team}</td></tr>'
)


def _badge(row: dict) -> str:
    if row["stage__is_won"]:
        return "text-bg-success"
    if row["stage__is_lost"]:
        return "text-bg-danger"
    return "text-bg-light"


def _owner(row: dict) -> str:
    # User.__str__: the full name, else the username.
    return f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"]


@register.simple_tag
def opportunity_rows(rows: Iterable[dict]) -> SafeString:
    """The ``<tr>`` of each opportunity (name, customer, stage, amount, probability, close
    date, owner, team); empty for none."""
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    format_amount = amount_formatter()
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            ROW_HTML.format(
                url=escape(row["url"]),
                name=escape(row["name"]),
                customer=escape(row["customer__trade_name"] or row["customer__legal_name"]),
                badge=_badge(row),
                # Stage.__str__ translates the name.
                stage=escape(gettext(row["stage__name"])),
                amount=format_amount(row["amount"]),
                probability=escape(row["probability"]),
                day=dateformat.format(row["expected_close_date"], date_format)
                if row["expected_close_date"]
                else "",
                owner=escape(_owner(row)),
                team=escape(row["team__name"] or DASH),
            )
            for row in rows
        )
    )
