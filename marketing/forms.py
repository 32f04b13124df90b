"""What people type about campaigns and segments, and the campaign list's filters."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.filters import CustomerFilter
from crm.accounts.models import Team, User
from marketing.models import Campaign, Segment
from marketing.segments import HAS_EMAIL, NOT_OPTED_OUT, customer_filter_params

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(fields) -> None:
    for field in fields:
        if isinstance(field.widget, forms.CheckboxInput):
            continue
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs["class"] = css


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Campaign.Channel.choices, empty_label=_("All channels")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Campaign.Status.choices, empty_label=_("All statuses")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=User.objects.filter(is_active=True), empty_label=_("Everyone")
    )
    running_from = django_filters.DateFilter(
        label=_("Running from"), method="filter_running_from", widget=DATE
    )
    running_to = django_filters.DateFilter(label=_("Running until"), method="filter_running_to", widget=DATE)

    class Meta:
        model = Campaign
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Campaign name")})
        _style(self.form.fields.values())

    def filter_running_from(self, queryset, name, value):
        # Campaigns still running on or after the date (or with no end date).
        return queryset.filter(Q(end_date__gte=value) | Q(end_date__isnull=True))

    def filter_running_to(self, queryset, name, value):
        return queryset.filter(Q(start_date__lte=value) | Q(start_date__isnull=True))

    @property
    def qs(self):
        return super().qs.order_by("-start_date", "-pk")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "status",
            "start_date",
            "end_date",
            "budget",
            "actual_cost",
            "owner",
            "team",
            "description",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        owner.help_text = _("Leave empty to own it yourself.")
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].help_text = _("Leave empty to use the owner's team.")
        for name in ("budget", "actual_cost"):
            self.fields[name].widget.attrs["min"] = 0

    def _not_negative(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and value < 0:
            raise forms.ValidationError(_("This amount cannot be negative."))
        return value

    def clean_budget(self):
        return self._not_negative("budget")

    def clean_actual_cost(self):
        return self._not_negative("actual_cost")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class WebFormToggleForm(forms.Form):
    enabled = forms.BooleanField(required=False)


class SegmentForm(forms.ModelForm):
    """The segment's name plus the customer list's filters and the segment-only ones.

    Filter fields carry the customer list's query-parameter names, so a list's query
    string fills the form in.
    """

    has_email = forms.BooleanField(label=_("Only customers with an email address"), required=False)
    not_opted_out = forms.BooleanField(label=_("Leave out customers who opted out of email"), required=False)

    class Meta:
        model = Segment
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        customer_fields = CustomerFilter().form.fields
        self.filter_names = customer_filter_params()
        for name in self.filter_names:
            field = customer_fields[name]
            field.required = False
            self.fields[name] = field
        _style(self.fields[name] for name in self.filter_names)

    @classmethod
    def initial_from(cls, params) -> dict[str, Any]:
        """Initial values from a customer-list query string or a segment's stored filters."""
        initial: dict[str, Any] = {}
        for name in customer_filter_params():
            if params.get(name):
                initial[name] = params.get(name)
        for name in (HAS_EMAIL, NOT_OPTED_OUT):
            initial[name] = bool(params.get(name))
        return initial

    def filters(self) -> dict[str, str]:
        """The filters to store, as query-string values (ids for records, codes for choices)."""
        values: dict[str, str] = {}
        for name in self.filter_names:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            values[name] = str(value.pk) if hasattr(value, "pk") else str(value)
        for name in (HAS_EMAIL, NOT_OPTED_OUT):
            if self.cleaned_data.get(name):
                values[name] = "1"
        return values


class AddToCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the campaigns in the list.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = (
            Campaign.objects.visible_to(user)
            .exclude(status__in=[Campaign.Status.COMPLETED, Campaign.Status.CANCELLED])
            .order_by("name")
        )
        _style(self.fields.values())


class AddSegmentForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.order_by("name"),
        error_messages={
            "invalid_choice": _("Choose one of the segments in the list."),
            "required": _("Choose a segment."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _style(self.fields.values())
