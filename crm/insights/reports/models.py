"""The forecast frozen at the start of each month, kept to compare with what was won."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 20, "decimal_places": 2}


class ForecastSnapshot(models.Model):
    """The open pipeline as it stood when ``month`` began: one per month, never retaken."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    # Totals of the lines, stored so that the admin and the reports' notes need no sum.
    line_count = models.PositiveIntegerField(_("opportunities"), default=0)
    pipeline = models.DecimalField(_("pipeline"), default=0, **MONEY)
    weighted = models.DecimalField(_("weighted"), default=0, **MONEY)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self) -> str:
        return date_format(self.month, "YEAR_MONTH_FORMAT")


class ForecastLine(models.Model):
    """Snapshot: one open opportunity as it stood when the month began (owner, team, stage,
    probability, amount and expected close then), whatever happened to it since."""

    snapshot = models.ForeignKey(
        ForecastSnapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="lines"
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="forecast_lines",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.ForeignKey(
        "sales.Stage", verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    expected_close_date = models.DateField(_("expected close date"))
    # The first day of the expected close's month: reports group and match months on it.
    close_month = models.DateField(_("expected close month"))

    class Meta:
        ordering = ["snapshot", "close_month", "pk"]
        verbose_name = _("forecast line")
        verbose_name_plural = _("forecast lines")
        indexes = [models.Index(fields=["snapshot", "close_month"], name="forecast_line_month_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot}: {self.opportunity_id}"
