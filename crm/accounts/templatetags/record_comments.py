"""Comments on a record: its comments URL, and a comment's text with its @mentions marked."""

from __future__ import annotations

import re

from django import template
from django.db import models
from django.urls import reverse
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

from crm.accounts.comments import MENTION
from crm.accounts.models import Comment

register = template.Library()


@register.simple_tag
def comments_url(record: models.Model) -> str:
    meta = record._meta
    return reverse("accounts:comments", args=[meta.app_label, meta.model_name, record.pk])


@register.filter
def with_mentions(comment: Comment) -> SafeString:
    """The comment's text, escaped, with the people it mentions in bold."""
    mentioned = {user.username.lower() for user in comment.mentioned.all()}

    def mark(match: re.Match) -> str:
        if match[1].lower() not in mentioned:
            return match[0]
        return format_html('<strong class="mention">@{}</strong>', match[1])

    # Escaping first leaves usernames untouched (letters, digits and . + - _ need no escaping).
    marked = MENTION.sub(mark, escape(comment.body))
    return mark_safe(linebreaks(marked))  # noqa: S308 - the text was escaped above
