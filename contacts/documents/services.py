"""Storing and removing documents; the checks on what was uploaded are the form's."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from django.core.files import File
from django.db import models, transaction

from contacts.documents.models import Document
from contacts.uploads import display_name, storage_name
from crm.accounts.roles import is_supervisor

if TYPE_CHECKING:
    from contacts.models import Customer
    from crm.accounts.models import User


@transaction.atomic
def add_document(
    *,
    customer: Customer | None,
    file: IO[bytes],
    name: str,
    size: int,
    content_type: str,
    by: User | None,
    target: models.Model | None = None,
) -> Document:
    """Store ``file`` (already checked) on ``customer``, or on ``target``, one of its records."""
    document = Document(
        customer=customer,
        target=target,
        name=display_name(name),
        size=size,
        content_type=content_type,
        uploaded_by=by,
    )
    document.file.save(storage_name(document.name, default="document"), File(file), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def can_delete_document(user: User, document: Document) -> bool:
    """Whoever uploaded it, or a manager or admin; an email's attachments go with the email."""
    return is_supervisor(user) or (document.uploaded_by_id is not None and document.uploaded_by_id == user.pk)


@transaction.atomic
def delete_document(*, document: Document) -> None:
    file = document.file
    document.delete()
    # Only once the row is gone for good does the file go too.
    transaction.on_commit(lambda: file.delete(save=False))
