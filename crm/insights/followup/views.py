"""The relationship page: who is overdue for their follow-up, per rep, for managers."""

from __future__ import annotations

from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Customer
from contacts.pagination import EitherEndPaginator
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role
from crm.insights.followup import relationships
from crm.insights.followup.periods import months_after

SUPERVISORS = (Role.MANAGER, Role.ADMIN)
PER_PAGE = 50
NO_OWNER = "none"

TASK_ORDER = {
    "overdue": ["overdue_since", "customer__legal_name", "customer_id", "assignee_id"],
    "customer": ["customer__legal_name", "customer_id", "overdue_since", "assignee_id"],
    "rep": ["assignee__first_name", "assignee__last_name", "assignee_id", "overdue_since", "customer_id"],
}
AFTER_SALE_ORDER = {
    "overdue": ["last_contact", "legal_name", "pk"],
    "customer": ["legal_name", "pk"],
    "rep": ["owner__first_name", "owner__last_name", "owner_id", "last_contact", "pk"],
}


class RelationshipFilter(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("tasks", _("Overdue tasks")), ("after_sale", _("After-sale contacts nobody has"))],
    )
    rep = forms.ChoiceField(label=_("Rep"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("overdue", _("Most overdue")), ("customer", _("Customer")), ("rep", _("Rep"))],
    )

    def __init__(self, *args, reps: list[relationships.RepSummary], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The people the summary lists: whoever has something overdue.
        named = sorted((rep for rep in reps if rep.rep_id), key=lambda rep: rep.name.lower())
        self.fields["rep"].choices = [
            ("", _("Everyone")),
            (NO_OWNER, _("No owner")),
            *((str(rep.rep_id), rep.name) for rep in named),
        ]

    def value(self, name: str, default: str) -> str:
        """The field's cleaned value; the default when it is empty or was not valid."""
        if not self.is_valid() and name in self.errors:
            return default  # the page says so and shows the default list
        return self.cleaned_data.get(name) or default


@role_required(*SUPERVISORS)
def relationships_page(request):
    today = timezone.localdate()
    rule = relationships.after_sale_rule()
    summary = relationships.summary(request.user, today, rule)
    form = RelationshipFilter(request.GET, reps=summary)
    show, rep, sort = form.value("show", "tasks"), form.value("rep", ""), form.value("sort", "overdue")
    if show == "after_sale":
        rows = _after_sale_rows(request.user, today, rule, rep, sort)
    else:
        rows = _task_rows(request.user, today, rep, sort)
    page = EitherEndPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    _add_overdue_days(page, show, today, rule)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "show": show,
        "rule": rule,
        "summary": summary,
        "page_obj": page,
        "query_string": query.urlencode(),
        "today": today,
    }
    return render(request, "insights/relationships.html", context)


def _task_rows(user, today: date, rep: str, sort: str):
    rows = relationships.overdue_tasks(user, today)
    if rep == NO_OWNER:
        rows = rows.none()
    elif rep:
        rows = rows.filter(assignee_id=rep)
    return rows.order_by(*TASK_ORDER[sort])


def _after_sale_rows(user, today: date, rule, rep: str, sort: str):
    if rule is None:
        return Customer.objects.none().values("pk")
    customers = relationships.after_sale_due(user, today, rule)
    if rep == NO_OWNER:
        customers = customers.filter(owner__isnull=True)
    elif rep:
        customers = customers.filter(owner_id=rep)
    return relationships.after_sale_rows(customers).order_by(*AFTER_SALE_ORDER[sort])


def _add_overdue_days(rows, show: str, today: date, rule) -> None:
    for row in rows:
        if show == "after_sale":
            row["overdue_since"] = months_after(row["last_contact"], rule.interval_months)
            row["rep_name"] = relationships.person_name(row, "owner") if row["owner_id"] else ""
            row["rep_active"] = row["owner__is_active"] is not False
            row["customer_name"] = row["trade_name"] or row["legal_name"]
            row["customer_id"] = row["pk"]
        else:
            row["rep_name"] = relationships.person_name(row, "assignee")
            row["rep_active"] = row["assignee__is_active"]
            row["customer_name"] = row["customer__trade_name"] or row["customer__legal_name"]
        row["days_overdue"] = (today - row["overdue_since"]).days
