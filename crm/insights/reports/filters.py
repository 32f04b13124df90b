"""A report's filters: a period (preset or custom dates) and, as they apply, rep, team,
campaign, product, grouping and granularity. A bad value is reported and left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.widgets import QuickSelect
from crm.accounts.models import Team, User
from crm.insights.reports.periods import GRANULARITIES, PRESETS, Period, preset_period
from crm.insights.reports.scope import Scope
from marketing.models import Campaign
from sales.models import Product

LONGEST = timedelta(days=3660)  # ten years: longer ranges are a typo, not a question
OPTIONAL = ("rep", "team", "campaign", "product")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        # A rep who left keeps their figures; the label says why they are not in the team any more.
        return str(obj) if obj.is_active else str(_("%(name)s (left)") % {"name": obj})


@dataclass(frozen=True)
class Filters:
    period: Period
    preset: str
    rep: User | None = None
    team: Team | None = None
    campaign: Campaign | None = None
    product: Product | None = None
    group: str = ""
    granularity: str = "week"


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rep = PersonChoiceField(
        label=_("Rep"), queryset=User.objects.none(), required=False, empty_label=_("All reps")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.all(), required=False, empty_label=_("All campaigns")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False, empty_label=_("All products")
    )
    group = forms.ChoiceField(label=_("Group by"), required=False)
    granularity = forms.ChoiceField(label=_("Per"), choices=GRANULARITIES, required=False)

    def __init__(self, data, *, report, scope: Scope, today: date):
        # Always bound, so that the fields show what the page shows when nothing was chosen.
        super().__init__(data.copy())
        self.report, self.today = report, today
        for name in OPTIONAL:
            if name not in report.filters or (name in ("rep", "team") and scope.own_only):
                del self.fields[name]
        if "rep" in self.fields:
            self.fields["rep"].queryset = scope.people(report.people_roles)
            self.fields["rep"].label, self.fields["rep"].empty_label = report.rep_labels
        if "team" in self.fields:
            self.fields["team"].queryset = scope.teams()
        if report.groupings:
            self.fields["group"].choices = report.groupings
        else:
            del self.fields["group"]
        if not report.granularity:
            del self.fields["granularity"]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget = QuickSelect(
                    attrs={"class": "form-select form-select-sm"}, choices=field.choices
                )
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def _period(self) -> tuple[str, Period]:
        data = self.cleaned_data
        preset = data.get("period") or self.report.default_period
        start, end = data.get("start"), data.get("end")
        if preset != "custom":
            period = preset_period(preset, self.today)
            # Dates typed while a preset was chosen mean custom dates.
            if not (start and end) or (start, end) == (period.start, period.end):
                return preset, period
        if not (start and end):
            if "start" not in self.errors and "end" not in self.errors:
                self.add_error("start", _("Give both dates of a custom period."))
        elif start > end:
            self.add_error("end", _("The end comes before the start."))
        elif end - start > LONGEST:
            self.add_error("end", _("Choose a period of ten years at most."))
        else:
            return "custom", Period(start, end)
        return self.report.default_period, preset_period(self.report.default_period, self.today)

    def filters(self) -> Filters:
        self.is_valid()
        preset, period = self._period()
        # Show the period the figures are for, whatever was typed.
        self.data["period"] = preset
        self.data["start"], self.data["end"] = period.start.isoformat(), period.end.isoformat()
        data = self.cleaned_data
        groupings = [key for key, _label in self.report.groupings]
        return Filters(
            period=period,
            preset=preset,
            rep=data.get("rep"),
            team=data.get("team"),
            campaign=data.get("campaign"),
            product=data.get("product"),
            group=data.get("group") or (groupings[0] if groupings else ""),
            granularity=data.get("granularity") or self.report.default_granularity,
        )
