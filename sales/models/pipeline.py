"""Opportunities moving through admin-editable stages."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet

# Seeded by migration; marked so the catalogue translates them. Names typed in the admin show as typed.
SEEDED_NAMES = [
    gettext_noop("Prospecting"),
    gettext_noop("Qualification"),
    gettext_noop("Needs analysis"),
    gettext_noop("Proposal"),
    gettext_noop("Negotiation"),
    gettext_noop("Won"),
    gettext_noop("Lost"),
    gettext_noop("Price"),
    gettext_noop("Competitor"),
    gettext_noop("No budget"),
    gettext_noop("No decision"),
    gettext_noop("Timing"),
    gettext_noop("Product fit"),
]


class Stage(models.Model):
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    default_probability = models.PositiveSmallIntegerField(
        _("default probability (%)"), validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_won=True) & models.Q(is_lost=True)),
                name="stage_not_won_and_lost",
                violation_error_message=_("A stage cannot be both won and lost."),
            )
        ]

    def __str__(self) -> str:
        return gettext(self.name)

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # its order or whether it is lost may have changed
            Opportunity.objects.update(furthest_stage=furthest_in_history())

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class LostReason(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return gettext(self.name)


class OpportunityQuerySet(VisibleQuerySet):
    def open(self) -> Self:
        return self.filter(stage__is_won=False, stage__is_lost=False)

    def won(self) -> Self:
        return self.filter(stage__is_won=True)

    def lost(self) -> Self:
        return self.filter(stage__is_lost=True)

    def for_list(self) -> Self:
        return self.select_related("customer", "owner", "stage")


class Opportunity(models.Model):
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    expected_close_date = models.DateField(_("expected close date"))
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"), validators=[MaxValueValidator(100)])
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"), auto_now_add=True)
    # The furthest stage (by order, lost ones aside) the deal's history ever went to; empty
    # without any history. Kept by the pipeline service and when a stage is saved.
    furthest_stage = models.ForeignKey(
        Stage,
        verbose_name=_("furthest stage"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    source_lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("source lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["expected_close_date", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # The board's columns: a stage's first cards in close-date order, ties by id.
            models.Index(fields=["stage", "expected_close_date", "id"], name="opportunity_stage_close_idx"),
            models.Index(fields=["owner", "expected_close_date"], name="opportunity_owner_idx"),
            models.Index(fields=["team", "expected_close_date"], name="opportunity_team_idx"),
            # The list's default order, and the board's won and lost columns (recent closes).
            models.Index(fields=["expected_close_date", "id"], name="opportunity_close_idx"),
            models.Index(fields=["stage", "-closed_on"], name="opportunity_closed_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:opportunity_detail", args=[self.pk])

    @property
    def weighted_amount(self):
        return self.amount * self.probability / 100


class StageChange(models.Model):
    """A move between stages, kept as the opportunity's history."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    # When the deal moved on from ``to_stage`` (the next change's ``changed_at``); empty while it
    # is still there. Set by the pipeline service when it records the next change.
    left_at = models.DateTimeField(_("left"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            # Each deal's history in order, with the stage it went to (read from the index alone
            # on PostgreSQL): the pipeline report's time in stage and funnel, the deal's page.
            models.Index(
                fields=["opportunity", "changed_at", "id"],
                include=["to_stage"],
                name="stagechange_history_idx",
            ),
            # The stays ended in a period, with their stage and start (read from the index alone
            # on PostgreSQL): the pipeline report's time in stage.
            models.Index(
                fields=["left_at"],
                include=["to_stage", "changed_at", "opportunity"],
                name="stagechange_left_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


def furthest_in_history() -> models.Subquery:
    """The furthest stage of the deal (``OuterRef("pk")``) in its history, lost ones aside."""
    return models.Subquery(
        StageChange.objects.filter(opportunity=models.OuterRef("pk"), to_stage__is_lost=False)
        .order_by("-to_stage__order", "to_stage_id")
        .values("to_stage")[:1]
    )
