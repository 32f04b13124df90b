"""Form widgets shared by list pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django_filters.widgets import BaseCSVWidget

from contacts.choices import LookupOptions


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
                    f'<optgroup label="{conditional_escape(option_value)}">'
                    f"{self._options(label, selected)}</optgroup>"
                )
            else:
                groups.append(self._options([(option_value, label)], selected))
        html = f'<select name="{escape(name)}"{flatatt(final_attrs)}>{"".join(groups)}</select>'
        return mark_safe(html)  # noqa: S308 (names, values and labels are escaped as they are written)

    @staticmethod
    def _options(choices, selected: set[str]) -> str:
        # Escaped here, joined without format_html: a dropdown can have hundreds of options.
        rows = []
        for option_value, label in choices:
            text_value = "" if option_value is None else str(option_value)
            chosen = " selected" if text_value in selected else ""
            rows.append(f'<option value="{escape(text_value)}"{chosen}>{conditional_escape(label)}</option>')
        return "".join(rows)


class QuickCSVSelect(BaseCSVWidget, QuickSelect):
    """A sort dropdown (django-filter's ordering, values like ``-city``) written by QuickSelect."""


def compact_filter_widgets(form: forms.Form) -> None:
    """Small Bootstrap widgets for a filter bar.

    Plain dropdowns are written by ``QuickSelect``; those listing a table's rows take their
    options from the shared cache (``contacts.choices``) instead of a query per request.
    """
    lookups = [
        field
        for field in form.fields.values()
        if type(field.widget) is forms.Select and isinstance(field, forms.ModelChoiceField)
    ]
    options = LookupOptions(lookups)
    select = {"class": "form-select form-select-sm"}
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            choices = options.of(field) if field in lookups else field.choices
            field.widget = QuickSelect(attrs=select, choices=choices)
        elif isinstance(field.widget, BaseCSVWidget) and isinstance(field.widget, forms.Select):
            field.widget = QuickCSVSelect(attrs=select, choices=field.choices)
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.update(select)
        else:
            field.widget.attrs["class"] = "form-control form-control-sm"
