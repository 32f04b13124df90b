"""Forms of lead capture: the upload, the column mapping, and the public web form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.importing.reading import ImportFileError
from contacts.validators import normalize_phone, normalize_tax_id, validate_nit
from crm.accounts.models import Team
from leads.capture.reading import FIELDS, IGNORE, Table, read_table

# Larger than the customer import's limit: a purchased list may hold 100,000 rows.
MAX_UPLOAD_BYTES = getattr(settings, "CRM_LEAD_IMPORT_MAX_BYTES", 30 * 1024 * 1024)


class LeadImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "A purchased list or a trade-show scan: comma, semicolon or tab separated; "
            "UTF-8 or the Latin encoding Excel uses. The first row names the columns."
        ),
    )
    distribute_to_team = forms.ModelChoiceField(
        label=gettext_lazy("Spread the new leads over the telemarketers of"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("The campaign's team"),
    )

    table: Table

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s KB); the limit is %(limit)s KB.")
                % {"size": upload.size // 1024, "limit": MAX_UPLOAD_BYTES // 1024}
            )
        try:
            self.table = read_table(upload.read())
        except ImportFileError as error:
            raise ValidationError(str(error)) from error
        return upload


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: which of our fields it fills, or Ignore."""

    def __init__(self, *args, headers: list[str], initial_fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, _("Ignore this column")), *((key, label) for key, label in FIELDS.items())]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("(column %(number)s without a name)") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_fields[index] if index < len(initial_fields) else IGNORE,
            )

    def chosen_fields(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{index}") or IGNORE for index in range(len(self.headers))]


class WebLeadForm(forms.Form):
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    tax_id = forms.CharField(
        label=gettext_lazy("Tax id (NIT)"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("Optional; with its check digit, e.g. 900123456-8."),
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    message = forms.CharField(
        label=gettext_lazy("How can we help?"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    # Hidden from people by a CSS class; software that fills every field fills it too.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and len(normalize_phone(phone)) < 7:
            raise ValidationError(_("Enter a phone number with at least 7 digits."))
        return phone

    def clean_tax_id(self) -> str:
        tax_id = normalize_tax_id(self.cleaned_data.get("tax_id", ""))
        if tax_id:
            validate_nit(tax_id)
        return tax_id

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("email")
            and not cleaned.get("phone")
            and not {"email", "phone"} & set(self.errors)
        ):
            raise ValidationError(_("Leave an email or a phone number so that we can reach you."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())
