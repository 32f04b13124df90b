"""What departments add to a customer's files, registered from their AppConfig.ready().

The hub never imports a department. Two small registries let them take part:

- ``document_targets``: models that carry documents besides the customer itself (an
  opportunity, a quote, an email). Each has ``objects.visible_to(user)`` and ``customer_id``;
  a document on a record is shown to whoever may see the record.
- ``customer_file_sources``: functions that list a customer's generated files (a sent
  quote's PDF, an invoice's PDF) as ``GeneratedFile`` rows with their own links, so that
  the customer's files page lists everything without knowing where each file comes from.
  Each source answers with one query, whatever the number of files.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db import models

    from contacts.models import Customer
    from crm.accounts.models import User


@dataclass(frozen=True)
class GeneratedFile:
    """A file a department makes (a PDF), linked where that department serves it."""

    name: str
    url: str
    kind: str
    record: str
    record_url: str
    date: datetime.date


def record_key(model: type[models.Model] | models.Model) -> str:
    """``sales.quote``: how a record's model is named in URLs."""
    return f"{model._meta.app_label}.{model._meta.model_name}"


@dataclass
class DocumentTargets:
    # key: (model, whether people may upload to it; an email's attachments come with it)
    _models: dict[str, tuple[type[models.Model], bool]] = field(default_factory=dict)

    def register(self, model: type[models.Model], *, uploads: bool = True) -> type[models.Model]:
        self._models[record_key(model)] = (model, uploads)
        return model

    def unregister(self, model: type[models.Model]) -> None:
        self._models.pop(record_key(model), None)

    def models(self) -> list[type[models.Model]]:
        return [model for model, _uploads in self._models.values()]

    def for_uploads(self, key: str) -> type[models.Model] | None:
        """The model named ``key`` when people may attach files to its records."""
        model, uploads = self._models.get(key, (None, False))
        return model if uploads else None


FileSource = Callable[["User", "Customer"], Iterable[GeneratedFile]]


@dataclass
class CustomerFileSources:
    _sources: list[FileSource] = field(default_factory=list)

    def register(self, source: FileSource) -> FileSource:
        if source not in self._sources:
            self._sources.append(source)
        return source

    def unregister(self, source: FileSource) -> None:
        self._sources = [s for s in self._sources if s is not source]

    @contextmanager
    def register_temporarily(self, source: FileSource) -> Iterator[None]:
        self.register(source)
        try:
            yield
        finally:
            self.unregister(source)

    def files(self, user: User, customer: Customer) -> list[GeneratedFile]:
        """Every source's files for this customer that ``user`` may see, newest first."""
        found = [file for source in self._sources for file in source(user, customer)]
        return sorted(found, key=lambda file: file.date, reverse=True)


document_targets = DocumentTargets()
customer_file_sources = CustomerFileSources()
