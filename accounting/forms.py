"""What accounting types: the order list's filters, a payment and a credit note."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.models import CreditNote, Order, Payment


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Order.Status.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["amount", "paid_on", "method", "reference"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A payment must be more than zero."))
        return amount


class CreditNoteForm(forms.ModelForm):
    # Its fields sit on the invoice page beside the payment form's, which has an amount too.
    prefix = "credit"

    class Meta:
        model = CreditNote
        fields = ["amount", "reason"]
        help_texts = {"reason": _("Printed on the invoice, for the customer.")}

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A credit note must be more than zero."))
        return amount

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the invoice is credited."))
        return reason


class InvoiceFilterForm(forms.Form):
    OPEN, PAID, OVERDUE = "open", "paid", "overdue"
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (OPEN, _("Open")), (PAID, _("Paid")), (OVERDUE, _("Overdue"))],
    )
