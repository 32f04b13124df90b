"""Leads: qualification records about a customer, worked by telemarketing."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet

# Seeded by migration; marked so the catalogue translates them.
SEEDED_REASONS = [
    gettext_noop("No need"),
    gettext_noop("No budget"),
    gettext_noop("Wrong contact data"),
    gettext_noop("Already a customer of a competitor"),
    gettext_noop("Not reachable"),
    gettext_noop("Duplicate"),
]


class DisqualificationReason(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("disqualification reason")
        verbose_name_plural = _("disqualification reasons")

    def __str__(self) -> str:
        return gettext(self.name)


class LeadQuerySet(VisibleQuerySet):
    owner_lookup = "assigned_to"
    team_lookup = "team"

    def in_queue(self) -> Self:
        """Leads still to be worked: new or being contacted."""
        return self.filter(status__in=[Lead.Status.NEW, Lead.Status.CONTACTING])

    def queue_order(self) -> Self:
        """Callbacks due first (soonest first), then by score, then the oldest."""
        return self.order_by(F("callback_at").asc(nulls_last=True), "-score", "created_at", "pk")

    def for_list(self) -> Self:
        return self.select_related("customer", "campaign", "assigned_to")


class Lead(models.Model):
    """A qualification record about a customer; never a copy of the customer's data."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTING = "contacting", _("Contacting")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported list")
        WEB_FORM = "web_form", _("Web form")
        MANUAL = "manual", _("Entered by hand")
        REFERRAL = "referral", _("Referral")
        EVENT = "event", _("Event")

    customer = models.ForeignKey(
        "contacts.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="leads"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("telemarketer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_leads",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    score = models.SmallIntegerField(_("score"), default=0)
    need = models.TextField(_("need"), blank=True)
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    authority = models.CharField(_("authority"), max_length=200, blank=True)
    timeline = models.CharField(_("timeline"), max_length=200, blank=True)
    disqualification_reason = models.ForeignKey(
        DisqualificationReason,
        verbose_name=_("disqualification reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called"), null=True, blank=True)
    call_count = models.PositiveIntegerField(_("calls"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            # The call queue: a telemarketer's open leads, callbacks first, then score and age
            # (ascending puts NULL callbacks last on PostgreSQL, as queue_order asks).
            models.Index(
                fields=["assigned_to", "status", "callback_at", "-score", "created_at"], name="lead_queue_idx"
            ),
            models.Index(fields=["team", "status"], name="lead_team_idx"),
            # Calendars: the callbacks of some people's queued leads in a period, with the team
            # their visibility needs, read from the index alone.
            models.Index(
                fields=["assigned_to", "callback_at", "id", "team"],
                condition=Q(status__in=["new", "contacting"], callback_at__isnull=False),
                name="lead_callback_idx",
            ),
            models.Index(fields=["campaign", "status"], name="lead_campaign_idx"),
            # The campaigns' results: their leads created in a period (per rep when chosen),
            # counted from the index alone.
            models.Index(
                fields=["campaign", "created_at"], include=["assigned_to"], name="lead_campaign_created_idx"
            ),
            # The activity report: leads disqualified in a period, with the owner, team and
            # reason it counts them by, read from the index alone.
            models.Index(
                fields=["updated_at"],
                include=["assigned_to", "team", "disqualification_reason"],
                condition=Q(status="disqualified"),
                name="lead_disqualified_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.customer_id}"

    def get_absolute_url(self) -> str:
        return reverse("leads:lead_detail", args=[self.pk])


class LeadImport(models.Model):
    """A purchased list or trade-show scan uploaded into a campaign: previewed, then imported."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWED = "previewed", _("Previewed")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="lead_imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="lead_imports/")
    file_name = models.CharField(_("file name"), max_length=255)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_leads = models.PositiveIntegerField(_("leads created"), default=0)
    matched_customers = models.PositiveIntegerField(_("existing customers matched"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    distribute_to_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("spread over the telemarketers of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)
