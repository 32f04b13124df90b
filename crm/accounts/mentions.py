"""@mentions in what employees write (comments on records, messages in conversations).

One parser for all of them: ``MENTION`` finds the names, ``named_people`` the active users
behind them, and ``mark_mentions`` shows the people actually mentioned in bold. Who may be
notified is each caller's rule (who sees the record, who is in the conversation).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from django.db.models.functions import Lower
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from crm.accounts.models import User

# More names than this in one text is a list, not a mention; the rest are not notified.
MAX_MENTIONS = 20
# @username, as Django's usernames allow, not inside a word or an email address; a trailing
# full stop or comma belongs to the sentence.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")


def mentioned_names(body: str) -> list[str]:
    """The distinct @usernames in ``body``, in the order written, case kept as typed."""
    seen: dict[str, str] = {}
    for name in MENTION.findall(body):
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def named_people(body: str) -> tuple[list[User], list[str]]:
    """The active users ``body`` names, in the order written, and the names that match nobody.

    Only the first ``MAX_MENTIONS`` names are looked up.
    """
    wanted = {name.lower(): name for name in mentioned_names(body)[:MAX_MENTIONS]}
    if not wanted:
        return [], []
    people = list(
        User.objects.annotate(lower_username=Lower("username")).filter(
            lower_username__in=wanted, is_active=True
        )
    )
    order = list(wanted)
    people.sort(key=lambda person: order.index(person.lower_username))
    found = {person.lower_username for person in people}
    return people, [name for key, name in wanted.items() if key not in found]


def mark_mentions(body: str, usernames: Collection[str]) -> SafeString:
    """``body`` escaped, with each @username of ``usernames`` (any case) in bold; lines left as they are."""
    mentioned = {username.lower() for username in usernames}

    def mark(match: re.Match) -> str:
        if match[1].lower() not in mentioned:
            return match[0]
        return format_html('<strong class="mention">@{}</strong>', match[1])

    # Escaping first leaves usernames untouched (letters, digits and . + - _ need no escaping).
    return mark_safe(MENTION.sub(mark, escape(body)))  # noqa: S308 - the text was escaped above
