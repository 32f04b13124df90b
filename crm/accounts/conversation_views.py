"""Messages between employees: the conversation list, one conversation, and its polling."""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts import messaging
from crm.accounts.forms import MessageForm, StartConversationForm
from crm.accounts.models import Conversation, ConversationMember
from crm.accounts.permissions import role_required

# Seconds between two checks for new messages on an open conversation.
POLL_SECONDS = 5


@role_required()
def conversation_list(request):
    messaging.join_team_conversation(user=request.user)
    context = {
        "memberships": messaging.conversations_of(request.user),
        "start_form": StartConversationForm(me=request.user),
    }
    return render(request, "accounts/conversation_list.html", context)


@role_required()
@require_POST
def start_conversation(request):
    form = StartConversationForm(request.POST, me=request.user)
    if not form.is_valid():
        context = {"memberships": messaging.conversations_of(request.user), "start_form": form}
        return render(request, "accounts/conversation_list.html", context, status=400)
    conversation = messaging.start_direct_conversation(user=request.user, other=form.cleaned_data["user"])
    return redirect("accounts:conversation", pk=conversation.pk)


@role_required()
def conversation_detail(request, pk: int):
    """The conversation (GET), or a message posted to it (POST: htmx answers with a fresh form)."""
    conversation = _conversation_for(request, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            posted = messaging.post_message(
                conversation=conversation, author=request.user, body=form.cleaned_data["body"]
            )
            if not request.htmx:
                for line in report_lines(posted):
                    flash.warning(request, line)
                return redirect("accounts:conversation", pk=conversation.pk)
            form = MessageForm()
            context = {**_context(conversation, form), "report": report_lines(posted)}
            response = render(request, "accounts/conversation_detail.html#message-form", context)
            # The poller fetches the new message at once instead of at its next tick.
            response["HX-Trigger"] = "message-sent"
            return response
        if request.htmx:
            return render(
                request, "accounts/conversation_detail.html#message-form", _context(conversation, form)
            )
    messages = messaging.recent_messages(conversation)
    messaging.mark_conversation_read(conversation=conversation, user=request.user)
    context = {
        **_context(conversation, form),
        "conversation_messages": messages,
        "last_id": messages[-1].pk if messages else 0,
        "has_older": len(messages) == messaging.PAGE_SIZE,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/conversation_detail.html", context, status=status)


@role_required()
def new_messages(request, pk: int):
    """What an open conversation has not shown yet (htmx polling); 204 when there is nothing new."""
    conversation = _conversation_for(request, pk)
    after = request.GET.get("after", "")
    after_id = int(after) if after.isdecimal() and len(after) < 19 else 0
    messages = messaging.messages_after(conversation, after_id=after_id)
    if not messages:
        response = HttpResponse(status=204)
    else:
        messaging.mark_conversation_read(conversation=conversation, user=request.user)
        context = {
            **_context(conversation, None),
            "conversation_messages": messages,
            "last_id": messages[-1].pk,
        }
        response = render(request, "accounts/conversation_new_messages.html", context)
    response["Cache-Control"] = "no-store"
    return response


@role_required()
def older_messages(request, pk: int):
    """The page of messages before ``before`` (htmx: put above the ones shown)."""
    conversation = _conversation_for(request, pk)
    before = request.GET.get("before", "")
    before_id = int(before) if before.isdecimal() and len(before) < 19 else 0
    messages = messaging.recent_messages(conversation, before_id=before_id) if before_id else []
    context = {
        **_context(conversation, None),
        "conversation_messages": messages,
        "has_older": len(messages) == messaging.PAGE_SIZE,
    }
    return render(request, "accounts/conversation_older_messages.html", context)


@role_required()
def message_badge(request):
    """The navbar's unread message count, polled by htmx like the notification bell."""
    unread = messaging.unread_message_count(request.user)
    response = render(request, "accounts/message_badge.html", {"unread_messages": unread})
    response["Cache-Control"] = "no-store"
    return response


def report_lines(posted: messaging.PostedMessage) -> list[str]:
    """What the writer must know: the people named who were not notified, and why."""
    lines = []
    if posted.outsiders:
        names = ", ".join(f"{person} (@{person.username})" for person in posted.outsiders)
        lines.append(
            _("Not notified, because they are not in this conversation: %(names)s.") % {"names": names}
        )
    if posted.unknown:
        names = ", ".join(f"@{name}" for name in posted.unknown)
        lines.append(_("No active colleague has these usernames: %(names)s.") % {"names": names})
    return lines


def _conversation_for(request, pk: int) -> Conversation:
    members = ConversationMember.objects.select_related("user")
    queryset = (
        Conversation.objects.for_user(request.user)
        .select_related("team")
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="members"))
    )
    return get_object_or_404(queryset, pk=pk)


def _context(conversation: Conversation, form: MessageForm | None) -> dict:
    return {"conversation": conversation, "form": form, "poll_seconds": POLL_SECONDS}
