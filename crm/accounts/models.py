from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class EmailFrequency(models.TextChoices):
    INSTANT = "instant", _("At once, one email each")
    DAILY = "daily", _("Once a day, in one digest")
    NEVER = "never", _("Never (in the CRM only)")


class User(AbstractUser):
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: follow the browser."),
    )
    email_frequency = models.CharField(
        _("email me my notifications"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.INSTANT,
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("notification", "created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # Set on notifications that must reach each person once (a visit's reminder, say): a
    # second notify() with the same key for the same recipient creates nothing.
    once_key = models.CharField(_("sent once as"), max_length=100, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"], condition=~Q(once_key=""), name="notification_once"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ConversationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> ConversationQuerySet:
        """The conversations ``user`` takes part in; a team's only while they are on that team."""
        return self.filter(Q(team__isnull=True) | Q(team_id=user.team_id), memberships__user=user).distinct()


class Conversation(models.Model):
    """Messages between two people (direct) or among the members of a team."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct")
        TEAM = "team", _("Team")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    team = models.OneToOneField(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversation",
    )
    # "12:34" for the direct conversation between users 12 and 34: one conversation per pair.
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("conversation", "created"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return str(self.team) if self.team_id else (self.direct_key or str(self.pk))

    @staticmethod
    def key_for(first: User, second: User) -> str:
        low, high = sorted([first.pk, second.pk])
        return f"{low}:{high}"


class ConversationMember(models.Model):
    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="conversation_memberships",
    )
    # Messages after this moment (and not their own) are unread for the member.
    last_read_at = models.DateTimeField(_("read up to"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="conversation_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(pgettext_lazy("message", "sent"), default=timezone.now)
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentioned"),
        through="MessageMention",
        related_name="mentioned_in_messages",
        blank=True,
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_idx")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:60]


class MessageMention(models.Model):
    """A member of the conversation named with @username in a message, and notified of it."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("mention in a message")
        verbose_name_plural = _("mentions in messages")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_mention_once")]

    def __str__(self) -> str:
        return f"@{self.user_id} in message {self.message_id}"


class Comment(models.Model):
    """A note employees leave on any record (customer, opportunity, quote, ticket...)."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(pgettext_lazy("comment", "written"), default=timezone.now)
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentioned"),
        through="Mention",
        related_name="mentioned_in",
        blank=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="comment_record_idx")
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class Mention(models.Model):
    """Someone named with @username in a comment; ``notified`` when they may see the record."""

    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    notified = models.BooleanField(_("notified"), default=False)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="mention_once")]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.comment_id}"


class CalendarFeedToken(models.Model):
    """The secret in a user's private calendar (ICS) address; replacing it revokes the old one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("calendar feed address", "created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_token_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
