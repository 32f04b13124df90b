"""Filters for the ticket queue and the product feedback report."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import sees_all
from sales.models import Product
from service.forms import agents
from service.models import Category, Ticket

MINE, TEAM, ALL = "mine", "team", "all"


class TicketFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(label=_("Queue"), method="filter_scope", empty_label=None)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Ticket.Status.choices, empty_label=_("Any open")
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Ticket.Priority.choices, empty_label=_("Any priority")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Any category")
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"), queryset=agents(), empty_label=_("Anyone")
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("scope"):
            data["scope"] = MINE
        super().__init__(data, *args, **kwargs)
        self.user = user
        choices = [(MINE, _("Mine")), (TEAM, _("My team"))]
        if sees_all(user):
            choices.append((ALL, _("All")))
        self.filters["scope"].extra["choices"] = choices
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Subject or customer")}
        )
        for name in ("scope", "status", "priority", "category", "assignee"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.open()
        return queryset

    def filter_scope(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(assignee=self.user)
        if value == TEAM:
            return queryset.filter(team_id=self.user.team_id) if self.user.team_id else queryset.none()
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(subject__icontains=value) | Q(customer__legal_name__icontains=value)
        condition |= Q(customer__trade_name__icontains=value)
        if value.lstrip("#").isdigit():
            condition |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(condition)


class ProductFeedbackFilter(django_filters.FilterSet):
    """Narrow the product feedback report to one kind (problems or wishes) and one product."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        field_name="feedback",
        choices=[(value, label) for value, label in Ticket.Feedback.choices if value],
        empty_label=_("Problems and wishes"),
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.order_by("name"), empty_label=_("Any product")
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "product"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"
