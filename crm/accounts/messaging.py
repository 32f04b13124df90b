"""Messages between employees: direct conversations between two people and one per team.

A member's unread messages are the others' messages after their ``last_read_at``. A team's
conversation belongs to whoever is on the team now: members are added when they open their
messages or when someone writes to the team, and someone who moved to another team no longer
sees it.

A message may @mention people who may read the conversation; they are notified once. Naming
anyone else notifies nobody, so a mention never shows a message to someone outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from crm.accounts.mentions import named_people
from crm.accounts.models import Conversation, ConversationMember, Message, MessageMention, User
from crm.accounts.roles import Role
from crm.accounts.services import notify

MAX_MESSAGE_LENGTH = 4000
# How many messages a conversation page shows at first; older ones are a click away.
PAGE_SIZE = 50


def unread_messages(user: User) -> QuerySet[Message]:
    """Messages others wrote in ``user``'s conversations since ``user`` last read them."""
    return Message.objects.filter(
        Q(conversation__team__isnull=True) | Q(conversation__team_id=user.team_id),
        conversation__memberships__user=user,
        created_at__gt=F("conversation__memberships__last_read_at"),
    ).exclude(author=user)


def unread_message_count(user: User) -> int:
    return unread_messages(user).count()


def conversations_of(user: User) -> QuerySet[ConversationMember]:
    """``user``'s memberships, newest conversation first, each with its unread count and members."""
    unread = (
        Message.objects.filter(conversation=OuterRef("conversation"), created_at__gt=OuterRef("last_read_at"))
        .exclude(author=user)
        .order_by()
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    members = ConversationMember.objects.select_related("user").order_by("user__first_name", "user__username")
    return (
        ConversationMember.objects.filter(user=user)
        .filter(Q(conversation__team__isnull=True) | Q(conversation__team_id=user.team_id))
        .select_related("conversation__team")
        .prefetch_related(Prefetch("conversation__memberships", queryset=members, to_attr="members"))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )


def join_team_conversation(*, user: User) -> Conversation | None:
    """The conversation of ``user``'s team, created on first use, with ``user`` in it."""
    if user.team_id is None:
        return None
    conversation, _ = Conversation.objects.get_or_create(
        team_id=user.team_id, defaults={"kind": Conversation.Kind.TEAM}
    )
    ConversationMember.objects.get_or_create(conversation=conversation, user=user)
    return conversation


def start_direct_conversation(*, user: User, other: User) -> Conversation:
    """The one conversation between ``user`` and ``other``, created when they first talk."""
    if user.pk == other.pk:
        raise ValueError("A direct conversation needs two people.")
    conversation, _ = Conversation.objects.get_or_create(
        direct_key=Conversation.key_for(user, other), defaults={"kind": Conversation.Kind.DIRECT}
    )
    for person in (user, other):
        ConversationMember.objects.get_or_create(conversation=conversation, user=person)
    return conversation


def readers(conversation: Conversation) -> QuerySet[User]:
    """Who may read ``conversation``: active people with a role who are on its team, or in it (direct)."""
    people = User.objects.filter(Q(is_superuser=True) | Q(groups__name__in=Role.values), is_active=True)
    if conversation.team_id is not None:
        # Every teammate is in it, even before they first open their messages (see post_message).
        people = people.filter(team_id=conversation.team_id)
    else:
        people = people.filter(conversation_memberships__conversation=conversation)
    return people.distinct()


@dataclass
class PostedMessage:
    message: Message
    notified: list[User] = field(default_factory=list)
    # Named, but not in the conversation: told to the writer, not notified.
    outsiders: list[User] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@transaction.atomic
def post_message(*, conversation: Conversation, author: User, body: str) -> PostedMessage:
    """Add a message; the author has read everything up to it, the others have it unread.

    The people it @mentions who may read the conversation are notified (honouring each one's
    email preference); anyone else named is reported back, not notified.
    """
    message = Message.objects.create(conversation=conversation, author=author, body=body.strip())
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    if conversation.team_id is not None:
        # Teammates who never opened their messages still get it as unread.
        just_before = message.created_at - timedelta(microseconds=1)
        teammates = User.objects.filter(team_id=conversation.team_id, is_active=True).values_list(
            "pk", flat=True
        )
        ConversationMember.objects.bulk_create(
            [
                ConversationMember(conversation=conversation, user_id=pk, last_read_at=just_before)
                for pk in teammates
            ],
            ignore_conflicts=True,
        )
    mark_conversation_read(conversation=conversation, user=author, up_to=message.created_at)
    return notify_mentions(message=message, conversation=conversation, author=author)


def notify_mentions(*, message: Message, conversation: Conversation, author: User) -> PostedMessage:
    """Notify the people ``message`` names who may read its conversation; report the others.

    Each person is notified once per message, however often this runs.
    """
    people, unknown = named_people(message.body)
    posted = PostedMessage(message=message, unknown=unknown)
    named = [person for person in people if person.pk != author.pk]
    if not named:
        return posted
    may_read = set(
        readers(conversation).filter(pk__in=[person.pk for person in named]).values_list("pk", flat=True)
    )
    for person in named:
        (posted.notified if person.pk in may_read else posted.outsiders).append(person)
    MessageMention.objects.bulk_create(
        [MessageMention(message=message, user=person) for person in posted.notified], ignore_conflicts=True
    )
    url = f"{reverse('accounts:conversation', args=[conversation.pk])}#message-{message.pk}"
    excerpt = Truncator(message.body).chars(120)
    for person in posted.notified:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            if conversation.team_id is not None:
                text = _("%(author)s mentioned you in the conversation of team %(team)s: “%(excerpt)s”") % {
                    "author": author,
                    "team": conversation.team,
                    "excerpt": excerpt,
                }
            else:
                text = _("%(author)s mentioned you in a direct message: “%(excerpt)s”") % {
                    "author": author,
                    "excerpt": excerpt,
                }
        notify(recipient=person, message=text, url=url, once_key=f"message-mention:{message.pk}")
    return posted


def mark_conversation_read(*, conversation: Conversation, user: User, up_to: datetime | None = None) -> None:
    up_to = up_to or timezone.now()
    ConversationMember.objects.filter(conversation=conversation, user=user, last_read_at__lt=up_to).update(
        last_read_at=up_to
    )


def recent_messages(
    conversation: Conversation, *, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """The conversation's last ``limit`` messages (before ``before_id`` if given), oldest first."""
    latest = conversation.messages.select_related("author").prefetch_related("mentioned").order_by("-pk")
    if before_id is not None:
        latest = latest.filter(pk__lt=before_id)
    return list(reversed(latest[:limit]))


def messages_after(conversation: Conversation, *, after_id: int, limit: int = PAGE_SIZE) -> list[Message]:
    """Messages newer than ``after_id``, oldest first: what a polling page has not shown yet."""
    newer = conversation.messages.select_related("author").prefetch_related("mentioned")
    return list(newer.filter(pk__gt=after_id).order_by("pk")[:limit])
