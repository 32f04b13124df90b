"""Comments on a record: its comments URL, and a comment's text with its @mentions marked."""

from __future__ import annotations

from django import template
from django.db import models
from django.urls import reverse
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

from crm.accounts.models import Comment
from crm.accounts.templatetags.mentions import marked_mentions

register = template.Library()


@register.simple_tag
def comments_url(record: models.Model) -> str:
    meta = record._meta
    return reverse("accounts:comments", args=[meta.app_label, meta.model_name, record.pk])


@register.filter
def with_mentions(comment: Comment) -> SafeString:
    """The comment's text, escaped, in paragraphs, with the people it mentions in bold."""
    return mark_safe(linebreaks(marked_mentions(comment)))  # noqa: S308 - escaped by marked_mentions
