from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Customer, EconomicActivity, RelationshipType, Tag
from contacts.value_segments import value_segments
from contacts.widgets import compact_filter_widgets
from crm.accounts.models import Team, User


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    segment = django_filters.ChoiceFilter(label=_("Type"), choices=Customer.Segment.choices)
    lifecycle_stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Customer.Stage.choices)
    relationship = django_filters.ModelChoiceFilter(
        label=_("Relationship"),
        field_name="relationship_types",
        queryset=RelationshipType.objects.all(),
    )
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    economic_activity = django_filters.ModelChoiceFilter(
        label=_("Economic activity"), queryset=EconomicActivity.objects.all()
    )
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), field_name="tags", queryset=Tag.objects.all())
    # Choices filled in per request: the segments are rules managers edit (see crm.insights).
    value_segment = django_filters.ChoiceFilter(label=_("Value segment"), field_name="value__segment")
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("legal_name", "name"),
            ("city", "city"),
            ("lifecycle_stage", "stage"),
            ("owner__first_name", "owner"),
            ("created_at", "created"),
        ),
        field_labels={
            "legal_name": _("Name"),
            "city": _("City"),
            "lifecycle_stage": _("Stage"),
            "owner__first_name": _("Owner"),
            "created_at": _("Created"),
        },
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A callable: read when the bar is rendered, never for an export.
        self.form.fields["value_segment"].choices = value_segments.choices
        compact_filter_widgets(self.form)
        self.form.fields["q"].widget = forms.TextInput(
            attrs={
                "placeholder": _("Name, tax id, email, phone or contact"),
                "type": "search",
                "class": "form-control",
                "autocomplete": "off",
            }
        )

    def narrows(self) -> bool:
        """Whether a filter (not only a sort order) is chosen, or a choice is invalid."""
        if not self.is_bound:
            return False
        if not self.form.is_valid():
            return True
        chosen = (value for name, value in self.form.cleaned_data.items() if name != "sort")
        return any(value not in (None, "") for value in chosen)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    @property
    def qs(self):
        queryset = super().qs
        # A stable order so pagination never repeats or skips a row.
        ordering = list(queryset.query.order_by) or ["legal_name"]
        return queryset.order_by(*ordering, "pk")
