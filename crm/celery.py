import contextlib
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_pdf_rendering(**kwargs) -> None:
    """Import WeasyPrint once per worker process, so that the first PDF is as fast as the rest."""
    # Without Pango the import fails; PDFs then fail later with their own message.
    with contextlib.suppress(ImportError, OSError):
        import weasyprint  # noqa: F401
