"""Which cards a person put on their dashboard, in their order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardLayout(models.Model):
    """A person's own choice of cards; without one, their roles' default cards show."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="dashboard_layout",
    )
    # Card codes (see crm.insights.dashboard.registry) in the order they show.
    cards = models.JSONField(_("cards"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dashboard layout")
        verbose_name_plural = _("dashboard layouts")

    def __str__(self) -> str:
        return str(self.user)
