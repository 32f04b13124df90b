"""Whose calendar a viewer may open: their own, their team's and teammates'; supervisors anyone's.

Entries are always limited to the records the viewer may see as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from crm.accounts.models import Team, User
from crm.accounts.roles import Role, is_supervisor

ME = "me"


@dataclass(frozen=True)
class Scope:
    value: str
    label: str
    people: list[int]


def _teams_and_people(viewer: User) -> tuple[list[Team], list[User]]:
    people = User.objects.filter(is_active=True, groups__name__in=Role.values).distinct()
    if is_supervisor(viewer):
        return list(Team.objects.all()), list(people)
    if viewer.team_id is None:
        return [], []
    return list(Team.objects.filter(pk=viewer.team_id)), list(people.filter(team_id=viewer.team_id))


def scopes_for(viewer: User) -> list[Scope]:
    """Every calendar ``viewer`` may open, their own first (two queries)."""
    teams, people = _teams_and_people(viewer)
    members: dict[int, list[int]] = {}
    for person in people:
        if person.team_id is not None:
            members.setdefault(person.team_id, []).append(person.pk)
    found = [Scope(ME, _("My calendar"), [viewer.pk])]
    found += [
        Scope(f"team-{team.pk}", _("Team %(team)s") % {"team": team}, members.get(team.pk, []))
        for team in teams
    ]
    found += [
        Scope(f"user-{person.pk}", str(person), [person.pk]) for person in people if person.pk != viewer.pk
    ]
    return found


def pick(scopes: list[Scope], value: str) -> Scope | None:
    return next((scope for scope in scopes if scope.value == value), None)
