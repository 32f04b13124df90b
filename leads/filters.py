"""Filters for the lead list."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.choices import row_choices
from contacts.search import fold
from contacts.widgets import compact_filter_widgets
from crm.accounts.models import Team, User
from leads.forms import telemarketers
from leads.models import Lead
from marketing.models import Campaign

MINE = "mine"


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Lead.Status.choices, empty_label=_("Any status")
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=_("Any campaign")
    )
    assigned_to = django_filters.ChoiceFilter(
        label=_("Telemarketer"), method="filter_assigned", empty_label=_("Anyone")
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), queryset=Team.objects.all(), empty_label=_("All teams")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Lead.Source.choices, empty_label=_("Any source")
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["campaign"].queryset = Campaign.objects.visible_to(user).order_by("name")
        self.filters["assigned_to"].extra["choices"] = [
            (MINE, str(_("Mine"))),
            *row_choices(telemarketers()),
        ]
        compact_filter_widgets(self.form)
        self.form.fields["q"].widget.attrs.update(
            {
                "placeholder": _("Customer name, tax id, email or phone"),
                "type": "search",
                "autocomplete": "off",
            }
        )

    def filter_search(self, queryset, name, value):
        condition = Q()
        for word in value.split()[:8]:
            if any(ch.isalnum() for ch in word):
                condition &= Q(customer__search_text__contains=fold(word))
        return queryset.filter(condition)

    def filter_assigned(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(assigned_to=self.user)
        return queryset.filter(assigned_to_id=value)

    @property
    def qs(self):
        # A stable order so pagination never repeats or skips a row.
        return super().qs.order_by("-created_at", "-pk")
