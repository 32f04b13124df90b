"""Record visibility in one place: who may see which department record.

Sales reps, telemarketers and service agents see what they own or what their team
owns; managers, admins, marketing and accounting see everything. Every department
QuerySet inherits ``VisibleQuerySet`` and names its owner and team lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from crm.accounts.roles import has_any_role, sees_all

if TYPE_CHECKING:
    from crm.accounts.models import User


def visibility_filter(user: User, *, owner: str = "owner", team: str = "team") -> Q | None:
    """The Q that limits a queryset to ``user``'s records; None means no limit."""
    if sees_all(user):
        return None
    condition = Q(**{owner: user})
    if user.team_id:
        condition |= Q(**{team: user.team_id})
    return condition


class VisibleQuerySet(models.QuerySet):
    owner_lookup = "owner"
    team_lookup = "team"

    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated or not has_any_role(user):
            return self.none()
        condition = visibility_filter(user, owner=self.owner_lookup, team=self.team_lookup)
        return self if condition is None else self.filter(condition)
