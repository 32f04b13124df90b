"""Follow-up rules, kept as data and edited in the admin, and the record of each time one fired.

What each kind of rule does is written in ``crm.insights.followup.engine``; a rule row holds
its parameters. A ``FollowUp`` row is the key that makes a rule fire once per customer and
period: the job inserts the keys first and acts only on those its own insert created.
"""

from __future__ import annotations

from string import Formatter

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from marketing.mailing import template_errors

# Calendar periods must tile the year, so that a quarter is always January-March, April-June...
CALENDAR_INTERVALS = (1, 2, 3, 4, 6, 12)


class FollowUpRule(models.Model):
    class Kind(models.TextChoices):
        AFTER_SALE = "after_sale", _("After a sale: review with the customer")
        NEWS_BY_ACTIVITY = "news_by_activity", _("News by economic activity (draft mailing)")
        LICENCE_RENEWAL = "licence_renewal", _("Licence renewal")
        INACTIVITY = "inactivity", _("No activity")
        SEGMENT_DROP = "segment_drop", _("Value segment dropped")

    # The placeholders each kind's task title may use.
    TITLE_FIELDS = {
        Kind.AFTER_SALE: ("months", "last_sale"),
        Kind.NEWS_BY_ACTIVITY: (),
        Kind.LICENCE_RENEWAL: ("product", "expires_on", "days"),
        Kind.INACTIVITY: ("days", "last_activity"),
        Kind.SEGMENT_DROP: ("segment", "previous_segment"),
    }

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        help_text=_("What the rule does; it cannot change once the rule exists."),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive rules never fire."))
    interval_months = models.PositiveSmallIntegerField(
        _("every (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "After a sale: contact the customer every N months. News: one mailing per N-month "
            "period of the calendar (1, 2, 3, 4, 6 or 12)."
        ),
    )
    stop_after_months = models.PositiveSmallIntegerField(
        _("stop after (months)"),
        default=12,
        validators=[MaxValueValidator(1200)],
        help_text=_(
            "After a sale: no more reviews once the last sale is older than N months; 0: never stop."
        ),
    )
    days = models.PositiveSmallIntegerField(
        _("days"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Licence renewal: how many days before the licence expires. "
            "No activity: how many days without an activity or an order."
        ),
    )
    task_title = models.CharField(
        _("task title"),
        max_length=200,
        blank=True,
        help_text=_(
            "Placeholders in braces: after a sale {months}, {last_sale}; licence renewal {product}, "
            "{expires_on}, {days}; no activity {days}, {last_activity}; value segment {segment}, "
            "{previous_segment}."
        ),
    )
    due_in_days = models.PositiveSmallIntegerField(
        _("task due in (days)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "The task is due this many days after the rule fires (a licence task never after expiry)."
        ),
    )
    alert_owner = models.BooleanField(
        _("alert the owner"),
        default=False,
        help_text=_("Besides the task, send the customer's owner a notification (in the CRM and by email)."),
    )
    mailing_subject = models.CharField(
        _("mailing subject"), max_length=200, blank=True, help_text=_("News: the draft mailing's subject.")
    )
    mailing_body = models.TextField(
        _("mailing body"),
        blank=True,
        help_text=_(
            "News: the draft mailing's text, with merge fields such as {{ name }} and {{ contact_name }}."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        # Seeded names are in the translation catalogue; names typed in the admin show as typed.
        return gettext(self.name)

    @property
    def makes_tasks(self) -> bool:
        return self.kind != self.Kind.NEWS_BY_ACTIVITY

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.makes_tasks:
            problem = title_problem(self.task_title, self.TITLE_FIELDS.get(self.kind, ()))
            if problem:
                errors["task_title"] = [problem]
        if self.kind == self.Kind.NEWS_BY_ACTIVITY:
            errors.update(self._mailing_errors())
        if (
            self.kind == self.Kind.AFTER_SALE
            and self.stop_after_months
            and self.interval_months
            and self.stop_after_months < self.interval_months
        ):
            errors["stop_after_months"] = [_("Stop after at least one interval, or 0 never to stop.")]
        if errors:
            raise ValidationError(errors)

    def _mailing_errors(self) -> dict[str, list]:
        errors: dict[str, list] = {}
        if self.interval_months and self.interval_months not in CALENDAR_INTERVALS:
            errors["interval_months"] = [
                _("News go out once per calendar period: choose 1, 2, 3, 4, 6 or 12 months.")
            ]
        for field in ("mailing_subject", "mailing_body"):
            text = getattr(self, field)
            if not text.strip():
                errors[field] = [_("The draft mailing needs a subject and a text.")]
            elif problems := template_errors(text):
                errors[field] = problems
        return errors


def title_problem(title: str, allowed: tuple[str, ...]) -> str | None:
    """Why a task title cannot be filled in, or None when it can."""
    if not title.strip():
        return gettext("Write the title of the task the rule creates.")
    try:
        names = [name for _text, name, _spec, _conv in Formatter().parse(title) if name is not None]
    except ValueError:
        return gettext("A brace is not closed. Write placeholders like {days}; a brace itself as {{ or }}.")
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        return ngettext(
            "Unknown placeholder: %(unknown)s. This kind of rule knows: %(allowed)s.",
            "Unknown placeholders: %(unknown)s. This kind of rule knows: %(allowed)s.",
            len(unknown),
        ) % {
            "unknown": ", ".join("{%s}" % name for name in unknown),  # noqa: UP031
            "allowed": ", ".join("{%s}" % name for name in allowed) or gettext("none"),  # noqa: UP031
        }
    return None


class FollowUpRun(models.Model):
    """One evaluation of every active rule, with how often each fired."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {rule id: number of new follow-ups}, kept as text keys (JSON).
    fired = models.JSONField(_("fired per rule"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("follow-up run")
        verbose_name_plural = _("follow-up runs")

    def __str__(self) -> str:
        return gettext("Follow-up rules as of %(date)s") % {"date": self.as_of.isoformat()}

    @property
    def total_fired(self) -> int:
        return sum(self.fired.values())


class FollowUp(models.Model):
    """A rule fired for a customer in a period; the unique key makes it happen once."""

    rule = models.ForeignKey(
        FollowUpRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    # Hidden relations: a customer merge leaves these behind (the duplicate's go with it).
    customer = models.ForeignKey(
        "contacts.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    # The period, in the rule's terms: "2026-01-10+3m" after a sale, "2026-04" for news,
    # "<installed product>@<expiry>" for a licence, "rfm-<snapshot>" for a segment drop.
    period_key = models.CharField(_("period"), max_length=40)
    fired_on = models.DateField(_("fired on"))
    run = models.ForeignKey(
        FollowUpRun,
        verbose_name=_("run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    task = models.ForeignKey(
        "contacts.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mailing = models.ForeignKey(
        "marketing.Mailing",
        verbose_name=_("mailing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-fired_on", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "customer", "period_key"], name="follow_up_once_per_period"
            )
        ]
        indexes = [
            models.Index(fields=["rule", "customer", "-fired_on"], name="follow_up_latest_idx"),
            models.Index(fields=["run", "rule"], name="follow_up_run_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.customer_id}:{self.period_key}"


class FollowUpMailing(models.Model):
    """The draft mailing (and its campaign) a news rule fills for one economic activity and period."""

    rule = models.ForeignKey(
        FollowUpRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="mailings"
    )
    economic_activity = models.ForeignKey(
        "contacts.EconomicActivity",
        verbose_name=_("economic activity"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    period_key = models.CharField(_("period"), max_length=40)
    # Marketing may delete either; the rule then adds nobody more for that period.
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mailing = models.ForeignKey(
        "marketing.Mailing",
        verbose_name=_("mailing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up mailing")
        verbose_name_plural = _("follow-up mailings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "economic_activity", "period_key"], name="follow_up_mailing_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.economic_activity_id}:{self.period_key}"
