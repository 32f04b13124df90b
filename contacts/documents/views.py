"""Documents: a customer's files page, the files of one record, download and removal.

Every document is reached through ``Document.objects.visible_to``: whoever may not see what
it is attached to gets 404, never the file.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.documents import services
from contacts.documents.forms import DocumentForm
from contacts.documents.models import Document
from contacts.files import customer_file_sources, document_targets, record_key
from contacts.models import Customer
from crm.accounts.permissions import role_required

FILES_PAGE_SIZE = 50


def _next_url(request, default: str) -> str:
    """Where to go after a form: the page it came from when that is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def _store(request, form: DocumentForm, *, customer: Customer, target=None) -> Document:
    upload = form.cleaned_data["file"]
    document = services.add_document(
        customer=customer,
        target=target,
        file=upload,
        name=upload.name,
        size=upload.size,
        content_type=form.content_type,
        by=request.user,
    )
    messages.success(request, _("%(name)s uploaded.") % {"name": document.name})
    return document


@role_required()
def customer_files(request, pk: int):
    """Everything filed on a customer and its records, plus the PDFs its departments made."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES) if request.method == "POST" else DocumentForm()
    if request.method == "POST" and form.is_valid():
        _store(request, form, customer=customer)
        return redirect(_next_url(request, reverse("contacts:customer_files", args=[customer.pk])))
    documents = Document.objects.visible_to(request.user).filter(customer=customer).for_list()
    context = {
        "customer": customer,
        "form": form,
        "page_obj": Paginator(documents, FILES_PAGE_SIZE).get_page(request.GET.get("page")),
        "generated": customer_file_sources.files(request.user, customer),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "contacts/documents/customer_files.html", context, status=status)


@role_required()
def record_files(request, record: str, pk: int):
    """The files of one opportunity or quote: a fragment of its page (htmx) or a page alone."""
    model = document_targets.for_uploads(record)
    if model is None:
        raise Http404("No files on such records.")
    obj = get_object_or_404(model.objects.visible_to(request.user).select_related("customer"), pk=pk)
    form = DocumentForm(request.POST, request.FILES) if request.method == "POST" else DocumentForm()
    if request.method == "POST" and form.is_valid():
        _store(request, form, customer=obj.customer, target=obj)
        if not request.htmx:
            return redirect(obj)
        form = DocumentForm()
    documents = Document.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id=obj.pk
    ).select_related("uploaded_by")
    context = {
        "record": obj,
        "record_key": record_key(model),
        "customer": obj.customer,
        "documents": documents,
        "form": form,
    }
    template = "contacts/documents/record_files.html"
    response = render(request, f"{template}#body" if request.htmx else template, context)
    if request.method == "POST" and form.errors and not request.htmx:
        response.status_code = 400
    response["Vary"] = "HX-Request"
    return response


@require_GET
@role_required()
def document_download(request, pk: int):
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    try:
        file = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # Always a download, never shown in the browser: a file is only as safe as whoever made it.
    response = FileResponse(
        file, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@role_required()
def document_delete(request, pk: int):
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    if not services.can_delete_document(request.user, document):
        raise PermissionDenied
    default = reverse("contacts:customer_files", args=[document.customer_id]) if document.customer_id else "/"
    services.delete_document(document=document)
    messages.success(request, _("%(name)s removed.") % {"name": document.name})
    return redirect(_next_url(request, default))
