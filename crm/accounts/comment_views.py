"""Comments on any record: the panel each record page loads with htmx, and @mention suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.accounts import comments, messaging
from crm.accounts.forms import CommentForm
from crm.accounts.models import Conversation, User
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role

COMMENTS_PER_PAGE = 20
SUGGESTIONS = 8


@role_required()
def record_comments(request, app_label: str, model_name: str, pk: int):
    """A record's comments and the form to add one; 404 unless the user may see the record."""
    model = comments.commentable_model(app_label, model_name)
    record = comments.visible_record(model, pk, request.user) if model else None
    if record is None:
        raise Http404
    form = CommentForm(request.POST or None)
    posted = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            posted = comments.post_comment(record=record, author=request.user, body=form.cleaned_data["body"])
            if not request.htmx:
                _report_as_messages(request, posted)
                return redirect(record.get_absolute_url())
            form = CommentForm()
        elif not request.htmx:
            status = 400  # htmx swaps only 2xx answers: the form with its errors stays 200 there
    page = Paginator(comments.comments_on(record), COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "record": record,
        "form": form,
        "notified": posted.notified if posted else [],
        "report": report_lines(posted) if posted else [],
        "page_obj": page,
    }
    template = "accounts/comments.html" if request.htmx else "accounts/comments_page.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@role_required()
def mention_suggestions(request):
    """Up to eight active colleagues whose username or name starts with ``q`` (JSON, for @ typing).

    With ``conversation``, only the people who may read that conversation of the user's.
    """
    typed = request.GET.get("q", "").strip().lstrip("@")[:50]
    if not typed:
        return JsonResponse({"users": []})
    people = User.objects.filter(is_active=True, groups__name__in=Role.values)
    if "conversation" in request.GET:
        wanted = request.GET["conversation"]
        conversations = Conversation.objects.for_user(request.user)
        conversation = (
            conversations.filter(pk=wanted).first() if wanted.isdecimal() and len(wanted) < 19 else None
        )
        if conversation is None:
            return JsonResponse({"users": []})
        people = people.filter(pk__in=messaging.readers(conversation).values("pk"))
    people = (
        people.filter(
            Q(username__istartswith=typed)
            | Q(first_name__istartswith=typed)
            | Q(last_name__istartswith=typed)
        )
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("username")[:SUGGESTIONS]
    )
    return JsonResponse({"users": [{"username": p.username, "name": str(p)} for p in people]})


def _report_as_messages(request, posted: comments.PostedComment) -> None:
    messages.success(request, _("Your comment was saved."))
    for line in report_lines(posted):
        messages.warning(request, line)


def report_lines(posted: comments.PostedComment) -> list[str]:
    """What the writer must know: the people named who were not notified, and why."""
    lines = []
    if posted.cannot_see:
        names = ", ".join(f"{person} (@{person.username})" for person in posted.cannot_see)
        lines.append(_("Not notified, because they cannot see this record: %(names)s.") % {"names": names})
    if posted.unknown:
        names = ", ".join(f"@{name}" for name in posted.unknown)
        lines.append(_("No active colleague has these usernames: %(names)s.") % {"names": names})
    return lines
