"""The calendar page (month, week, day; per person and team), and the private ICS feed."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.accounts import feed_tokens
from crm.accounts.permissions import role_required
from crm.insights.calendar import ics
from crm.insights.calendar.cells import EntryWriter
from crm.insights.calendar.entries import days_between, entries_between
from crm.insights.calendar.periods import DAY, MONTH, VIEWS, WEEK, period_for
from crm.insights.calendar.scope import ME, pick, scopes_for

VIEW_LABELS = {MONTH: gettext_lazy("Month"), WEEK: gettext_lazy("Week"), DAY: gettext_lazy("Day")}
# A month cell and a day of the week list this many entries, then "N more" to the day,
# which has them all.
MONTH_CELL_ENTRIES = 4
WEEK_DAY_ENTRIES = 12


class CalendarForm(forms.Form):
    view = forms.ChoiceField(label=gettext_lazy("View"), required=False, choices=list(VIEW_LABELS.items()))
    date = forms.DateField(label=gettext_lazy("Date"), required=False, input_formats=["%Y-%m-%d"])
    show = forms.ChoiceField(label=gettext_lazy("Calendar"), required=False)

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = [(scope.value, scope.label) for scope in scopes]


@role_required()
def calendar_page(request):
    scopes = scopes_for(request.user)
    form = CalendarForm(request.GET, scopes=scopes)
    # Bad input is reported and the default used for that field; the page still shows.
    form.is_valid()
    cleaned = form.cleaned_data
    view = cleaned.get("view") or MONTH
    anchor = cleaned.get("date") or timezone.localdate()
    scope = pick(scopes, cleaned.get("show") or ME)
    period = period_for(view, anchor)
    show_who = len(scope.people) > 1 or scope.value != ME
    entries, truncated, days, weeks = [], False, [], []
    if view == DAY:
        found = entries_between(request.user, scope.people, period.first, period.last)
        entries, truncated = found.entries, found.truncated
    else:
        per_day = MONTH_CELL_ENTRIES if view == MONTH else WEEK_DAY_ENTRIES
        found_days = days_between(request.user, scope.people, period.first, period.last, per_day=per_day)
        writer = EntryWriter(show_who=show_who)
        if view == MONTH:
            weeks = [[writer.cell(found_days, day) for day in week] for week in period.weeks()]
        else:
            days = [writer.cell(found_days, day) for day in period.days()]
    context = {
        "form": form,
        "period": period,
        "scope": scope,
        "views": [(value, VIEW_LABELS[value], _link(value, anchor, scope.value)) for value in VIEWS],
        "previous_url": _link(view, period.previous, scope.value),
        "next_url": _link(view, period.next, scope.value),
        "today_url": _link(view, timezone.localdate(), scope.value),
        "days": days,
        "weeks": weeks,
        "entries": entries,
        "truncated": truncated,
        "today": timezone.localdate(),
        "feed_url": _feed_url(request),
    }
    return render(request, "insights/calendar/calendar.html", context)


@role_required()
@require_POST
def feed_address(request):
    """Create or replace (``action=new``) or switch off (``action=off``) the user's private address."""
    if request.POST.get("action") == "off":
        feed_tokens.revoke_calendar_feed_token(user=request.user)
        messages.success(request, _("Your private calendar address no longer works."))
    else:
        feed_tokens.issue_calendar_feed_token(user=request.user)
        messages.success(
            request, _("Your new private calendar address is ready; any previous one no longer works.")
        )
    return redirect("insights:calendar")


def feed(request, token: str):
    """The private ICS feed: no log-in, the token is the key; a revoked or unknown token is 404."""
    user = feed_tokens.feed_owner(token)
    if user is None:
        raise Http404
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = ics.feed_for(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crm.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _link(view: str, day: date, show: str) -> str:
    return "?" + urlencode({"view": view, "date": day.isoformat(), "show": show})


def _feed_url(request) -> str:
    token = feed_tokens.active_feed_token(request.user)
    if token is None:
        return ""
    return request.build_absolute_uri(reverse("insights:calendar_feed", args=[token.token]))
