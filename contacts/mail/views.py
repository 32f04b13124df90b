"""Email pages: my mailboxes, the review list of unmatched mail, one message, writing to a customer.

A mailbox is its owner's alone (anyone else gets 404). Filed mail is read by whoever may see
its customer; mail waiting for review only by its mailbox's owner.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.mail import filing, services
from contacts.mail.forms import ComposeForm, MailboxForm
from contacts.mail.models import EmailMessage, Mailbox
from contacts.mail.sending import send_email
from contacts.mail.servers import MailServerError
from contacts.models import Customer
from crm.accounts.permissions import role_required

REVIEW_PAGE_SIZE = 25
CUSTOMER_CHOICES_SHOWN = 20


def _own_mailbox(request, pk: int) -> Mailbox:
    return get_object_or_404(Mailbox.objects.filter(user=request.user), pk=pk)


@role_required()
def mailbox_list(request):
    mailboxes = Mailbox.objects.filter(user=request.user).annotate(
        waiting=Count("messages", filter=Q(messages__status=EmailMessage.Status.UNMATCHED))
    )
    return render(request, "contacts/mail/mailbox_list.html", {"mailboxes": mailboxes})


def _mailbox_form(request, mailbox: Mailbox | None):
    form = MailboxForm(
        request.POST if request.method == "POST" else None, instance=mailbox, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "password"}
        saved = services.save_mailbox(
            mailbox=mailbox, user=request.user, data=data, password=form.cleaned_data["password"]
        )
        messages.success(request, _("Mailbox %(address)s saved.") % {"address": saved})
        return redirect("mail:mailbox_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/mail/mailbox_form.html", {"form": form, "mailbox": mailbox}, status=status
    )


@role_required()
def mailbox_create(request):
    return _mailbox_form(request, None)


@role_required()
def mailbox_update(request, pk: int):
    return _mailbox_form(request, _own_mailbox(request, pk))


@role_required()
def mailbox_delete(request, pk: int):
    mailbox = _own_mailbox(request, pk)
    if request.method == "POST":
        mailbox.delete()
        messages.success(
            request, _("Mailbox %(address)s disconnected; its filed mail stays.") % {"address": mailbox}
        )
        return redirect("mail:mailbox_list")
    return render(request, "contacts/mail/mailbox_confirm_delete.html", {"mailbox": mailbox})


@require_POST
@role_required()
def mailbox_fetch(request, pk: int):
    mailbox = _own_mailbox(request, pk)
    services.request_fetch(mailbox)
    messages.info(request, _("Fetching new mail for %(address)s; reload in a moment.") % {"address": mailbox})
    return redirect("mail:mailbox_list")


@require_POST
@role_required()
def mailbox_check(request, pk: int):
    mailbox = _own_mailbox(request, pk)
    for label, error in services.check_mailbox(mailbox):
        if error:
            # Translators: a connection check failed, e.g. "Sending (SMTP): authentication failed".
            messages.error(request, _("%(what)s: %(error)s") % {"what": label, "error": error})
        else:
            messages.success(request, _("%(what)s: connected.") % {"what": label})
    return redirect("mail:mailbox_list")


@role_required()
def review_list(request):
    waiting = (
        EmailMessage.objects.waiting_review(request.user)
        .select_related("mailbox")
        .annotate(attachment_count=Count("documents"))
        .order_by("-sent_at", "-pk")
    )
    page_obj = Paginator(waiting, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contacts/mail/review_list.html", {"page_obj": page_obj})


@role_required()
def message_detail(request, pk: int):
    message = get_object_or_404(
        EmailMessage.objects.visible_to(request.user).select_related(
            "mailbox", "customer", "contact", "filed_by"
        ),
        pk=pk,
    )
    context = {
        "message": message,
        "documents": message.documents.all(),
        "can_file": message.status != EmailMessage.Status.FILED
        and message.mailbox_id is not None
        and message.mailbox.user_id == request.user.pk,
    }
    return render(request, "contacts/mail/message_detail.html", context)


def _waiting_message(request, pk: int) -> EmailMessage:
    return get_object_or_404(
        EmailMessage.objects.filter(mailbox__user=request.user).exclude(status=EmailMessage.Status.FILED),
        pk=pk,
    )


def _suggestions(request, message: EmailMessage):
    """Customers the sender's company may be: the same domain in a contact's or the customer's email."""
    domain = message.from_address.rpartition("@")[2]
    if not domain:
        return Customer.objects.none()
    suffix = "@" + domain
    return (
        Customer.objects.visible_to(request.user)
        .filter(Q(email__iendswith=suffix) | Q(contacts__email__iendswith=suffix))
        .distinct()
        .for_list()[:CUSTOMER_CHOICES_SHOWN]
    )


@role_required()
def message_file(request, pk: int):
    """Choose the customer a message from the review list is about, and file it there."""
    message = _waiting_message(request, pk)
    if request.method == "POST":
        customer = (
            Customer.objects.visible_to(request.user).filter(pk=request.POST.get("customer") or 0).first()
        )
        if customer is None:
            messages.error(request, _("Choose one of the customers listed."))
        else:
            filing.file_message(message=message, customer=customer, by=request.user)
            messages.success(request, _("Filed on %(customer)s.") % {"customer": customer})
            return redirect("mail:review_list")
    query = request.GET.get("q", "").strip()
    customers = Customer.objects.visible_to(request.user).for_list()
    context = {
        "message": message,
        "query": query,
        "customers": customers.search(query)[:CUSTOMER_CHOICES_SHOWN]
        if query
        else _suggestions(request, message),
    }
    return render(
        request, "contacts/mail/message_file.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
@role_required()
def message_ignore(request, pk: int):
    message = _waiting_message(request, pk)
    filing.ignore_message(message=message)
    messages.success(request, _("“%(subject)s” is off the review list.") % {"subject": message})
    return redirect("mail:review_list")


@role_required()
def email_compose(request, customer_pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    form = ComposeForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()),
        user=request.user,
        customer=customer,
        contacts=customer.contacts.all(),
    )
    has_mailbox = Mailbox.objects.filter(user=request.user).exists()
    if request.method == "POST" and form.is_valid():
        try:
            send_email(
                mailbox=form.cleaned_data["mailbox"],
                customer=customer,
                contact=form.contact,
                to=[form.cleaned_data["to"]],
                cc=form.cleaned_data["cc"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                attachment_type=form.attachment_type,
                by=request.user,
            )
        except MailServerError as error:
            form.add_error(None, _("The email was not sent: %(error)s") % {"error": error})
        else:
            messages.success(request, _("Email sent to %(to)s.") % {"to": form.cleaned_data["to"]})
            return redirect(customer)
    context = {"customer": customer, "form": form, "has_mailbox": has_mailbox}
    status = 400 if request.method == "POST" else 200
    return render(request, "contacts/mail/email_compose.html", context, status=status)
