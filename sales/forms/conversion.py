"""The qualify screen: the answers, the rep who takes the lead, and the opportunity to open."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.accounts.roles import Role

DEFAULT_CLOSE_DAYS = 30


def sales_reps():
    return (
        User.objects.filter(is_active=True, groups__name=Role.SALES_REP)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


class ConvertLeadForm(forms.Form):
    need = forms.CharField(
        label=_("need"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What problem do they want solved?"),
    )
    budget = forms.CharField(
        label=_("budget"),
        required=False,
        max_length=200,
        help_text=_("Is there money set aside, and how much?"),
    )
    authority = forms.CharField(
        label=_("authority"),
        required=False,
        max_length=200,
        help_text=_("Who decides, and who else takes part?"),
    )
    timeline = forms.CharField(
        label=_("timeline"), required=False, max_length=200, help_text=_("When do they expect to decide?")
    )
    rep = forms.ModelChoiceField(
        label=_("hand to sales rep"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the sales rep who takes the lead."),
            "invalid_choice": _("Choose one of the sales reps in the list."),
        },
    )
    name = forms.CharField(label=_("opportunity name"), max_length=200)
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        error_messages={"min_value": _("The amount cannot be negative.")},
    )
    expected_close_date = forms.DateField(
        label=_("expected close date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, won: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.won = won
        self.fields["rep"].queryset = sales_reps()
        self.fields["amount"].widget.attrs["min"] = 0
        today = timezone.localdate()
        self.fields["expected_close_date"].initial = (
            today if won else today + timedelta(days=DEFAULT_CLOSE_DAYS)
        )

    def clean_expected_close_date(self):
        value = self.cleaned_data["expected_close_date"]
        if not self.won and value < timezone.localdate():
            raise forms.ValidationError(_("The expected close date cannot be in the past."))
        return value
