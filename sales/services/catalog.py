"""Writes to the catalogue and to each customer's installed base."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.models import Activity, Customer
from contacts.services import log_activity
from crm.accounts.roles import Role, has_role
from sales.models import InstalledProduct, Product

if TYPE_CHECKING:
    from crm.accounts.models import User

# Who may change the catalogue; everyone with a role reads it.
CATALOG_EDITORS = (Role.MANAGER, Role.ADMIN)
# Who may tick products owned on a customer they can see.
INSTALLED_BASE_EDITORS = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)


def can_edit_catalog(user: User) -> bool:
    return has_role(user, *CATALOG_EDITORS)


def can_edit_installed_base(user: User) -> bool:
    return has_role(user, *INSTALLED_BASE_EDITORS)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def licence_expiry(product: Product, since: date | None) -> date | None:
    """When a licence bought on ``since`` runs out: ``since`` plus the product's term; None otherwise."""
    if since is None or not product.is_licence or not product.licence_term_months:
        return None
    return add_months(since, product.licence_term_months)


def save_product(*, product: Product, by: User) -> Product:
    """Create or update a catalogue product (already validated by its form)."""
    with transaction.atomic():
        if not product.is_licence:
            product.licence_term_months = None
        product.save()
    return product


@dataclass(frozen=True)
class InstalledItem:
    """One ticked line of the checklist: the customer owns ``product``."""

    product: Product
    since: date | None = None
    licence_expires_on: date | None = None
    notes: str = ""


def _lock(customer: Customer) -> None:
    # Serialises concurrent edits of one customer's installed base (a no-op on SQLite,
    # which writes one transaction at a time anyway).
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))


def _log_change(*, customer: Customer, by: User | None, added: list[str], removed: list[str]) -> None:
    if by is None or not (added or removed):
        return
    # The timeline is read by every department: written in the company's language.
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        if added:
            lines.append(_("Added: %(products)s.") % {"products": ", ".join(added)})
        if removed:
            lines.append(_("Removed: %(products)s.") % {"products": ", ".join(removed)})
        subject = _("Products owned updated")
    log_activity(customer=customer, by=by, kind=Activity.Kind.NOTE, subject=subject, notes="\n".join(lines))


def set_installed_base(
    *, customer: Customer, items: Iterable[InstalledItem], by: User
) -> list[InstalledProduct]:
    """Make the customer's installed base exactly ``items``: add, update and remove rows.

    A licence without an expiry date gets ``since`` plus the product's term. Products that
    are added or removed are noted on the customer's timeline. Returns the rows now owned.
    """
    wanted: dict[int, InstalledItem] = {item.product.pk: item for item in items}
    with transaction.atomic():
        _lock(customer)
        current = {row.product_id: row for row in customer.installed_products.select_related("product")}
        removed = [row for product_id, row in current.items() if product_id not in wanted]
        if removed:
            InstalledProduct.objects.filter(pk__in=[row.pk for row in removed]).delete()
        created, changed = [], []
        for product_id, item in wanted.items():
            values = {
                "since": item.since,
                "licence_expires_on": item.licence_expires_on or licence_expiry(item.product, item.since),
                "notes": item.notes,
            }
            row = current.get(product_id)
            if row is None:
                created.append(InstalledProduct(customer=customer, product=item.product, **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        InstalledProduct.objects.bulk_create(created)
        InstalledProduct.objects.bulk_update(changed, ["since", "licence_expires_on", "notes"])
        _log_change(
            customer=customer,
            by=by,
            added=[row.product.name for row in created],
            removed=[row.product.name for row in removed],
        )
    return list(customer.installed_products.select_related("product"))


def add_to_installed_base(
    *, customer: Customer, product: Product, since: date, by: User | None
) -> InstalledProduct:
    """Record that ``customer`` owns ``product`` from ``since`` (called when an order is made).

    A licence expires ``since`` plus the product's term. When the customer owns the product
    already, the row is kept: its ``since`` stays the earlier date and its expiry becomes the
    later of the current expiry and the new one, so an early renewal never shortens a licence
    and a late order of an extra seat never cuts one short. Safe to call twice.
    """
    expires_on = licence_expiry(product, since)
    with transaction.atomic():
        _lock(customer)
        row = InstalledProduct.objects.filter(customer=customer, product=product).first()
        if row is None:
            row = InstalledProduct.objects.create(
                customer=customer, product=product, since=since, licence_expires_on=expires_on
            )
            _log_change(customer=customer, by=by, added=[product.name], removed=[])
            return row
        update = []
        if row.since is None or since < row.since:
            row.since = since
            update.append("since")
        if expires_on and (row.licence_expires_on is None or expires_on > row.licence_expires_on):
            row.licence_expires_on = expires_on
            update.append("licence_expires_on")
        if update:
            row.save(update_fields=update)
    return row
