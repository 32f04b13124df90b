"""Whose figures a report shows: a rep their own, a manager their teams', an admin everyone's.

Reports are narrower than record visibility on purpose: a rep's report counts only what
the rep did, never a teammate's deals. A manager's teams are the teams they manage plus
their own; a manager with neither sees every team, like an admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.accounts.models import Team, User
from crm.accounts.roles import Role, has_role

# Who may hold a report's figures, unless the report says otherwise (see ``Report.people_roles``).
PEOPLE_ROLES = (Role.SALES_REP, Role.TELEMARKETER, Role.MANAGER)


@dataclass(frozen=True)
class Scope:
    user: User
    everyone: bool
    team_ids: frozenset[int]

    @property
    def own_only(self) -> bool:
        return not self.everyone and not self.team_ids

    def condition(self, *, owner: str, team: str) -> Q | None:
        """The Q that keeps the viewer's records; None when they see everyone's."""
        if self.everyone:
            return None
        mine = Q(**{f"{owner}_id": self.user.pk})
        if self.team_ids:
            return mine | Q(**{f"{team}_id__in": sorted(self.team_ids)})
        return mine

    def apply(self, queryset: QuerySet, *, owner: str, team: str) -> QuerySet:
        condition = self.condition(owner=owner, team=team)
        return queryset if condition is None else queryset.filter(condition)

    def people(self, roles: tuple[str, ...] = PEOPLE_ROLES) -> QuerySet:
        """Whom the rep filter offers: everyone with one of ``roles`` within the scope."""
        people = User.objects.filter(groups__name__in=list(roles)).distinct()
        if self.everyone:
            return people
        if self.team_ids:
            return people.filter(Q(team_id__in=self.team_ids) | Q(pk=self.user.pk))
        return User.objects.filter(pk=self.user.pk)

    def members(self) -> QuerySet:
        """The people whose own work (activities) the viewer sees: a list of ids lets the
        database read a period of each one's activities from its index."""
        if self.everyone:
            return User.objects.all()
        if self.team_ids:
            return User.objects.filter(Q(team_id__in=self.team_ids) | Q(pk=self.user.pk))
        return User.objects.filter(pk=self.user.pk)

    def teams(self) -> QuerySet:
        teams = Team.objects.all()
        return teams if self.everyone else teams.filter(pk__in=self.team_ids)


def scope_for(user: User) -> Scope:
    if has_role(user, Role.ADMIN):
        return Scope(user, everyone=True, team_ids=frozenset())
    if has_role(user, Role.MANAGER):
        team_ids = set(Team.objects.filter(manager=user).values_list("pk", flat=True))
        if user.team_id:
            team_ids.add(user.team_id)
        return Scope(user, everyone=not team_ids, team_ids=frozenset(team_ids))
    return Scope(user, everyone=False, team_ids=frozenset())
