"""Private calendar addresses: a secret token per user that calendar apps subscribe with.

One address is live per user; issuing a new one revokes the old, which then answers 404.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import CalendarFeedToken, User


def active_feed_token(user: User) -> CalendarFeedToken | None:
    return user.calendar_feed_tokens.filter(revoked_at__isnull=True).first()


@transaction.atomic
def issue_calendar_feed_token(*, user: User) -> CalendarFeedToken:
    """A new private address for ``user``; the previous one stops working at once."""
    # Two clicks at once queue on the user's row instead of racing to the unique constraint.
    User.objects.select_for_update().filter(pk=user.pk).first()
    revoke_calendar_feed_token(user=user)
    return CalendarFeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))


def revoke_calendar_feed_token(*, user: User) -> int:
    """Stop ``user``'s private address from working; returns how many were live (0 or 1)."""
    return user.calendar_feed_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_owner(token: str) -> User | None:
    """The active user whose live address holds ``token``, or None."""
    found = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return found.user if found else None
