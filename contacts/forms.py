from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Activity, Contact, Customer
from contacts.validators import normalize_tax_id, validate_nit
from crm.accounts.models import User


class CustomerForm(forms.ModelForm):
    # Carried through the form so a save over someone else's newer edit is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Optional here (imports and older clients omit it); clean_language supplies the default.
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES, required=False)
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")
    confirm_duplicates = forms.BooleanField(
        label=_("I have checked the similar customers above; save anyway"), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "segment",
            "legal_name",
            "trade_name",
            "tax_id",
            "economic_activity",
            "employees",
            "relationship_types",
            "lifecycle_stage",
            "phone",
            "email",
            "website",
            "address",
            "city",
            "country",
            "language",
            "owner",
            "team",
            "tags",
            "notes",
        ]
        widgets = {
            "relationship_types": forms.CheckboxSelectMultiple,
            "tags": forms.SelectMultiple(attrs={"size": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "country": {"max_length": _("Use the two-letter ISO country code, e.g. CO.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).select_related("team")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean_version(self) -> int:
        # An unreadable version (a damaged or hand-made form) counts as stale: the person
        # is shown the conflict and saves again on purpose, rather than overwriting blindly.
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isdigit() else 0

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE

    def clean_tax_id(self) -> str | None:
        value = normalize_tax_id(self.cleaned_data.get("tax_id") or "")
        return value or None

    def clean_country(self) -> str:
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Use the two-letter ISO country code, e.g. CO."))
        return country

    def clean(self):
        cleaned = super().clean()
        tax_id, country = cleaned.get("tax_id"), cleaned.get("country")
        if tax_id and country == "CO":
            try:
                validate_nit(tax_id)
            except forms.ValidationError as error:
                self.add_error("tax_id", error)
        return cleaned

    def customer_data(self) -> dict:
        """The plain field values, for the services; many-to-many fields travel separately."""
        skip = {"relationship_types", "tags", "version", "confirm_duplicates"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email", "is_legal_representative"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "subject", "contact", "outcome", "duration_minutes", "occurred_at", "notes"]
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["occurred_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["duration_minutes"].widget.attrs["min"] = 0

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at and occurred_at > timezone.now() + timedelta(days=1):
            raise forms.ValidationError(_("An activity that already happened cannot be in the future."))
        return occurred_at


class TaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=User.objects.filter(is_active=True))
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].initial = user.pk
        self.fields["due_date"].initial = timezone.localdate() + timedelta(days=7)


class AssignOwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("new owner"), queryset=User.objects.filter(is_active=True))


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("duplicate to fold into this customer"),
        queryset=Customer.objects.none(),
        error_messages={
            "invalid_choice": _(
                "There is no customer with this number that you can see; "
                "it may have been merged or deleted already."
            )
        },
    )
    confirm = forms.BooleanField(
        label=_("I understand the duplicate will be deleted after its records move here"),
    )

    def __init__(self, *args, survivor: Customer, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor = survivor
        self.fields["duplicate"].queryset = queryset
        self.fields["duplicate"].widget = forms.NumberInput()
        self.fields["duplicate"].help_text = _("The number of the duplicate customer (see its page address).")

    def clean_duplicate(self) -> Customer:
        duplicate = self.cleaned_data["duplicate"]
        if duplicate.pk == self.survivor.pk:
            raise forms.ValidationError(_("A customer cannot be merged into itself."))
        return duplicate
