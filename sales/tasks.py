"""Sales jobs: thin wrappers around the quote services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from crm.celery import TASK_POLICY
from sales.models import Quote
from sales.services import quotes


@shared_task(**TASK_POLICY)
def expire_quotes_task() -> int:
    """Daily: sent quotes past their last valid day become expired."""
    return quotes.expire_quotes()


@shared_task(**TASK_POLICY)
def store_quote_pdf_task(*, quote_id: int) -> bool:
    """Render a sent quote's PDF and keep it on the quote; a second run does nothing."""
    quote = Quote.objects.select_related("customer").filter(pk=quote_id).first()
    if quote is None:
        return False
    return quotes.store_quote_pdf(quote=quote)
