"""Whose cards show on a dashboard: the person's saved choice, else their roles' defaults.

A saved card the person may no longer add (their role changed) or that no longer exists
is left out when shown, and kept in the saved row until they save again.
"""

from __future__ import annotations

from django.db import transaction

from crm.accounts.models import User
from crm.accounts.roles import Role, roles_of
from crm.insights.dashboard.models import DashboardLayout
from crm.insights.dashboard.registry import CARDS, DEFAULTS, Card


def available_cards(user: User) -> list[Card]:
    """The cards ``user`` may put on their dashboard, in the registry's order."""
    return [card for card in CARDS.values() if card.allowed(user)]


def default_slugs(user: User) -> list[str]:
    """The default cards of each of the user's roles, in the roles' order, each once.

    A superuser without a role starts as an admin (every role would be every card).
    """
    roles = roles_of(user) or ({Role.ADMIN} if user.is_superuser else set())
    slugs: list[str] = []
    for role in Role.values:
        if role in roles:
            slugs += [slug for slug in DEFAULTS.get(role, []) if slug not in slugs]
    return slugs


def chosen_slugs(user: User) -> tuple[list[str], bool]:
    """The card codes the user's dashboard shows, and whether they chose them."""
    saved = DashboardLayout.objects.filter(user=user).values_list("cards", flat=True).first()
    if saved is None:
        return default_slugs(user), False
    return list(saved), True


def cards_for(user: User) -> tuple[list[Card], bool]:
    slugs, chosen = chosen_slugs(user)
    return [CARDS[slug] for slug in slugs if slug in CARDS and CARDS[slug].allowed(user)], chosen


@transaction.atomic
def save_layout(*, user: User, slugs: list[str]) -> DashboardLayout:
    """Save the user's cards in this order; cards they may not add are dropped."""
    allowed = {card.slug for card in available_cards(user)}
    cards = list(dict.fromkeys(slug for slug in slugs if slug in allowed))
    layout, _created = DashboardLayout.objects.update_or_create(user=user, defaults={"cards": cards})
    return layout


def reset_layout(*, user: User) -> None:
    """Back to the roles' default cards."""
    DashboardLayout.objects.filter(user=user).delete()
