"""What employees write, shown with the people it mentions in bold."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from crm.accounts.mentions import mark_mentions
from crm.accounts.models import Comment, Message

register = template.Library()


@register.filter
def marked_mentions(written: Comment | Message) -> SafeString:
    """The text of a comment or message, escaped, with the people it mentions in bold.

    Reads ``written.mentioned``: prefetch it for a list.
    """
    return mark_mentions(written.body, [user.username for user in written.mentioned.all()])
