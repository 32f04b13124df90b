"""``{{ quote|record_key }}`` → ``sales.quote``: how record pages name themselves to the files view."""

from __future__ import annotations

from django import template

from contacts import files

register = template.Library()


@register.filter
def record_key(record) -> str:
    return files.record_key(record)
