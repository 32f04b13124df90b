"""What people type into a quote: its header, its lines (a formset), and a clone's target."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from sales.models import Opportunity, Product, Quote, QuoteLine
from sales.services.quotes import LineInput

SMALL_INPUT = "form-control form-control-sm"
AMOUNT_INPUT = "form-control form-control-sm text-end"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteHeaderForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = ["valid_until", "notes", "terms"]
        widgets = {
            "valid_until": _date_input(),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"notes": _("Printed on the quote, for the customer.")}

    def clean_valid_until(self) -> date:
        valid_until = self.cleaned_data["valid_until"]
        issued_on = self.instance.issued_on if self.instance.pk else timezone.localdate()
        if valid_until < issued_on:
            raise forms.ValidationError(_("A quote cannot expire before the day it is issued."))
        return valid_until


class QuoteLineForm(forms.Form):
    """One row: an existing line (hidden ``line`` id) or a new one (a product is chosen)."""

    line = forms.IntegerField(widget=forms.HiddenInput, required=False)
    product = forms.TypedChoiceField(label=_("product"), required=False)
    description = forms.CharField(
        label=_("description"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": SMALL_INPUT}),
    )
    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"), _("The quantity must be more than zero."))],
        widget=forms.NumberInput(attrs={"class": AMOUNT_INPUT, "step": "any", "min": "0.01"}),
    )
    unit_price = forms.DecimalField(
        label=_("unit price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal(0), _("The price cannot be negative."))],
        widget=forms.NumberInput(attrs={"class": AMOUNT_INPUT, "step": "any", "min": "0"}),
    )
    discount_percent = forms.DecimalField(
        label=_("discount (%)"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        required=False,
        validators=[
            MinValueValidator(Decimal(0), _("The discount must be between 0 and 100.")),
            MaxValueValidator(Decimal(100), _("The discount must be between 0 and 100.")),
        ],
        widget=forms.NumberInput(attrs={"class": AMOUNT_INPUT, "step": "any", "min": "0", "max": "100"}),
    )

    def __init__(self, *args, existing: dict[int, QuoteLine], products: dict[int, Product], **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.products = products
        field = self.fields["product"]
        field.choices = [("", _("Choose a product…")), *((pk, str(p)) for pk, p in products.items())]
        field.coerce = int
        field.widget.attrs["class"] = "form-select form-select-sm"
        field.error_messages["invalid_choice"] = _("That product is not in the active catalogue.")
        self.fields["unit_price"].widget.attrs["placeholder"] = _("catalogue price")
        # The rows sit in a table without visible labels; name each input for screen readers.
        for name in ("product", "description", "quantity", "unit_price", "discount_percent"):
            self.fields[name].widget.attrs["aria-label"] = capfirst(self.fields[name].label)
        # The line this row edits, for its read-only product name and snapshot tax rate.
        self.quote_line = self.existing.get(self._line_id())

    def _line_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("line")) if self.is_bound else self.initial.get("line")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean_line(self) -> int | None:
        line_id = self.cleaned_data.get("line")
        if line_id is not None and line_id not in self.existing:
            raise forms.ValidationError(_("This line was removed meanwhile; reload the quote."))
        return line_id

    def clean_discount_percent(self) -> Decimal:
        value = self.cleaned_data.get("discount_percent")
        return Decimal(0) if value is None else value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("line") is None and not cleaned.get("product") and "product" not in self.errors:
            self.add_error("product", _("Choose a product for the new line."))
        return cleaned

    def line_input(self) -> LineInput:
        data = self.cleaned_data
        product_id = data.get("product")
        return LineInput(
            line_id=data.get("line"),
            product=None if data.get("line") is not None else self.products.get(product_id),
            description=data.get("description", "").strip(),
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            discount_percent=data["discount_percent"],
        )


class BaseQuoteLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A quote has at most %(num)d line.", "A quote has at most %(num)d lines.", "num"
        ),
    }

    def __init__(self, *args, lines: Iterable[QuoteLine], products: Iterable[Product], **kwargs):
        lines = list(lines)
        existing = {line.pk: line for line in lines}
        kwargs.setdefault(
            "initial",
            [
                {
                    "line": line.pk,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "discount_percent": line.discount_percent,
                }
                for line in lines
            ],
        )
        kwargs["form_kwargs"] = {"existing": existing, "products": {p.pk: p for p in products}}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].widget.attrs["aria-label"] = _("Remove the line")

    def clean(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            line_id = form.cleaned_data.get("line") if hasattr(form, "cleaned_data") else None
            if line_id is not None:
                if line_id in seen:
                    raise forms.ValidationError(_("A line appears twice; reload the quote."))
                seen.add(line_id)

    def kept_forms(self) -> list[QuoteLineForm]:
        """Filled-in rows not marked for removal, in order; call after validation."""
        return [
            form
            for form in self.forms
            if form.has_changed() or form.cleaned_data.get("line") is not None
            if not self._should_delete_form(form)
        ]

    def line_inputs(self) -> list[LineInput]:
        return [form.line_input() for form in self.kept_forms()]

    def valid_line_inputs(self) -> tuple[list[LineInput], bool]:
        """For live totals on unsaved input: the rows that are valid, and whether any was not."""
        inputs, skipped = [], False
        for form in self.forms:
            valid = form.is_valid()  # cleans the form, so the removal box can be read
            if self._should_delete_form(form):
                continue
            if not valid:
                skipped = True
                continue
            if form.has_changed() or form.cleaned_data.get("line") is not None:
                inputs.append(form.line_input())
        return inputs, skipped


MAX_LINES = 200
QuoteLineFormSet = forms.formset_factory(
    QuoteLineForm,
    formset=BaseQuoteLineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    # A tampered form count is cut here, so a request never builds thousands of rows.
    absolute_max=MAX_LINES + 1,
)


class CloneQuoteForm(forms.Form):
    opportunity = forms.ModelChoiceField(
        label=_("for the opportunity"),
        queryset=Opportunity.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your open opportunities with this customer.")},
    )

    def __init__(self, *args, opportunities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = opportunities
