"""The demo users, one per role, shared by ``seed_demo`` and ``demo_logins``."""

from __future__ import annotations

from django.contrib.auth.models import Group

from crm.accounts.models import Team, User
from crm.accounts.roles import Role

DEMO_PASSWORD = "demo-crm-2026"  # noqa: S105 - demo data only, printed on purpose.

# username, first name, last name, role, team
DEMO_USERS = [
    ("ventas", "Valentina", "Rojas", Role.SALES_REP, "Bogotá"),
    ("ventas2", "Andrés", "Gómez", Role.SALES_REP, "Medellín"),
    ("telemercadeo", "Camila", "Pérez", Role.TELEMARKETER, "Bogotá"),
    ("mercadeo", "Julián", "Martínez", Role.MARKETING, None),
    ("servicio", "Laura", "Castro", Role.SERVICE_AGENT, "Bogotá"),
    ("contabilidad", "Diego", "Herrera", Role.ACCOUNTING, None),
    ("gerente", "Mariana", "López", Role.MANAGER, None),
    ("admin", "Sofía", "Ramírez", Role.ADMIN, None),
]


def ensure_demo_users() -> list[User]:
    """Create (or reset) the demo users and their teams; safe to run twice."""
    users = []
    for username, first_name, last_name, role, team_name in DEMO_USERS:
        team = Team.objects.get_or_create(name=team_name)[0] if team_name else None
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.example.com",
                "team": team,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role)])
        users.append(user)
    for team in Team.objects.filter(manager__isnull=True):
        team.manager = User.objects.get(username="gerente")
        team.save(update_fields=["manager"])
    return users
