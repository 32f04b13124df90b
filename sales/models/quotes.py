"""Quotes: numbered proposals with product lines, versions and a PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet
from sales import pricing
from sales.models.catalog import PERCENT, Product
from sales.models.pipeline import Opportunity


class SalesSettings(models.Model):
    """Sales rules managers edit in the admin; one row, created on first use."""

    margin_warning_percent = models.DecimalField(
        _("warn when the margin falls below (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(20),
        validators=PERCENT,
    )
    quote_validity_days = models.PositiveSmallIntegerField(_("quotes are valid for (days)"), default=30)
    default_terms = models.TextField(_("default terms"), blank=True)

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))

    @classmethod
    def load(cls) -> SalesSettings:
        return cls.objects.get_or_create(pk=1)[0]


class QuoteNumberSequence(models.Model):
    """The last quote number used in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("quote number sequence")
        verbose_name_plural = _("quote number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class QuoteQuerySet(VisibleQuerySet):
    # Whoever may see the customer may see (and reuse) its quotes.
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"

    def for_list(self) -> Self:
        return self.select_related("customer", "opportunity", "created_by")


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="quotes"
    )
    # The opportunity's customer, kept on the quote so visibility and the customer page
    # read quotes without a join; always equal to opportunity.customer.
    customer = models.ForeignKey(
        "contacts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    number = models.CharField(_("number"), max_length=30)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    cloned_from = models.ForeignKey(
        "self",
        verbose_name=_("cloned from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clones",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), blank=True)
    terms = models.TextField(_("terms"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=settings.CRM_CURRENCY)
    # Totals of the lines, written by sales.services whenever the lines change, so that
    # lists and reports read them without summing lines.
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2, default=0)
    discount_total = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=0)
    tax_total = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    cost_total = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("accepted or rejected"), null=True, blank=True)
    # The PDF as it was sent, kept so the customer's file shows exactly what they received.
    pdf = models.FileField(_("PDF"), upload_to="quotes/%Y/", blank=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="quote_number_version")]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="quote_status_idx"),
            models.Index(fields=["customer", "-issued_on"], name="quote_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("sales:quote_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def margin(self) -> Decimal:
        return self.subtotal - self.discount_total - self.cost_total

    @property
    def margin_percent(self) -> Decimal | None:
        net = self.subtotal - self.discount_total
        return None if not net else pricing.round_money(self.margin * 100 / net)

    @property
    def totals(self) -> pricing.Totals:
        """The stored totals, shaped like the ones computed while editing."""
        return pricing.Totals(
            subtotal=self.subtotal,
            discount=self.discount_total,
            tax=self.tax_total,
            total=self.total,
            cost=self.cost_total,
            margin=self.margin,
            margin_percent=self.margin_percent,
        )


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="quote_lines"
    )
    # Snapshot: the product's name, price, cost and tax when the line was written, which
    # is what the customer was offered, whatever the catalogue says later.
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=0)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return self.description

    @property
    def priced(self) -> pricing.Line:
        return pricing.Line(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            tax_rate=self.tax_rate,
            unit_cost=self.unit_cost,
        )
