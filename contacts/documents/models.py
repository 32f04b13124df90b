"""Documents: files people attach to a customer or to one of its records (an opportunity, a quote).

A document names its customer directly (for the customer's files page) and, when it is on a
record rather than on the customer itself, that record through a generic relation. It is
shown only to users who may see what it is attached to.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.files import document_targets
from crm.accounts.roles import has_any_role


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Documents on a customer, record or email ``user`` may see: one query, any number of kinds."""
        if not user.is_authenticated or not has_any_role(user):
            return self.none()
        customers = self.model._meta.get_field("customer").related_model.objects.visible_to(user)
        condition = Q(target_type__isnull=True, customer__in=customers.values("pk"))
        for model in document_targets.models():
            condition |= Q(
                target_type=ContentType.objects.get_for_model(model),
                target_id__in=model.objects.visible_to(user).values("pk"),
            )
        return self.filter(condition)

    def for_list(self) -> Self:
        return self.select_related("uploaded_by", "target_type").prefetch_related("target")


def document_path(document: Document, filename: str) -> str:
    # Never under a URL of its own: documents are served by a view that checks visibility.
    return f"documents/{timezone.now():%Y/%m}/{filename}"


class Document(models.Model):
    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        # Null only for an email's attachment while the email waits to be filed.
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    # The record it is attached to; none when it is on the customer itself (a merge then
    # moves it with the customer, as it does every foreign key).
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("attached to"), null=True, blank=True, on_delete=models.CASCADE
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="document_customer_idx"),
            models.Index(fields=["target_type", "target_id"], name="document_target_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:document_download", args=[self.pk])
