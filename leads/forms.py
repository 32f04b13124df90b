"""What telemarketers type: a call's outcome, a disqualification, a lead by hand, a reassignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Customer
from crm.accounts.models import User
from crm.accounts.roles import Role, has_role
from leads.models import DisqualificationReason, Lead
from leads.services import CallOutcome
from marketing.models import Campaign

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_CALL_MINUTES = 600


def telemarketers():
    return (
        User.objects.filter(is_active=True, groups__name=Role.TELEMARKETER)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=CallOutcome.choices,
        error_messages={
            "invalid_choice": _("Choose one of the outcomes."),
            "required": _("Choose an outcome."),
        },
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), required=False, min_value=0, max_value=MAX_CALL_MINUTES
    )
    callback_at = forms.DateTimeField(label=_("call back at"), required=False, widget=DATETIME_LOCAL)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == CallOutcome.CALLBACK:
            callback_at = cleaned.get("callback_at")
            if callback_at is None and "callback_at" not in self.errors:
                self.add_error("callback_at", _("Say when to call back."))
            elif callback_at is not None and callback_at <= timezone.now():
                self.add_error("callback_at", _("Choose a time in the future to call back."))
        return cleaned


class DisqualifyForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("reason"),
        queryset=DisqualificationReason.objects.filter(is_active=True),
        error_messages={
            "required": _("Say why the lead is disqualified."),
            "invalid_choice": _("Choose one of the reasons in the list."),
        },
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadForm(forms.ModelForm):
    """A lead entered by hand on a customer the user can see."""

    class Meta:
        model = Lead
        fields = ["contact", "campaign", "source", "assigned_to", "score", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, customer: Customer, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-pk")
        self.fields["assigned_to"].queryset = telemarketers()
        self.fields["assigned_to"].initial = user.pk if has_role(user, Role.TELEMARKETER) else None
        self.fields["score"].widget.attrs.update({"min": 0, "max": 100})

    def clean_score(self) -> int:
        score = self.cleaned_data.get("score") or 0
        if not 0 <= score <= 100:
            raise forms.ValidationError(_("The score goes from 0 to 100."))
        return score


class ReassignForm(forms.Form):
    leads = forms.ModelMultipleChoiceField(
        label=_("leads"),
        queryset=Lead.objects.none(),
        error_messages={
            "required": _("Tick the leads to reassign."),
            "invalid_choice": _("Some of the ticked leads are no longer available."),
            "invalid_pk_value": _("Some of the ticked leads are no longer available."),
        },
    )
    telemarketer = forms.ModelChoiceField(
        label=_("telemarketer"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the telemarketer who takes them."),
            "invalid_choice": _("Choose one of the telemarketers in the list."),
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = Lead.objects.visible_to(user)
        self.fields["telemarketer"].queryset = telemarketers()
