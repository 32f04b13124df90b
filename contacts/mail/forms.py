"""What people type about email: their mailbox's servers, and a message to a customer."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import EmailValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.mail.models import Mailbox
from contacts.models import Customer
from contacts.uploads import check_upload, known_extensions

HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$")


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("App password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "An app password made for the CRM in your email account's security settings, "
            "not your usual password. It is stored encrypted."
        ),
    )

    class Meta:
        model = Mailbox
        fields = [
            "email_address",
            "username",
            "password",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_folder",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "is_active",
        ]
        help_texts = {
            "username": _("Usually the email address itself."),
            "imap_folder": _("The folder whose new mail is filed; INBOX unless you use another."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["username"].required = False
        if self.instance.pk:
            self.fields["password"].help_text = _("Leave empty to keep the saved one.")
        for name in ("imap_port", "smtp_port"):
            self.fields[name].widget.attrs.update({"min": 1, "max": 65535})

    def clean_email_address(self) -> str:
        address = self.cleaned_data["email_address"].strip()
        others = Mailbox.objects.filter(user=self.user, email_address__iexact=address)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("You have already connected this address."))
        return address

    def _clean_host(self, name: str) -> str:
        host = self.cleaned_data[name].strip()
        if not HOST.match(host):
            raise forms.ValidationError(_("Type only the server's name, such as imap.example.com."))
        return host

    def clean_imap_host(self) -> str:
        return self._clean_host("imap_host")

    def clean_smtp_host(self) -> str:
        return self._clean_host("smtp_host")

    def _clean_port(self, name: str) -> int:
        port = self.cleaned_data[name]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("A port is a number from 1 to 65535."))
        return port

    def clean_imap_port(self) -> int:
        return self._clean_port("imap_port")

    def clean_smtp_port(self) -> int:
        return self._clean_port("smtp_port")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password and not self.instance.pk:
            raise forms.ValidationError(_("Type the app password the CRM logs in with."))
        return password

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("username") and cleaned.get("email_address"):
            cleaned["username"] = cleaned["email_address"]
        return cleaned


def _addresses(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", value or "") if part.strip()]


class ComposeForm(forms.Form):
    """An email to a customer's contact, from one of the user's mailboxes."""

    mailbox = forms.ModelChoiceField(
        label=pgettext_lazy("email header", "From"), queryset=Mailbox.objects.none(), empty_label=None
    )
    to = forms.ChoiceField(label=pgettext_lazy("email header", "To"))
    cc = forms.CharField(
        label=_("Cc"), required=False, help_text=_("Other addresses, separated by commas."), max_length=1000
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=50000)
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, user, customer: Customer, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.attachment_type = ""
        self.fields["mailbox"].queryset = Mailbox.objects.filter(user=user)
        # address: (label, contact or None)
        self.recipients = {contact.email.lower(): contact for contact in contacts if contact.email}
        choices = [(email, f"{contact.name} <{contact.email}>") for email, contact in self.recipients.items()]
        if customer.email and customer.email.lower() not in self.recipients:
            self.recipients[customer.email.lower()] = None
            choices.append((customer.email.lower(), f"{customer} <{customer.email}>"))
        self.fields["to"].choices = choices
        self.fields["attachment"].help_text = _("Optional. Up to %(limit)s; %(types)s.") % {
            "limit": filesizeformat(settings.CRM_DOCUMENT_MAX_BYTES),
            "types": ", ".join(known_extensions(settings.CRM_DOCUMENT_TYPES)),
        }

    @property
    def contact(self):
        return self.recipients.get(self.cleaned_data["to"])

    def clean_cc(self) -> list[str]:
        addresses = _addresses(self.cleaned_data["cc"])
        validate = EmailValidator()
        bad = []
        for address in addresses:
            try:
                validate(address)
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(
                _("These are not email addresses: %(addresses)s") % {"addresses": ", ".join(bad)}
            )
        return addresses

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            self.attachment_type = check_upload(
                upload,
                name=upload.name,
                size=upload.size,
                max_bytes=settings.CRM_DOCUMENT_MAX_BYTES,
                extensions=settings.CRM_DOCUMENT_TYPES,
            )
        return upload
