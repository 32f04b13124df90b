"""What we sell, and what each customer already owns."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.accounts.visibility import VisibleQuerySet

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ProductQuerySet(models.QuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def for_checklist(self, customer_id: int) -> ProductQuerySet:
        """The active catalogue plus whatever the customer owns, even if withdrawn since."""
        owned = InstalledProduct.objects.filter(customer_id=customer_id).values("product_id")
        return self.filter(models.Q(is_active=True) | models.Q(pk__in=owned))


class Product(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(
        _("unit cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal(19), validators=PERCENT
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_licence = models.BooleanField(_("sold as a licence"), default=False)
    licence_term_months = models.PositiveSmallIntegerField(
        _("licence term (months)"), null=True, blank=True, help_text=_("12 for a yearly licence.")
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                # isnull spelled out: a CHECK lets NULL through, and so does Django's validation.
                condition=models.Q(is_licence=False)
                | models.Q(licence_term_months__isnull=False, licence_term_months__gt=0),
                name="product_licence_has_term",
                violation_error_message=_("A licence needs a term in months."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class InstalledProductQuerySet(VisibleQuerySet):
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"


class InstalledProduct(models.Model):
    """A product the customer owns: the checklist sales reads to know what else to offer."""

    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="installed_products",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="installations"
    )
    since = models.DateField(_("since"), null=True, blank=True)
    licence_expires_on = models.DateField(_("licence expires on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = InstalledProductQuerySet.as_manager()

    class Meta:
        ordering = ["product__name"]
        verbose_name = _("installed product")
        verbose_name_plural = _("installed base")
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="installed_product_once")]
        indexes = [models.Index(fields=["licence_expires_on"], name="installed_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.product} @ {self.customer_id}"
