"""Values computed once and shared by every process until the rows behind them change.

A ``Generation`` names a family of cached values (customer counts, dropdown options). Saving
or deleting a row of a model it watches starts a new generation, and values remembered under
an older one are never used again. A change starts a new generation twice: at once, so the
same transaction reads its own change, and after the commit, so a value that another request
computed from the old rows in between is not kept.

Only with ``CRM_SHARED_CACHE`` on (a cache that every process reads: Redis). With a cache of
its own per process, a change made by a worker or a command would not reach the web server.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


class Generation:
    def __init__(self, name: str, *, timeout: int = 3600) -> None:
        self.name = name
        self.key = f"generation:{name}"
        self.timeout = timeout
        self.watched: set[type[models.Model]] = set()

    def watch(self, *watched: type[models.Model], ignore: Iterable[str] = ()) -> None:
        """Start a new generation whenever a row of these models is created, deleted or saved.

        A save that names its ``update_fields``, all of them in ``ignore``, keeps the
        generation (a login stamping ``last_login`` changes no dropdown).
        """
        ignored = frozenset(ignore)

        def saved(sender, created=False, update_fields=None, **kwargs):
            if created or update_fields is None or not set(update_fields) <= ignored:
                self.bump()

        def changed(sender, **kwargs):
            self.bump()

        for model in watched:
            uid = f"{self.key}:{model._meta.label_lower}"
            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
            self.watched.add(model)

    def watch_links(self, *through_models: type[models.Model]) -> None:
        """Also start a new generation when rows are linked or unlinked (many-to-many ``add``)."""

        def linked(sender, action, **kwargs):
            if action in {"post_add", "post_remove", "post_clear"}:
                self.bump()

        for through in through_models:
            uid = f"{self.key}:{through._meta.label_lower}:links"
            m2m_changed.connect(linked, sender=through, weak=False, dispatch_uid=uid)

    def bump(self) -> None:
        """Forget every value of this family (call after writes that send no signals: bulk_create)."""
        if not settings.CRM_SHARED_CACHE:
            return
        self._new_token()
        transaction.on_commit(self._new_token)

    def _new_token(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, None)

    def fetch(self, computes: dict[str, Callable[[], Any]]) -> dict[str, Any]:
        """The value of each key, from the cache when this generation has it, else computed.

        One round trip to the cache for all the keys, one more to store what was computed.
        """
        if not settings.CRM_SHARED_CACHE:
            return {key: compute() for key, compute in computes.items()}
        names = {key: f"{self.name}:{key}" for key in computes}
        found = cache.get_many([self.key, *names.values()])
        token = found.get(self.key)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(self.key, token, None):
                token = cache.get(self.key, token)
        values, fresh = {}, {}
        for key, compute in computes.items():
            entry = found.get(names[key])
            if entry is not None and entry[0] == token:
                values[key] = entry[1]
            else:
                values[key] = compute()
                fresh[names[key]] = (token, values[key])
        if fresh:
            cache.set_many(fresh, self.timeout)
        return values

    def remember(self, queryset: models.QuerySet, compute: Callable[[], Any], *extra: str) -> Any:
        """``compute()``, shared under the name of the rows ``queryset`` selects (and ``extra``).

        Computed each time for a queryset that can match nothing.
        """
        key = query_key(queryset, *extra)
        if key is None:
            return compute()
        return self.fetch({key: compute})[key]


def query_key(queryset: models.QuerySet, *extra: str) -> str | None:
    """A short key naming the rows a queryset selects (its SQL and parameters); ``None`` for
    a queryset that can match nothing, which has no SQL (``.none()``)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return hashlib.blake2b(repr((sql, params, extra)).encode(), digest_size=16).hexdigest()
