"""What people type about opportunities: the opportunity itself and a move between stages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Customer
from crm.accounts.models import User
from sales.models import LostReason, Opportunity, Stage

LOST_REASON_MISSING = _("Say why the opportunity was lost.")


def _active_or_current(queryset, current_pk: int | None):
    """The active choices, plus the record's current one even if it was retired since."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk))


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "customer",
            "name",
            "amount",
            "expected_close_date",
            "stage",
            "probability",
            "owner",
            "next_step",
            "lost_reason",
        ]
        widgets = {
            "customer": forms.HiddenInput,
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "customer": {
                "invalid_choice": _("Choose a customer you can see."),
                "required": _("Choose the customer first."),
            },
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            # The customer is fixed once there is an opportunity (its quotes belong to that customer).
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["stage"].queryset = _active_or_current(Stage.objects.all(), instance.stage_id)
        self.fields["stage"].empty_label = None
        self.fields["lost_reason"].queryset = _active_or_current(
            LostReason.objects.all(), instance.lost_reason_id
        )
        self.fields["lost_reason"].help_text = _("Needed when the stage is a lost one.")
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Leave empty to own it yourself.")
        if not instance.pk:
            self.fields["owner"].initial = user.pk
        probability = self.fields["probability"]
        probability.required = False
        probability.help_text = _("Leave empty to use the stage's default.")
        self.fields["amount"].widget.attrs["min"] = 0

    def clean_owner(self) -> User | None:
        # Left empty on an edit, the owner stays who it was.
        return self.cleaned_data.get("owner") or (self.instance.owner if self.instance.pk else None)

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage is not None and stage.is_lost and not cleaned.get("lost_reason"):
            self.add_error("lost_reason", LOST_REASON_MISSING)
        # On a stage change, a probability the person left as it was follows the new stage.
        if self.instance.pk and "stage" in self.changed_data and "probability" not in self.changed_data:
            cleaned["probability"] = None
        return cleaned


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("stage"),
        queryset=Stage.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("Choose one of the stages.")},
    )
    lost_reason = forms.ModelChoiceField(
        label=_("lost reason"),
        queryset=LostReason.objects.filter(is_active=True),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the reasons in the list.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage is not None and stage.is_lost and not cleaned.get("lost_reason"):
            self.add_error("lost_reason", LOST_REASON_MISSING)
        return cleaned
