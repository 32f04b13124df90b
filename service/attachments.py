"""Files on tickets: which kinds are accepted, checked by extension and by their own bytes.

The browser's content type is not trusted: a file is accepted only when its extension is in
``SERVICE_ATTACHMENT_TYPES`` and its first bytes (or, for Office files, its zip directory)
are those of that kind. The stored content type is ours, never the browser's.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils.text import get_valid_filename

from service.models import Attachment, Ticket

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from crm.accounts.models import User

HEAD_BYTES = 8192
# Bytes allowed in plain text besides printable ones: tab, line feed, form feed, carriage return.
TEXT_CONTROLS = frozenset(b"\t\n\f\r")


def _starts(*signatures: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: head.startswith(signatures)


def _is_webp(head: bytes, _file: IO[bytes]) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_text(head: bytes, _file: IO[bytes]) -> bool:
    """Text in UTF-8 or a single-byte encoding has no control characters; binary files do."""
    return not any((byte < 0x20 and byte not in TEXT_CONTROLS) or byte == 0x7F for byte in head)


def _office(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    """An Office Open XML file: a zip with a content-types part and the app's folder."""

    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


# extension: (content type we serve it as, check of its content)
KINDS: dict[str, tuple[str, Callable[[bytes, IO[bytes]], bool]]] = {
    "pdf": ("application/pdf", _starts(b"%PDF-")),
    "png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _is_webp),
    "txt": ("text/plain", _is_text),
    "log": ("text/plain", _is_text),
    "csv": ("text/csv", _is_text),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _office("word/")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _office("xl/")),
}


def allowed_extensions() -> list[str]:
    """The accepted extensions: those of the setting that we know how to check."""
    return [
        ext
        for ext in dict.fromkeys(e.lower().lstrip(".") for e in settings.SERVICE_ATTACHMENT_TYPES)
        if ext in KINDS
    ]


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def sniff(upload: UploadedFile, extension: str) -> str | None:
    """The content type to serve ``upload`` as, or None when its bytes are not of that kind."""
    content_type, check = KINDS[extension]
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    try:
        return content_type if check(head, upload) else None
    finally:
        upload.seek(0)


@transaction.atomic
def add_attachment(*, ticket: Ticket, upload: UploadedFile, content_type: str, by: User) -> Attachment:
    """Store an upload already checked by the form on ``ticket``."""
    name = PurePath(upload.name or "file").name[:200]
    attachment = Attachment(
        ticket=ticket, name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    try:
        stored_name = get_valid_filename(name)
    except SuspiciousFileOperation:
        stored_name = "attachment"
    attachment.file.save(stored_name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
