"""Form widgets shared by list pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single ``<select>`` written straight from its choices.

    Django builds a context dict per ``<option>`` and renders each through a template,
    which made the filter bar the costliest part of a list page (see docs/benchmarks.md).
    The HTML is the same as ``forms.Select``'s.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, attrs)
        groups = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                groups.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>', option_value, self._options(label, selected)
                    )
                )
            else:
                groups.append(self._options([(option_value, label)], selected))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            format_html_join("", "{}", ((group,) for group in groups)),
        )

    @staticmethod
    def _options(choices, selected: set[str]) -> str:
        rows = []
        for option_value, label in choices:
            text_value = "" if option_value is None else str(option_value)
            rows.append((text_value, " selected" if text_value in selected else "", label))
        return format_html_join("", '<option value="{}"{}>{}</option>', rows)
