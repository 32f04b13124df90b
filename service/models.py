"""Service tickets: a customer's problem or question, who works on it, and its thread."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Role, has_any_role, has_role
from crm.accounts.visibility import VisibleQuerySet, visibility_filter
from service import sla


class Category(models.Model):
    """What a ticket is about (billing, installation...), kept by admins."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(VisibleQuerySet):
    owner_lookup = "assignee"
    team_lookup = "team"

    def visible_to(self, user) -> Self:
        """Agents see their own and their team's tickets; managers and admins all.

        A second rule: sales reps and telemarketers also read the tickets of the customers
        they can see (own or team's), so a rep knows about a problem before calling.
        """
        if not user.is_authenticated or not has_any_role(user):
            return self.none()
        condition = visibility_filter(user, owner=self.owner_lookup, team=self.team_lookup)
        if condition is None:
            return self
        if has_role(user, Role.SALES_REP, Role.TELEMARKETER):
            condition |= visibility_filter(user, owner="customer__owner", team="customer__team")
        return self.filter(condition)

    def open(self) -> Self:
        return self.exclude(status__in=Ticket.CLOSED_STATUSES)

    def for_list(self) -> Self:
        return self.select_related("customer", "assignee", "team", "category", "product", "order")


class Ticket(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        WEB = "web", _("Web")
        IN_PERSON = "in_person", _("In person")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Feedback(models.TextChoices):
        NONE = "", _("Not product feedback")
        PROBLEM = "problem", _("Product problem")
        WISH = "wish", _("Feature wish")

    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)

    customer = models.ForeignKey(
        "contacts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    order = models.ForeignKey(
        "accounting.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Product feedback for the product designers: what kind, and a short theme to group by.
    feedback = models.CharField(
        _("product feedback"), max_length=10, choices=Feedback.choices, default="", blank=True
    )
    feedback_theme = models.CharField(
        _("feedback theme"),
        max_length=100,
        blank=True,
        help_text=_('A few words to group similar feedback, e.g. "slow reports".'),
    )
    # The customer's satisfaction, asked for through a signed link when the ticket is resolved.
    satisfaction_rating = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    satisfaction_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # When the survey was last emailed; asked again only after a later resolution.
    satisfaction_requested_at = models.DateTimeField(_("survey sent"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="ticket_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status"], name="ticket_team_idx"),
            # Lists and drill-downs read a page of tickets newest first without sorting them all.
            models.Index(fields=["-opened_at", "-id"], name="ticket_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:ticket_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES


class Reply(models.Model):
    """One message in a ticket's thread: a public reply to the customer or an internal note."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="ticket_replies",
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="reply_body_not_empty")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class SlaPolicyQuerySet(models.QuerySet):
    def targets_for(self, ticket: Ticket, *, now=None) -> dict[str, sla.Target] | None:
        """The ticket's first-response and resolution targets; None when its priority has no policy."""
        policy = self.filter(priority=ticket.priority).first()
        if policy is None:
            return None
        now = now or timezone.now()
        holidays = set(
            Holiday.objects.filter(date__gte=ticket.opened_at.date()).values_list("date", flat=True)
        )
        common = {"opened_at": ticket.opened_at, "now": now, "holidays": holidays}
        return {
            "first_response": sla.target(
                hours=float(policy.first_response_hours), done_at=ticket.first_response_at, **common
            ),
            "resolution": sla.target(
                hours=float(policy.resolution_hours), done_at=ticket.resolved_at, **common
            ),
        }


class SlaPolicy(models.Model):
    """How fast a ticket of one priority gets a first response and a resolution, in business hours."""

    priority = models.CharField(_("priority"), max_length=10, choices=Ticket.Priority.choices, unique=True)
    first_response_hours = models.DecimalField(
        _("first response (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    resolution_hours = models.DecimalField(
        _("resolution (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_hours__gte=0, resolution_hours__gte=0),
                name="sla_hours_not_negative",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_priority_display())


class Holiday(models.Model):
    """A day the SLA clock stops."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


def attachment_path(attachment: Attachment, filename: str) -> str:
    # Never under static or media URLs: attachments are served by a view that checks visibility.
    return f"ticket-attachments/{attachment.ticket_id}/{filename}"


class Attachment(models.Model):
    """A file on a ticket (a screenshot, a log), served only to users who may see the ticket."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class SlaAlert(models.Model):
    """One alert sent about a ticket's SLA target, so that each is sent once."""

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    class Stage(models.TextChoices):
        WARNING = "warning", _("Before the breach")
        BREACH = "breach", _("At the breach")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_alerts"
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [models.UniqueConstraint(fields=["ticket", "target", "stage"], name="sla_alert_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.stage}"
