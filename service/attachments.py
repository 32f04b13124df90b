"""Files on tickets: stored after the shared checks in ``contacts.uploads``.

A file is accepted only when its extension is in ``SERVICE_ATTACHMENT_TYPES`` and its own
bytes are of that kind (see ``contacts.uploads``); the stored content type is ours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from contacts.uploads import display_name, extension_of, known_extensions, sniff, storage_name
from service.models import Attachment, Ticket

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from crm.accounts.models import User

__all__ = ["add_attachment", "allowed_extensions", "extension_of", "sniff"]


def allowed_extensions() -> list[str]:
    """The accepted extensions: those of the setting that we know how to check."""
    return known_extensions(settings.SERVICE_ATTACHMENT_TYPES)


@transaction.atomic
def add_attachment(*, ticket: Ticket, upload: UploadedFile, content_type: str, by: User) -> Attachment:
    """Store an upload already checked by the form on ``ticket``."""
    name = display_name(upload.name)
    attachment = Attachment(
        ticket=ticket, name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    attachment.file.save(storage_name(name, default="attachment"), upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
