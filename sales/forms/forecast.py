"""The forecast's filters and the parameters of its drill-down into the opportunities."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.choices import LookupOptions
from contacts.widgets import QuickSelect
from crm.accounts.models import Team, User
from crm.accounts.roles import Role
from sales.forecast import (
    DEFAULT_QUARTERS,
    IS_OPEN,
    IS_WON,
    MEASURES,
    NO_TEAM,
    add_months,
    parse_month,
)


def forecast_reps() -> QuerySet:
    """Whom the rep filter offers: the active people who sell (sales reps, and managers who
    may own deals too). Asking the opportunities who owns one would read them all."""
    return User.objects.filter(is_active=True, groups__name__in=[Role.SALES_REP, Role.MANAGER]).distinct()


class ForecastForm(forms.Form):
    """The forecast's filters; a field with a bad value is reported and falls back to its default."""

    quarters = forms.TypedChoiceField(
        label=gettext_lazy("Quarters ahead"),
        choices=[
            (1, gettext_lazy("1 quarter")),
            (2, gettext_lazy("2 quarters")),
            (3, gettext_lazy("3 quarters")),
            (4, gettext_lazy("4 quarters")),
        ],
        coerce=int,
        required=False,
        empty_value=None,
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Rep"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All reps"),
    )
    measure = forms.ChoiceField(choices=MEASURES, required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        # Always bound, so that the selects show what the page shows when nothing was chosen.
        data = data.copy() if data is not None else {}
        if not data.get("quarters"):
            data["quarters"] = str(DEFAULT_QUARTERS)
        super().__init__(data, **kwargs)
        self.fields["owner"].queryset = forecast_reps()
        # The teams and reps come from the shared cache (``contacts.choices``), not a query each.
        lookups = LookupOptions([self.fields["team"], self.fields["owner"]])
        for name in ("quarters", "team", "owner"):
            field = self.fields[name]
            choices = field.choices if name == "quarters" else lookups.of(field)
            field.widget = QuickSelect(attrs={"class": "form-select form-select-sm"}, choices=choices)

    def choices(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "quarters": data.get("quarters") or DEFAULT_QUARTERS,
            "team": data.get("team"),
            "owner": data.get("owner"),
            "measure": data.get("measure") or "pipeline",
        }


PERIOD_WORDS = {
    ("open", "in"): gettext_lazy("Expected to close in %(start)s"),
    ("open", "fromto"): gettext_lazy("Expected to close from %(start)s to %(end)s"),
    ("open", "to"): gettext_lazy("Expected to close up to %(end)s"),
    ("open", "from"): gettext_lazy("Expected to close from %(start)s on"),
    ("won", "in"): gettext_lazy("Won in %(start)s"),
    ("won", "fromto"): gettext_lazy("Won from %(start)s to %(end)s"),
    ("won", "to"): gettext_lazy("Won up to %(end)s"),
    ("won", "from"): gettext_lazy("Won from %(start)s on"),
}


class DrillDownForm(forms.Form):
    """Which opportunities lie behind one figure: open or won, a range of months, a team, a rep."""

    kind = forms.ChoiceField(choices=[("open", gettext_lazy("Open")), ("won", gettext_lazy("Won"))])
    # Months as YYYY-MM, both included; either may be left out.
    since = forms.CharField(required=False)
    until = forms.CharField(required=False)
    team = forms.CharField(required=False)
    owner = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def _month(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(gettext_lazy("Enter a month as YYYY-MM."), code="invalid")
        return month

    def clean_since(self) -> date | None:
        return self._month("since")

    def clean_until(self) -> date | None:
        return self._month("until")

    def clean_team(self) -> str:
        value = self.cleaned_data.get("team") or ""
        if value and value != NO_TEAM and not (value.isdigit() and len(value) < 10):
            raise forms.ValidationError(gettext_lazy("Choose a valid team."), code="invalid")
        return value

    def opportunities(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` narrowed to the figure's opportunities (call after ``is_valid``)."""
        data = self.cleaned_data
        if data["kind"] == "won":
            queryset, date_field = queryset.filter(IS_WON), "closed_on"
        else:
            queryset, date_field = queryset.filter(IS_OPEN), "expected_close_date"
        if data["since"]:
            queryset = queryset.filter(**{f"{date_field}__gte": data["since"]})
        if data["until"]:
            queryset = queryset.filter(**{f"{date_field}__lt": add_months(data["until"], 1)})
        if data["team"] == NO_TEAM:
            queryset = queryset.filter(team__isnull=True)
        elif data["team"]:
            queryset = queryset.filter(team_id=int(data["team"]))
        if data["owner"]:
            queryset = queryset.filter(owner_id=data["owner"])
        return queryset

    def scope(self) -> list[str]:
        """What the figure covers, in words: its months, team and rep (call after ``is_valid``)."""
        data = self.cleaned_data
        since, until = (
            date_format(data[name], "YEAR_MONTH_FORMAT") if data[name] else "" for name in ("since", "until")
        )
        shape = "in" if since and since == until else ("from" if since else "") + ("to" if until else "")
        parts = [PERIOD_WORDS[data["kind"], shape] % {"start": since, "end": until}] if shape else []
        if data["team"] == NO_TEAM:
            parts.append(_("No team"))
        elif data["team"]:
            team = Team.objects.filter(pk=int(data["team"])).first()
            parts.append(_("Team %(team)s") % {"team": team or "—"})
        if data["owner"]:
            owner = User.objects.filter(pk=data["owner"]).first()
            parts.append(_("Rep %(rep)s") % {"rep": owner or "—"})
        return parts
