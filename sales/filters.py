"""Filters for the pipeline board and the opportunity list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.choices import row_choices
from contacts.search import fold
from contacts.widgets import compact_filter_widgets
from crm.accounts.models import Team, User
from crm.accounts.roles import Role, sees_all
from sales.models import Opportunity, Stage

MINE = "mine"


def owner_choices(user: User) -> list[tuple[str, str]]:
    """ "Mine", then the people whose opportunities ``user`` may see: everyone's sellers for
    managers, the own team for a rep."""
    people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    if sees_all(user):
        people = people.filter(groups__name__in=[Role.SALES_REP, Role.MANAGER]).distinct()
    elif user.team_id:
        people = people.filter(team_id=user.team_id)
    else:
        people = people.filter(pk=user.pk)
    return [(MINE, str(_("Mine"))), *row_choices(people)]


class PipelineFilter(django_filters.FilterSet):
    """Whose pipeline: the board's filters, which the list shares."""

    owner = django_filters.ChoiceFilter(label=_("Owner"), method="filter_owner", empty_label=_("Everyone"))
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), queryset=Team.objects.all(), empty_label=_("All teams")
    )

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["owner"].extra["choices"] = owner_choices(user)
        compact_filter_widgets(self.form)

    def filter_owner(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(owner=self.user)
        return queryset.filter(owner_id=value)


class OpportunityFilter(PipelineFilter):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    stage = django_filters.ModelChoiceFilter(
        label=_("Stage"), queryset=Stage.objects.all(), empty_label=_("All stages")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))],
        empty_label=_("Open, won and lost"),
    )
    close_from = django_filters.DateFilter(
        label=_("Closing from"),
        field_name="expected_close_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    close_to = django_filters.DateFilter(
        label=_("Closing until"),
        field_name="expected_close_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closed_since = django_filters.DateFilter(
        label=_("Closed since"),
        field_name="closed_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount_min = django_filters.NumberFilter(label=_("Amount from"), field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(label=_("Amount up to"), field_name="amount", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("customer__legal_name", "customer"),
            ("amount", "amount"),
            ("expected_close_date", "close"),
            ("stage__order", "stage"),
            ("probability", "probability"),
            ("owner__first_name", "owner"),
            ("closed_on", "closed"),
        ),
        field_labels={
            "name": _("Name"),
            "customer__legal_name": _("Customer"),
            "amount": _("Amount"),
            "expected_close_date": _("Close date"),
            "stage__order": _("Stage"),
            "probability": _("Probability"),
            "owner__first_name": _("Owner"),
            "closed_on": _("Closed on"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"placeholder": _("Opportunity or customer"), "type": "search", "autocomplete": "off"}
        )
        for name in ("amount_min", "amount_max"):
            self.form.fields[name].widget.attrs["min"] = 0

    def filter_search(self, queryset, name, value):
        condition = Q()
        for word in value.split()[:8]:
            if any(ch.isalnum() for ch in word):
                condition &= Q(name__icontains=word) | Q(customer__search_text__contains=fold(word))
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        return {"open": queryset.open, "won": queryset.won, "lost": queryset.lost}[value]()

    @property
    def qs(self):
        queryset = super().qs
        # A stable order so pagination never repeats or skips a row.
        ordering = list(queryset.query.order_by) or ["expected_close_date"]
        return queryset.order_by(*ordering, "pk")
