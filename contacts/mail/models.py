"""Email on the customer: each user's mailbox, and the messages fetched from it or sent through it.

A ``Mailbox`` holds how to reach a user's IMAP and SMTP servers (the app password encrypted,
see ``contacts.mail.secrets``) and where its last fetch stopped. An ``EmailMessage`` is one
email, known once by its Message-ID however many mailboxes hold it; filed on a customer it
has an ``Activity`` of kind email on their timeline, and its attachments are ``Document`` rows.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.accounts.roles import has_any_role
from crm.accounts.visibility import visibility_filter


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (only for a server on this machine or network)")


class Mailbox(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="mailboxes"
    )
    email_address = models.EmailField(_("email address"))
    username = models.CharField(_("user name"), max_length=254)
    # A Fernet token (contacts.mail.secrets), never the password itself.
    password_encrypted = models.TextField(_("app password (encrypted)"), editable=False)
    imap_host = models.CharField(_("IMAP server"), max_length=255)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    smtp_host = models.CharField(_("SMTP server"), max_length=255)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    is_active = models.BooleanField(_("fetch new mail"), default=True)
    # Where the last fetch stopped: the folder's UIDVALIDITY and the highest UID seen in it.
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.PositiveBigIntegerField(_("last message seen (UID)"), default=0, editable=False)
    fetched_count = models.PositiveIntegerField(_("messages fetched"), default=0, editable=False)
    filed_count = models.PositiveIntegerField(_("filed on a customer"), default=0, editable=False)
    unmatched_count = models.PositiveIntegerField(_("left for review"), default=0, editable=False)
    last_synced_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "email_address"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "email_address"],
                name="mailbox_user_address",
                violation_error_message=_("You have already connected this address."),
            )
        ]

    def __str__(self) -> str:
        return self.email_address

    def get_absolute_url(self) -> str:
        return reverse("mail:mailbox_update", args=[self.pk])


class EmailMessageQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Filed mail: whoever may see its customer. Mail not yet filed: its mailbox's owner."""
        if not user.is_authenticated or not has_any_role(user):
            return self.none()
        condition = visibility_filter(user, owner="customer__owner", team="customer__team")
        filed = Q(customer__isnull=False) if condition is None else Q(customer__isnull=False) & condition
        return self.filter(filed | Q(customer__isnull=True, mailbox__user=user))

    def waiting_review(self, user) -> Self:
        return self.filter(mailbox__user=user, status=EmailMessage.Status.UNMATCHED)


class EmailMessage(models.Model):
    class Direction(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("email direction", "Received")
        SENT = "sent", pgettext_lazy("email direction", "Sent")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed on a customer")
        UNMATCHED = "unmatched", _("Waiting for review")
        IGNORED = "ignored", _("Not about a customer")

    # Unique over all mailboxes: a message two colleagues both receive is filed once.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        # The mail stays on the customer's timeline when its mailbox is disconnected.
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    from_address = models.CharField(pgettext_lazy("email header", "from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to_addresses = models.JSONField(pgettext_lazy("email header", "to"), default=list, blank=True)
    cc_addresses = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("date"))
    body_text = models.TextField(_("text"), blank=True)
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_messages",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_messages",
    )
    # The timeline entry made when the message was filed.
    activity = models.OneToOneField(
        "contacts.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_message",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the message was filed by matching its addresses."),
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("fetched or sent at"), default=timezone.now, editable=False)

    documents = GenericRelation(
        "contacts.Document", content_type_field="target_type", object_id_field="target_id"
    )
    objects = EmailMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("email message")
        verbose_name_plural = _("email messages")
        indexes = [
            models.Index(fields=["mailbox", "status", "-sent_at"], name="email_review_idx"),
            models.Index(fields=["customer", "-sent_at"], name="email_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))

    def get_absolute_url(self) -> str:
        return reverse("mail:message_detail", args=[self.pk])

    @property
    def recipients(self) -> list[str]:
        return [*self.to_addresses, *self.cc_addresses]
