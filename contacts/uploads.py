"""Uploaded files: which kinds are accepted, checked by extension and by their own bytes.

Shared by every place that takes a file (documents on customers and their records, ticket
attachments, email attachments). The browser's content type is not trusted: a file is
accepted only when its extension is on the caller's list and its first bytes (or, for Office
files, its zip directory) are those of that kind. The stored content type is ours, never the
browser's.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import IO

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

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


def known_extensions(extensions: Iterable[str]) -> list[str]:
    """The extensions of a setting that we know how to check, lower-cased, without dots."""
    return [ext for ext in dict.fromkeys(e.lower().lstrip(".") for e in extensions) if ext in KINDS]


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def sniff(upload: IO[bytes], extension: str) -> str | None:
    """The content type to serve ``upload`` as, or None when its bytes are not of that kind."""
    content_type, check = KINDS[extension]
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    try:
        return content_type if check(head, upload) else None
    finally:
        upload.seek(0)


def check_upload(
    upload: IO[bytes], *, name: str, size: int, max_bytes: int, extensions: Iterable[str]
) -> str:
    """The content type to store ``upload`` with; a ValidationError that says why it is refused."""
    if size > max_bytes:
        raise ValidationError(
            _("The file is too big (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_big",
        )
    accepted = known_extensions(extensions)
    extension = extension_of(name)
    if extension not in accepted:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted types: %(types)s.")
            % {"types": ", ".join(accepted)},
            code="type",
        )
    content_type = sniff(upload, extension)
    if content_type is None:
        raise ValidationError(
            _("The file's content is not that of a .%(extension)s file.") % {"extension": extension},
            code="content",
        )
    return content_type


def display_name(name: str | None, *, default: str = "file") -> str:
    """The name shown to people: the upload's base name, without any folders, cut to 200."""
    return PurePath(name or default).name[:200] or default


def storage_name(name: str, *, default: str = "file") -> str:
    """A name safe to store on disk (letters, digits, dashes, dots), from the shown one."""
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:
        return default
