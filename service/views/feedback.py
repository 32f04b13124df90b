"""The product feedback report for product designers (read by managers, admins and service agents)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from crm.accounts.permissions import role_required
from service import services
from service.feedback import feedback_lines
from service.filters import ProductFeedbackFilter
from service.models import Ticket


# There is no product-designer role: the people who read tickets read their feedback.
@role_required(*services.TICKET_WORKERS)
def product_feedback(request):
    filterset = ProductFeedbackFilter(request.GET or None, queryset=Ticket.objects.visible_to(request.user))
    page_obj = Paginator(feedback_lines(filterset.qs), settings.CRM_LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "currency": settings.CRM_CURRENCY,
    }
    return render(request, "service/product_feedback.html", context)


urlpatterns = [
    path("feedback/", product_feedback, name="product_feedback"),
]
