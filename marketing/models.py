"""Campaigns that bring prospects in, the segments they target, and their mailings."""

from __future__ import annotations

import secrets
from typing import Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet


def new_form_token() -> str:
    return secrets.token_urlsafe(16)


class CampaignQuerySet(VisibleQuerySet):
    def for_list(self) -> Self:
        return self.select_related("owner")


class Campaign(models.Model):
    class Channel(models.TextChoices):
        ADVERTISING = "advertising", _("Advertising")
        TRADE_SHOW = "trade_show", _("Trade show")
        EVENT = "event", _("Event")
        DIRECT_MAIL = "direct_mail", _("Direct mail")
        EMAIL = "email", _("Email")
        FAX = "fax", _("Fax")
        WEB_FORM = "web_form", _("Web form")
        PURCHASED_LIST = "purchased_list", _("Purchased list")
        REFERRAL = "referral", _("Referral")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    actual_cost = models.DecimalField(
        _("actual cost"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    description = models.TextField(_("description"), blank=True)
    # The public web-to-lead form lives at a URL made from this token.
    web_form_token = models.CharField(max_length=32, unique=True, default=new_form_token, editable=False)
    web_form_enabled = models.BooleanField(_("web form open"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:campaign_detail", args=[self.pk])


class CampaignMember(models.Model):
    """A customer targeted by, or responding to, a campaign."""

    class Status(models.TextChoices):
        TARGETED = "targeted", _("Targeted")
        RESPONDED = "responded", _("Responded")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="campaign_memberships",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TARGETED)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id}"


class Segment(models.Model):
    """A named filter over customers; its members are computed when it is used."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The customer-list filter parameters (as in its query string), plus segment-only ones.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:segment_detail", args=[self.pk])


class EmailOptOut(models.Model):
    """A customer who asked for no more marketing email; mailings skip them."""

    customer = models.OneToOneField(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="email_opt_out",
    )
    opted_out_at = models.DateTimeField(_("opted out"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")

    def __str__(self) -> str:
        return str(self.customer_id)


class Mailing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    name = models.CharField(_("name"), max_length=200)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailings",
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailings",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"), help_text=_("Merge fields: {{ name }}, {{ contact_name }}, {{ city }}.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:mailing_detail", args=[self.pk])


class MailingRecipient(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("mailing"), on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="mailing_receipts",
    )
    # The address it went to: a record of the send, not the customer's data.
    email = models.EmailField(_("email"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        constraints = [models.UniqueConstraint(fields=["mailing", "customer"], name="mailing_recipient_once")]
        indexes = [models.Index(fields=["mailing", "status"], name="mailing_recipient_status_idx")]

    def __str__(self) -> str:
        return self.email
