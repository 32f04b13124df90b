"""The customer's timeline: everything that happened with them, newest first."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from contacts.models import Activity, Customer

TIMELINE_PAGE_SIZE = 25


def timeline_page(customer: Customer, page_number: str | None) -> Page:
    activities = (
        Activity.objects.filter(customer=customer)
        .for_timeline()
        # An email's entry links the message and its attachments.
        .select_related("email_message")
        .prefetch_related("email_message__documents")
    )
    return Paginator(activities, TIMELINE_PAGE_SIZE).get_page(page_number)
