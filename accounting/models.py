"""Orders made from accepted quotes, their invoices and the payments against them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet

PAYMENT_TERM = timedelta(days=30)


class NumberSequence(models.Model):
    """The last number used in a series ("PED-2026", "FAC-2026"), locked while a number is taken."""

    series = models.CharField(_("series"), max_length=20, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"


class OrderQuerySet(VisibleQuerySet):
    # Whoever may see the customer may see its orders.
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"

    def for_list(self) -> Self:
        return self.select_related("customer", "quote", "invoice")


class Order(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "contacts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    # One order per quote; empty for an order not made from a quote.
    quote = models.OneToOneField(
        "sales.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    currency = models.CharField(_("currency"), max_length=3, default=settings.CRM_CURRENCY)
    # Snapshot: the totals of the accepted quote, stored so they never change afterwards.
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2, default=0)
    discount_total = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=0)
    tax_total = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Imported from a previous system: counts in sales history and scoring, but fills no
    # installed base and gets no invoice.
    is_history = models.BooleanField(_("imported history"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "-order_date"], name="order_customer_idx"),
            models.Index(fields=["status", "-order_date"], name="order_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("accounting:order_detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    # Snapshot: the quote line exactly as the customer accepted it.
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=0)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return self.description


class InvoiceQuerySet(VisibleQuerySet):
    owner_lookup = "order__customer__owner"
    team_lookup = "order__customer__team"


class Invoice(models.Model):
    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoice"
    )
    series = models.CharField(_("series"), max_length=20)
    number = models.CharField(_("number"), max_length=30, unique=True)
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, default=settings.CRM_CURRENCY)
    # Snapshot: the order's totals when the invoice was issued.
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2, default=0)
    discount_total = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=0)
    tax_total = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    # The sum of the payments, kept by accounting.services as each payment is recorded.
    amount_paid = models.DecimalField(_("paid"), max_digits=16, decimal_places=2, default=0)
    # The sum of the credit notes, kept by accounting.services as each one is issued.
    amount_credited = models.DecimalField(_("credited"), max_digits=16, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["due_date"], name="invoice_due_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("accounting:invoice_detail", args=[self.pk])

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_credited - self.amount_paid

    @property
    def is_paid(self) -> bool:
        return self.balance <= 0

    @property
    def is_overdue(self) -> bool:
        return not self.is_paid and self.due_date < timezone.localdate()


class Payment(models.Model):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("date"), default=timezone.localdate)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.TRANSFER)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("A payment must be more than zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.invoice_id})"


class CreditNote(models.Model):
    """Takes back all or part of an invoice (a cancellation or a refund), numbered in its own series."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    series = models.CharField(_("series"), max_length=20)
    number = models.CharField(_("number"), max_length=30, unique=True)
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["issue_date", "pk"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="credit_note_amount_positive",
                violation_error_message=_("A credit note must be more than zero."),
            )
        ]

    def __str__(self) -> str:
        return self.number
