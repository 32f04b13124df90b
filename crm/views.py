from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache


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
