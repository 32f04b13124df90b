"""The mailing form: who it goes to, its subject and body with merge fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing import mailing as services
from marketing.models import Campaign, Mailing, Segment


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["name", "campaign", "segment", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("name")
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["campaign"].help_text = _("Send to the campaign's members…")
        self.fields["segment"].help_text = _("…or to the customers of a saved segment.")
        allowed = services.allowed_fields_text()
        self.fields["subject"].help_text = _("Merge fields work here too.")
        self.fields["body"].help_text = _("Plain text. Merge fields: %(allowed)s.") % {"allowed": allowed}

    def _check_template(self, name: str) -> str:
        value = self.cleaned_data[name]
        errors = services.template_errors(value)
        if errors:
            raise forms.ValidationError(errors)
        return value

    def clean_subject(self) -> str:
        return self._check_template("subject")

    def clean_body(self) -> str:
        return self._check_template("body")

    def clean(self):
        cleaned = super().clean()
        campaign, segment = cleaned.get("campaign"), cleaned.get("segment")
        if campaign and segment:
            raise forms.ValidationError(_("Choose a campaign or a segment, not both."))
        if not campaign and not segment and not self.has_error("campaign") and not self.has_error("segment"):
            raise forms.ValidationError(_("Choose the campaign or the segment to send to."))
        return cleaned
