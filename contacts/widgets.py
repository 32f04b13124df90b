"""Form widgets shared by list pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def _options_html(options) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((option["value"], " selected" if option["selected"] else "", option["label"]) for option in options),
    )


class QuickSelect(forms.Select):
    """A ``<select>`` built in Python rather than from a template per ``<option>``.

    Django renders every option through a template include, which made the filter bar
    the costliest part of a list page (see docs/benchmarks.md). Same HTML, same context.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = [
            format_html('<optgroup label="{}">{}</optgroup>', group, _options_html(options))
            if group
            else _options_html(options)
            for group, options, _index in widget["optgroups"]
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((group,) for group in groups)),
        )
