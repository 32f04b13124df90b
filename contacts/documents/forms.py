"""A document someone uploads: within the size limit, of an accepted kind, and truly of that kind."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from contacts.uploads import check_upload, known_extensions


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_type = ""
        self.fields["file"].help_text = _("Up to %(limit)s; %(types)s.") % {
            "limit": filesizeformat(settings.CRM_DOCUMENT_MAX_BYTES),
            "types": ", ".join(known_extensions(settings.CRM_DOCUMENT_TYPES)),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(
            upload,
            name=upload.name,
            size=upload.size,
            max_bytes=settings.CRM_DOCUMENT_MAX_BYTES,
            extensions=settings.CRM_DOCUMENT_TYPES,
        )
        return upload
