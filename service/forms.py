"""What people type about tickets: the ticket, a reply, a status change, an attachment."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounting.models import Order
from contacts.models import Customer
from contacts.uploads import check_upload
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


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Order) -> str:
        return f"{obj.number} · {date_format(obj.order_date, 'SHORT_DATE_FORMAT')}"


class TicketForm(forms.ModelForm):
    """A ticket of ``customer``: its order is one of that customer's orders the user may see."""

    class Meta:
        model = Ticket
        fields = [
            "subject",
            "description",
            "product",
            "order",
            "channel",
            "priority",
            "category",
            "assignee",
            "feedback",
            "feedback_theme",
        ]
        field_classes = {"order": OrderChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, customer: Customer, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        current_category = self.instance.category_id
        self.fields["category"].queryset = Category.objects.filter(Q(is_active=True) | Q(pk=current_category))
        current_product = self.instance.product_id
        self.fields["product"].queryset = Product.objects.filter(Q(is_active=True) | Q(pk=current_product))
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = agents()
        # The order already on the ticket stays a choice, so an edit never drops it silently.
        orders = Order.objects.visible_to(user).filter(customer=customer)
        if self.instance.order_id:
            orders = orders | Order.objects.filter(pk=self.instance.order_id, customer=customer)
        self.fields["order"].queryset = orders.order_by("-order_date", "-pk")
        self.fields["order"].help_text = _("One of this customer's orders, if the ticket is about one.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("feedback"):
            if not cleaned.get("product") and "product" not in self.errors:
                self.add_error("product", _("Choose the product this feedback is about."))
            cleaned["feedback_theme"] = " ".join(cleaned.get("feedback_theme", "").split())
        else:
            cleaned["feedback_theme"] = ""
        return cleaned


class TicketUpdateForm(TicketForm):
    """Editing a ticket: the assignee has its own form on the ticket page."""

    class Meta(TicketForm.Meta):
        fields = [name for name in TicketForm.Meta.fields if name != "assignee"]


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
        self.content_type = check_upload(
            upload,
            name=upload.name,
            size=upload.size,
            max_bytes=settings.SERVICE_ATTACHMENT_MAX_BYTES,
            extensions=settings.SERVICE_ATTACHMENT_TYPES,
        )
        return upload


class SatisfactionForm(forms.Form):
    """The customer's answer on the public survey page."""

    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=[
            (5, _("5 – Very satisfied")),
            (4, _("4 – Satisfied")),
            (3, _("3 – Neither satisfied nor dissatisfied")),
            (2, _("2 – Dissatisfied")),
            (1, _("1 – Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
