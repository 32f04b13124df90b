"""Dropdown options of small tables (owners, teams, tags, stages...), shared between requests.

A list page's filter bar has half a dozen such dropdowns, each a query on every request
although the tables hardly change. Their options are cached per query and language until a
row of a watched table is saved or deleted (see ``crm.caching``). Each app watches the
tables its dropdowns list, in its ``AppConfig.ready``; an unwatched table is always queried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language

from crm.caching import Generation, query_key

lookup_tables = Generation("lookups")

Choices = list[tuple[object, str]]


def _options(field: forms.ModelChoiceField) -> Choices:
    return [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]


def model_choices(fields: list[forms.ModelChoiceField]) -> list[Choices]:
    """The options of each field (empty label first), all cached ones read in one round trip."""
    language = get_language() or ""
    keys = [
        query_key(field.queryset, language) if field.queryset.model in lookup_tables.watched else None
        for field in fields
    ]
    pairs = list(zip(keys, fields, strict=True))
    computes = {key: (lambda field=field: _options(field)) for key, field in pairs if key}
    cached = lookup_tables.fetch(computes) if computes else {}
    result = []
    for key, field in pairs:
        options = cached[key] if key else _options(field)
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        result.append(empty + options)
    return result


def row_choices(queryset: QuerySet, label: Callable[[Any], str] = str) -> Choices:
    """``(str(pk), label(row))`` of each row, for a dropdown built by hand; cached likewise."""

    def rows() -> Choices:
        return [(str(row.pk), label(row)) for row in queryset]

    if queryset.model not in lookup_tables.watched:
        return rows()
    return lookup_tables.remember(queryset, rows, get_language() or "")


class LookupOptions:
    """The options of several dropdowns, read together when the first of them is rendered.

    A page that never renders them (an export reusing the list's filters) costs nothing.
    """

    def __init__(self, fields: list[forms.ModelChoiceField]) -> None:
        self.fields = fields
        self._options: list[Choices] | None = None

    def of(self, field: forms.ModelChoiceField) -> Iterable[tuple[object, str]]:
        index = self.fields.index(field)
        return _Deferred(lambda: self._all()[index])

    def _all(self) -> list[Choices]:
        if self._options is None:
            self._options = model_choices(self.fields)
        return self._options


class _Deferred(BaseChoiceIterator):
    """Options read on first use; a choice iterator, so Django takes them as they are."""

    def __init__(self, load: Callable[[], Choices]) -> None:
        self.load = load

    def __iter__(self):
        return iter(self.load())
