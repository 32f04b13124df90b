"""Roles are Django groups, created by a data migration; these are their names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from crm.accounts.models import User


class Role(models.TextChoices):
    SALES_REP = "Sales rep", _("Sales rep")
    TELEMARKETER = "Telemarketer", _("Telemarketer")
    MARKETING = "Marketing", _("Marketing")
    SERVICE_AGENT = "Service agent", _("Service agent")
    ACCOUNTING = "Accounting", _("Accounting")
    MANAGER = "Manager", _("Manager")
    ADMIN = "Admin", _("Admin")


# Roles that see every record. Marketing and accounting work across the whole customer
# base (segments, invoices), so they are not limited to their own customers.
SEES_ALL = frozenset({Role.MANAGER, Role.ADMIN, Role.MARKETING, Role.ACCOUNTING})
# Roles that may run bulk and destructive tools (merge, delete).
SUPERVISORS = frozenset({Role.MANAGER, Role.ADMIN})


def roles_of(user: User) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user: User, *roles: str) -> bool:
    return user.is_superuser or bool(roles_of(user) & set(roles))


def has_any_role(user: User) -> bool:
    return user.is_superuser or bool(roles_of(user) & set(Role.values))


def sees_all(user: User) -> bool:
    return user.is_superuser or bool(roles_of(user) & SEES_ALL)


def is_supervisor(user: User) -> bool:
    return user.is_superuser or bool(roles_of(user) & SUPERVISORS)
