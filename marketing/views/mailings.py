"""Mailing pages: create and edit, a test send, the send itself with its progress, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts.permissions import role_required
from crm.accounts.roles import Role
from marketing import mailing as services
from marketing.forms_mailing import MailingForm
from marketing.mailing import MailingError
from marketing.models import Campaign, Mailing, MailingRecipient, Segment

MARKETERS = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
RECIPIENTS_PER_PAGE = 50


def _mailing(pk: int) -> Mailing:
    # Only marketers, managers and admins reach these pages, and they see every record.
    return get_object_or_404(Mailing.objects.select_related("campaign", "segment", "created_by"), pk=pk)


def _initial_target(request: HttpRequest) -> dict:
    initial = {}
    campaign, segment = request.GET.get("campaign", ""), request.GET.get("segment", "")
    if campaign.isdigit():
        found = Campaign.objects.visible_to(request.user).filter(pk=campaign).first()
        initial = {"campaign": found, "name": found.name} if found else {}
    elif segment.isdigit():
        found = Segment.objects.filter(pk=segment).first()
        initial = {"segment": found, "name": found.name} if found else {}
    return initial


@role_required(*MARKETERS)
def mailing_create(request: HttpRequest) -> HttpResponse:
    form = MailingForm(request.POST or None, user=request.user, initial=_initial_target(request))
    if request.method == "POST" and form.is_valid():
        mailing = services.create_mailing(by=request.user, **form.cleaned_data)
        messages.success(request, _("Mailing saved. Send yourself a test before sending it."))
        return redirect(mailing)
    return render(request, "marketing/mailing_form.html", {"form": form})


@role_required(*MARKETERS)
def mailing_update(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing(pk)
    if mailing.status != Mailing.Status.DRAFT:
        messages.error(request, _("This mailing has been sent; it can no longer be changed."))
        return redirect(mailing)
    form = MailingForm(request.POST or None, instance=mailing, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_mailing(mailing=mailing, **form.cleaned_data)
        except MailingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Mailing saved."))
        return redirect(mailing)
    return render(request, "marketing/mailing_form.html", {"form": form, "mailing": mailing})


def _progress_context(mailing: Mailing) -> dict:
    return {"mailing": mailing, "counts": services.status_counts(mailing)}


@require_GET
@role_required(*MARKETERS)
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing(pk)
    recipients = MailingRecipient.objects.filter(mailing=mailing).select_related("customer").only(
        "pk", "email", "status", "error", "sent_at", "customer__id", "customer__legal_name",
        "customer__trade_name",
    )  # fmt: skip
    status = request.GET.get("status", "")
    if status in MailingRecipient.Status.values:
        recipients = recipients.filter(status=status)
    page = Paginator(recipients, RECIPIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_progress_context(mailing),
        "page_obj": page,
        "status_filter": status,
        "statuses": MailingRecipient.Status.choices,
    }
    return render(request, "marketing/mailing_detail.html", context)


@require_GET
@role_required(*MARKETERS)
def mailing_progress(request: HttpRequest, pk: int) -> HttpResponse:
    response = render(request, "marketing/mailing_detail.html#progress", _progress_context(_mailing(pk)))
    response["Vary"] = "HX-Request"
    return response


@require_POST
@role_required(*MARKETERS)
def mailing_test(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing(pk)
    try:
        address = services.send_test(mailing=mailing, to=request.user)
    except MailingError as error:
        messages.error(request, str(error))
    except OSError as error:
        messages.error(request, _("The mail server did not take the test: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Test sent to %(address)s.") % {"address": address})
    return redirect(mailing)


@require_POST
@role_required(*MARKETERS)
def mailing_send(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing(pk)
    try:
        queued = services.queue_mailing(mailing=mailing, by=request.user)
    except MailingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sending to %(count)s recipients.") % {"count": queued})
    return redirect(mailing)


@csrf_exempt  # the signed token authorizes; mail clients post RFC 8058 one-click without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        customer_id, mailing_id = services.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "marketing/unsubscribe_invalid.html", status=400)
    context = {"token": token, "test": customer_id is None}
    if request.method == "POST" and customer_id is not None:
        if services.unsubscribe(customer_id=customer_id, mailing_id=mailing_id) is None:
            return render(request, "marketing/unsubscribe_invalid.html", status=400)
        return render(request, "marketing/unsubscribe_done.html", context)
    return render(request, "marketing/unsubscribe.html", context)


urlpatterns = [
    path("mailings/new/", mailing_create, name="mailing_create"),
    path("mailings/<int:pk>/", mailing_detail, name="mailing_detail"),
    path("mailings/<int:pk>/edit/", mailing_update, name="mailing_update"),
    path("mailings/<int:pk>/progress/", mailing_progress, name="mailing_progress"),
    path("mailings/<int:pk>/test/", mailing_test, name="mailing_test"),
    path("mailings/<int:pk>/send/", mailing_send, name="mailing_send"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
