"""What people type into an order taken by hand: the customer and date, and its lines (a formset)."""

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

from accounting.services import OrderLineInput
from contacts.models import Customer
from contacts.widgets import QuickSelect
from crm.accounts.models import User
from sales.models import Product

SMALL_INPUT = "form-control form-control-sm"
AMOUNT_INPUT = "form-control form-control-sm text-end"
PERCENT_MESSAGE = _("Give a percentage between 0 and 100.")


def _amount_input(**attrs: str) -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": AMOUNT_INPUT, "step": "any", **attrs})


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("customer"),
        queryset=Customer.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Choose a customer you can see."),
            "required": _("Choose the customer first."),
        },
    )
    order_date = forms.DateField(
        label=_("order date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["order_date"].initial = timezone.localdate

    def clean_order_date(self) -> date:
        order_date = self.cleaned_data["order_date"]
        if order_date > timezone.localdate():
            raise forms.ValidationError(_("The order date cannot be in the future."))
        return order_date


class OrderLineForm(forms.Form):
    product = forms.TypedChoiceField(label=_("product"), required=False, coerce=int, widget=QuickSelect)
    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"), _("The quantity must be more than zero."))],
        widget=_amount_input(min="0.01"),
    )
    unit_price = forms.DecimalField(
        label=_("unit price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal(0), _("The price cannot be negative."))],
        widget=_amount_input(min="0"),
    )
    discount_percent = forms.DecimalField(
        label=_("discount (%)"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        required=False,
        validators=[MinValueValidator(Decimal(0), PERCENT_MESSAGE), MaxValueValidator(100, PERCENT_MESSAGE)],
        widget=_amount_input(min="0", max="100"),
    )
    tax_rate = forms.DecimalField(
        label=_("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal(0), PERCENT_MESSAGE), MaxValueValidator(100, PERCENT_MESSAGE)],
        widget=_amount_input(min="0", max="100"),
    )

    def __init__(self, *args: Any, products: dict[int, Product], choices: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.products = products
        field = self.fields["product"]
        field.choices = choices
        field.widget.attrs["class"] = "form-select form-select-sm"
        field.error_messages["invalid_choice"] = _("That product is not in the active catalogue.")
        self.fields["unit_price"].widget.attrs["placeholder"] = _("catalogue price")
        self.fields["tax_rate"].widget.attrs["placeholder"] = _("product's rate")
        # The rows sit in a table without visible labels; name each input for screen readers.
        for name in ("product", "quantity", "unit_price", "discount_percent", "tax_rate"):
            self.fields[name].widget.attrs["aria-label"] = capfirst(self.fields[name].label)

    def clean_discount_percent(self) -> Decimal:
        value = self.cleaned_data.get("discount_percent")
        return Decimal(0) if value is None else value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("product") and "product" not in self.errors:
            self.add_error("product", _("Choose a product for the line."))
        return cleaned

    def line_input(self) -> OrderLineInput:
        data = self.cleaned_data
        return OrderLineInput(
            product=self.products[data["product"]],
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            discount_percent=data["discount_percent"],
            tax_rate=data.get("tax_rate"),
        )


class BaseOrderLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "An order has at most %(num)d line.", "An order has at most %(num)d lines.", "num"
        ),
    }

    def __init__(self, *args: Any, products: Iterable[Product], **kwargs: Any):
        by_pk = {product.pk: product for product in products}
        # Built once for every row, so a long order does not rebuild the catalogue per line.
        choices = [("", _("Choose a product…")), *((pk, str(product)) for pk, product in by_pk.items())]
        kwargs["form_kwargs"] = {"products": by_pk, "choices": choices}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].widget.attrs["aria-label"] = _("Remove the line")

    def kept_forms(self) -> list[OrderLineForm]:
        """Filled-in rows not marked for removal, in order; untouched blank rows are skipped."""
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]

    def clean(self) -> None:
        if not self.kept_forms():
            raise forms.ValidationError(_("Add at least one line to the order."))

    def line_inputs(self) -> list[OrderLineInput]:
        return [form.line_input() for form in self.kept_forms()]


MAX_LINES = 200
OrderLineFormSet = forms.formset_factory(
    OrderLineForm,
    formset=BaseOrderLineFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    # A tampered form count is cut here, so a request never builds thousands of rows.
    absolute_max=MAX_LINES + 1,
)
