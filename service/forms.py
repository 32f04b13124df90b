"""What people type about tickets: the ticket, a reply, a status change."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.accounts.roles import Role
from sales.models import Product
from service import attachments
from service.models import Category, Reply, Ticket


def agents():
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.SERVICE_AGENT, Role.MANAGER])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class TicketForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["subject", "description", "product", "channel", "priority", "category", "assignee"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current_category = self.instance.category_id
        self.fields["category"].queryset = Category.objects.filter(Q(is_active=True) | Q(pk=current_category))
        current_product = self.instance.product_id
        self.fields["product"].queryset = Product.objects.filter(Q(is_active=True) | Q(pk=current_product))
        self.fields["assignee"].queryset = agents()


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["body", "is_internal"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_internal": _("Internal note (not sent to the customer)")}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a message."))
        return body


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()


class AttachmentForm(forms.Form):
    """A file for a ticket: within the size limit, of an accepted kind, and truly of that kind."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(limit)s; %(types)s.") % {
            "limit": filesizeformat(settings.SERVICE_ATTACHMENT_MAX_BYTES),
            "types": ", ".join(attachments.allowed_extensions()),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SERVICE_ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too big (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        accepted = attachments.allowed_extensions()
        extension = attachments.extension_of(upload.name)
        if extension not in accepted:
            raise forms.ValidationError(
                _("Files of this type are not accepted. Accepted types: %(types)s.")
                % {"types": ", ".join(accepted)}
            )
        self.content_type = attachments.sniff(upload, extension)
        if self.content_type is None:
            raise forms.ValidationError(
                _("The file's content is not that of a .%(extension)s file.") % {"extension": extension}
            )
        return upload
