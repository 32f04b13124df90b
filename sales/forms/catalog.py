"""What people type into the catalogue and the installed-base checklist."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sales.models import InstalledProduct, Product
from sales.services.catalog import InstalledItem

SMALL_INPUT = "form-control form-control-sm"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": SMALL_INPUT}, format="%Y-%m-%d")


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "description",
            "unit_price",
            "unit_cost",
            "tax_rate",
            "is_active",
            "is_licence",
            "licence_term_months",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "is_active": _("Inactive products stay on old quotes but cannot be added to new ones."),
        }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        # A term only means something for a licence; the model's constraint checks the reverse.
        if not cleaned.get("is_licence"):
            cleaned["licence_term_months"] = None
        return cleaned


class ProductFilter(django_filters.FilterSet):
    ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]
    LICENCE_CHOICES = [("yes", _("Licences")), ("no", _("Not licences"))]

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_flag", empty_label=_("Active and inactive")
    )
    licence = django_filters.ChoiceFilter(
        label=_("Licence"),
        choices=LICENCE_CHOICES,
        method="filter_flag",
        empty_label=_("Licences and other products"),
    )

    FLAGS = {"active": "is_active", "licence": "is_licence"}

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget = forms.TextInput(
            attrs={
                "placeholder": _("Code or name"),
                "type": "search",
                "class": "form-control",
                "autocomplete": "off",
            }
        )
        for name in ("active", "licence"):
            self.form.fields[name].widget.attrs["class"] = "form-select"

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{self.FLAGS[name]: value == "yes"})


@dataclass
class ChecklistRow:
    """One product of the checklist with its bound fields."""

    product: Product
    owned: forms.BoundField
    since: forms.BoundField
    expires: forms.BoundField
    notes: forms.BoundField


class InstalledBaseForm(forms.Form):
    """A checklist: one row per product, ticked when the customer owns it.

    Rows are the active catalogue plus whatever the customer owns already (an inactive
    product the customer owns can still be dated or removed, but not added anew).
    """

    def __init__(self, *args, products: list[Product], installed: list[InstalledProduct], **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        owned = {row.product_id: row for row in installed}
        for product in products:
            row = owned.get(product.pk)
            prefix = f"p{product.pk}"
            self.fields[f"{prefix}-owned"] = forms.BooleanField(
                label=product.name,
                required=False,
                initial=row is not None,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"{prefix}-since"] = forms.DateField(
                label=_("since"),
                required=False,
                initial=row.since if row else None,
                widget=_date_input(),
            )
            self.fields[f"{prefix}-expires"] = forms.DateField(
                label=_("licence expires on"),
                required=False,
                initial=row.licence_expires_on if row else None,
                widget=_date_input(),
            )
            self.fields[f"{prefix}-notes"] = forms.CharField(
                label=_("notes"),
                required=False,
                max_length=200,
                initial=row.notes if row else "",
                widget=forms.TextInput(attrs={"class": SMALL_INPUT, "placeholder": _("Notes")}),
            )

    def rows(self) -> list[ChecklistRow]:
        return [
            ChecklistRow(
                product=product,
                owned=self[f"p{product.pk}-owned"],
                since=self[f"p{product.pk}-since"],
                expires=self[f"p{product.pk}-expires"],
                notes=self[f"p{product.pk}-notes"],
            )
            for product in self.products
        ]

    def clean(self):
        cleaned = super().clean()
        for product in self.products:
            prefix = f"p{product.pk}"
            since, expires = cleaned.get(f"{prefix}-since"), cleaned.get(f"{prefix}-expires")
            if cleaned.get(f"{prefix}-owned") and since and expires and expires < since:
                self.add_error(
                    f"{prefix}-expires",
                    _("The licence of %(product)s cannot expire before the date it was bought.")
                    % {"product": product.name},
                )
        return cleaned

    def items(self) -> list[InstalledItem]:
        """The ticked products, for ``set_installed_base``."""
        data = self.cleaned_data
        return [
            InstalledItem(
                product=product,
                since=data.get(f"p{product.pk}-since"),
                licence_expires_on=data.get(f"p{product.pk}-expires"),
                notes=data.get(f"p{product.pk}-notes", ""),
            )
            for product in self.products
            if data.get(f"p{product.pk}-owned")
        ]
