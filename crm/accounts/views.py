from __future__ import annotations

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from crm.accounts import services
from crm.accounts.forms import PreferencesForm


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page_obj": page})


@login_required
def notification_badge(request):
    """The navbar's unread count, polled by htmx so a new alert shows without a reload."""
    unread = request.user.notifications.unread().count()
    response = render(request, "accounts/notification_badge.html", {"unread_notifications": unread})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def mark_notifications_read(request):
    posted = request.POST.getlist("id")
    # No ids means "all"; garbled ids mean none (isdecimal, as int("²") fails; bigint-sized).
    ids = [int(value) for value in posted if value.isdecimal() and len(value) < 19] if posted else None
    services.mark_notifications_read(user=request.user, ids=ids)
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("accounts:notifications")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Say it in the language just chosen, which the next page will speak.
        translation.activate(user.language or translation.get_language_from_request(request))
        messages.success(request, _("Your preferences were saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def set_language(request):
    """Switch language; a signed-in user keeps the choice on their profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; choosing a new password also lifts a log-in lock-out on that user."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_login_failures(username=form.user.get_username())
        return response
