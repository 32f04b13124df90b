"""The navbar asks here whether to show Reports: whoever may open at least one report."""

from __future__ import annotations

from django import template

from crm.accounts.roles import has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open_reports(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from crm.insights.reports.registry import REPORTS  # the reports load their models: not at import

    return any(has_role(user, *report.roles) for report in REPORTS.values())
