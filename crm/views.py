from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from contacts.models import Customer, Task
from crm.accounts.roles import has_any_role


@login_required
def home(request):
    """The start page: my open tasks and my newest customers."""
    context = {"has_role": has_any_role(request.user)}
    if context["has_role"]:
        tasks = list(
            Task.objects.visible_to(request.user)
            .open()
            .filter(assignee=request.user)
            .select_related("customer")[:20]
        )
        # A task may be assigned on a customer of another team: show it, but link only what opens.
        openable = set(
            Customer.objects.visible_to(request.user)
            .filter(pk__in=[task.customer_id for task in tasks])
            .values_list("pk", flat=True)
        )
        for task in tasks:
            task.customer_is_visible = task.customer_id in openable
        context["tasks"] = tasks
        context["recent_customers"] = (
            Customer.objects.visible_to(request.user).select_related("owner").order_by("-created_at")[:10]
        )
        context["today"] = timezone.localdate()
    return render(request, "home.html", context)


@never_cache
def healthz(request):
    """For load balancers and container healthchecks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent after its page went stale (or from another site): our page, not Django's."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No request context: its processors read the session and the database, which may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
