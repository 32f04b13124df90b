import contextlib
import os
from smtplib import SMTPException

from celery import Celery
from celery.signals import worker_process_init
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

# Every task of ours is acknowledged late (a dead worker's task runs again) and idempotent.
# These errors pass (a mail server or the database briefly away): try again later, backing
# off from 30 s to an hour. Anything else is a bug and fails at once.
TRANSIENT_ERRORS = (OperationalError, SMTPException, OSError)
TASK_POLICY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 6,
}

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_pdf_rendering(**kwargs) -> None:
    """Import WeasyPrint once per worker process, so that the first PDF is as fast as the rest."""
    # Without Pango the import fails; PDFs then fail later with their own message.
    with contextlib.suppress(ImportError, OSError):
        import weasyprint  # noqa: F401
