"""RFM value scoring: its settings, the segment rules, and one snapshot per scoring run.

The rules themselves are written out in ``docs/rfm.md`` and on the scoring page; the
computation lives in ``crm.insights.rfm``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WEIGHT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def weight_field(verbose_name, default: int) -> models.DecimalField:
    # Percentages with four decimals, so that a value score is exact to six decimals.
    return models.DecimalField(
        verbose_name, max_digits=7, decimal_places=4, default=Decimal(default), validators=WEIGHT_VALIDATORS
    )


class RfmSettings(models.Model):
    """The weights and default window managers edit in the admin; one row, created on first use."""

    recency_weight = weight_field(_("recency weight (%)"), 30)
    frequency_weight = weight_field(_("frequency weight (%)"), 10)
    monetary_weight = weight_field(_("monetary weight (%)"), 60)
    window_months = models.PositiveSmallIntegerField(
        _("scoring window (months)"),
        default=0,
        validators=[MaxValueValidator(1200)],
        help_text=_("Only orders of the last N months count; 0 counts all history."),
    )
    keep_snapshots = models.PositiveSmallIntegerField(
        _("snapshots kept with every customer's scores"),
        default=30,
        validators=[MinValueValidator(2), MaxValueValidator(400)],
        help_text=_("Older snapshots keep only their totals and segment counts."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("RFM settings")
        verbose_name_plural = _("RFM settings")

    def __str__(self) -> str:
        return gettext("RFM settings")

    def clean(self) -> None:
        weights = [self.recency_weight, self.frequency_weight, self.monetary_weight]
        if any(weight is None for weight in weights):
            return  # each missing field has its own message
        if sum(weights) != 100:
            raise ValidationError(
                _("The three weights must add up to 100 %% (they add up to %(total)s %%).")
                % {"total": f"{sum(weights).normalize():f}"}
            )

    @classmethod
    def load(cls) -> RfmSettings:
        return cls.objects.get_or_create(pk=1)[0]


class SegmentRuleQuerySet(models.QuerySet):
    def choices(self) -> list[tuple[str, str]]:
        return [(rule.slug, rule.display_label) for rule in self.order_by("priority", "pk")]


class SegmentRule(models.Model):
    """A named segment for a range of recency (R) and frequency (F) scores; the first match wins."""

    slug = models.SlugField(
        _("code"), max_length=30, unique=True, help_text=_("Stored on every score; keep it stable.")
    )
    label = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("what to do"), max_length=200, blank=True)
    r_min = models.PositiveSmallIntegerField(_("R from"), default=1, validators=SCORE_VALIDATORS)
    r_max = models.PositiveSmallIntegerField(_("R to"), default=5, validators=SCORE_VALIDATORS)
    f_min = models.PositiveSmallIntegerField(_("F from"), default=1, validators=SCORE_VALIDATORS)
    f_max = models.PositiveSmallIntegerField(_("F to"), default=5, validators=SCORE_VALIDATORS)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Rules are tried from the lowest number up.")
    )

    objects = SegmentRuleQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        # Seeded names are in the translation catalogue; names typed in the admin show as typed.
        return gettext(self.label)

    def matches(self, r_score: int, f_score: int) -> bool:
        return self.r_min <= r_score <= self.r_max and self.f_min <= f_score <= self.f_max

    def clean(self) -> None:
        errors = {}
        if self.r_min is not None and self.r_max is not None and self.r_min > self.r_max:
            errors["r_max"] = _("R to must not be below R from.")
        if self.f_min is not None and self.f_max is not None and self.f_min > self.f_max:
            errors["f_max"] = _("F to must not be below F from.")
        if errors:
            raise ValidationError(errors)


class RfmSnapshotQuerySet(models.QuerySet):
    def complete(self) -> RfmSnapshotQuerySet:
        return self.filter(is_complete=True)

    def latest_first(self) -> RfmSnapshotQuerySet:
        # The last one published is the current one, whatever its as-of date.
        return self.complete().order_by("-finished_at", "-pk")


class RfmSnapshot(models.Model):
    """One scoring run: its inputs, its figures, and (for recent runs) every customer's scores."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("Recompute now")
        COMMAND = "command", _("Command line")

    as_of = models.DateField(_("as of"))
    window_months = models.PositiveSmallIntegerField(_("window (months)"), default=0)
    window_start = models.DateField(_("orders from"), null=True, blank=True)
    recency_weight = models.DecimalField(_("recency weight (%)"), max_digits=7, decimal_places=4)
    frequency_weight = models.DecimalField(_("frequency weight (%)"), max_digits=7, decimal_places=4)
    monetary_weight = models.DecimalField(_("monetary weight (%)"), max_digits=7, decimal_places=4)
    customers_scored = models.PositiveIntegerField(_("customers scored"), default=0)
    orders_counted = models.PositiveIntegerField(_("orders counted"), default=0)
    # Kept here so the figures survive when old snapshots' scores are pruned.
    segment_counts = models.JSONField(_("customers per segment"), default=dict, blank=True)
    # The snapshot this one replaced, and [from, to, customers] between the two (null: not scored).
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous snapshot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    movements = models.JSONField(_("movements between segments"), default=list, blank=True)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    is_complete = models.BooleanField(_("complete"), default=False)
    scores_pruned = models.BooleanField(_("scores pruned"), default=False)

    objects = RfmSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = _("RFM snapshot")
        verbose_name_plural = _("RFM snapshots")
        indexes = [
            models.Index(fields=["is_complete", "-finished_at", "-id"], name="rfm_snapshot_latest_idx")
        ]

    def __str__(self) -> str:
        return gettext("Scores as of %(date)s") % {"date": self.as_of.isoformat()}


class RfmScore(models.Model):
    """A customer's scores in one snapshot; the value fields on the customer copy the current one."""

    # Each run writes 100,000 rows here: the unique index below serves lookups by snapshot
    # (on PostgreSQL it carries the segment too, migration 0006: counts per segment read the
    # index alone), and foreign keys are not checked row by row in the database (that cost a
    # second a run); the job only writes rows of existing customers, and Django cascades deletions.
    snapshot = models.ForeignKey(
        RfmSnapshot,
        verbose_name=_("snapshot"),
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
        db_constraint=False,
    )
    # A hidden relation: merging customers leaves old scores behind (the duplicate's go
    # with it); the next run scores the survivor with every order.
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    recency_days = models.PositiveIntegerField(_("recency (days)"))
    frequency = models.PositiveIntegerField(_("frequency (orders)"))
    monetary = models.DecimalField(_("monetary"), max_digits=18, decimal_places=2)
    r_score = models.PositiveSmallIntegerField("R")
    f_score = models.PositiveSmallIntegerField("F")
    m_score = models.PositiveSmallIntegerField("M")
    value_score = models.DecimalField(_("value score"), max_digits=7, decimal_places=6)
    segment = models.CharField(_("segment"), max_length=30, blank=True)

    class Meta:
        ordering = ["snapshot", "-value_score", "customer"]
        verbose_name = _("RFM score")
        verbose_name_plural = _("RFM scores")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "customer"], name="rfm_score_once_per_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.r_score}{self.f_score}{self.m_score}"


from crm.insights.dashboard.models import DashboardLayout  # noqa: E402, F401
from crm.insights.followup.models import FollowUp, FollowUpMailing, FollowUpRule, FollowUpRun  # noqa: E402, F401
from crm.insights.reports.models import ForecastLine, ForecastSnapshot  # noqa: E402, F401
