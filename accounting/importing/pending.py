"""An uploaded order-history file between its preview and its confirmation.

The decoded file and what its preview found are kept in the media storage under a random
token, readable only by the uploader, so that confirming re-checks exactly the file that
was previewed. The file goes once it is imported; files never confirmed go after a day.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.importing.preview import Preview
from accounting.importing.reading import ImportFileError, OrderFile, parse
from accounting.importing.writing import ImportOutcome, OrderImportError, import_orders

if TYPE_CHECKING:
    from crm.accounts.models import User

FOLDER = "order_imports"
KEEP = timedelta(days=1)
MAX_SHOWN_NUMBERS = 200
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Status:
    PREVIEWED = "previewed"
    IMPORTED = "imported"
    FAILED = "failed"


@dataclass
class PendingImport:
    token: str
    uploaded_by: int
    file_name: str
    uploaded_at: str
    status: str = Status.PREVIEWED
    summary: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    failure: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == Status.PREVIEWED
            and not self.summary["error_count"]
            and self.summary["order_count"]
        )


def _path(token: str, extension: str) -> str:
    return f"{FOLDER}/{token}.{extension}"


def _write(pending: PendingImport) -> None:
    path = _path(pending.token, "json")
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(asdict(pending)).encode()))


def _show(pending: PendingImport, preview: Preview) -> None:
    pending.summary = preview.summary()
    pending.rows = preview.shown_rows()


def purge_stale() -> None:
    """Files previewed and never confirmed are not kept beyond a day."""
    if not default_storage.exists(FOLDER):
        return
    oldest = timezone.now() - KEEP
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < oldest:
            default_storage.delete(path)


def keep(*, order_file: OrderFile, preview: Preview, file_name: str, by: User) -> PendingImport:
    purge_stale()
    pending = PendingImport(
        token=secrets.token_urlsafe(24),
        uploaded_by=by.pk,
        file_name=file_name[:255],
        uploaded_at=timezone.now().isoformat(),
    )
    _show(pending, preview)
    default_storage.save(_path(pending.token, "csv"), ContentFile(order_file.text.encode()))
    _write(pending)
    return pending


def find(token: str, *, by: User) -> PendingImport | None:
    """The uploader's pending import; None for anyone else, or when it is gone."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = _path(token, "json")
    if not default_storage.exists(path):
        return None
    with default_storage.open(path) as stored:
        pending = PendingImport(**json.load(stored))
    return pending if pending.uploaded_by == by.pk else None


def confirm(pending: PendingImport, *, by: User) -> PendingImport:
    """Import the kept file once; a second confirmation changes nothing."""
    if pending.status != Status.PREVIEWED:
        return pending
    path = _path(pending.token, "csv")
    try:
        if not default_storage.exists(path):
            raise ImportFileError(_("The uploaded file is no longer kept. Upload it again."))
        with default_storage.open(path) as stored:
            order_file = parse(stored.read().decode())
        outcome = import_orders(order_file=order_file, by=by, file_name=pending.file_name)
    except (ImportFileError, OrderImportError) as error:
        pending.status, pending.failure = Status.FAILED, str(error)
        if isinstance(error, OrderImportError) and error.preview is not None:
            _show(pending, error.preview)
    else:
        pending.status = Status.IMPORTED
        _show(pending, outcome.preview)
        pending.outcome = _outcome(outcome)
    if default_storage.exists(path):
        default_storage.delete(path)
    _write(pending)
    return pending


def _outcome(outcome: ImportOutcome) -> dict[str, Any]:
    return {
        "batch": outcome.batch,
        "imported": outcome.imported,
        "skipped_count": len(outcome.skipped_numbers),
        "skipped_numbers": outcome.skipped_numbers[:MAX_SHOWN_NUMBERS],
        "new_customers": len(outcome.new_customers),
        "imported_at": timezone.now().isoformat(),
    }
