"""Ticket attachments: upload on the ticket page, download for whoever may see the ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.accounts.permissions import role_required
from service import attachments, services
from service.forms import AttachmentForm
from service.views.tickets import detail_context, visible_ticket


@require_POST
@role_required(*services.TICKET_WORKERS)
def attachment_upload(request, pk: int):
    ticket = visible_ticket(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        context = detail_context(request, ticket, attachment_form=form)
        return render(request, "service/ticket_detail.html", context, status=400)
    attachment = attachments.add_attachment(
        ticket=ticket, upload=form.cleaned_data["file"], content_type=form.content_type, by=request.user
    )
    messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
    return redirect(ticket)


@require_GET
@role_required()
def attachment_download(request, pk: int, attachment_pk: int):
    ticket = visible_ticket(request, pk)
    attachment = get_object_or_404(ticket.attachments, pk=attachment_pk)
    try:
        file = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # Always a download, never rendered inline: a file is only as safe as whoever uploaded it.
    response = FileResponse(
        file, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("tickets/<int:pk>/attachments/", attachment_upload, name="attachment_upload"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_pk>/",
        attachment_download,
        name="attachment_download",
    ),
]
