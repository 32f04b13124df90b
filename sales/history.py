"""Figures read from the deals and their stage history, shared between requests.

The pipeline report's funnel and time in stage read every stage change of the deals in view:
over a year of a busy pipeline, most of the page's time. What they found is remembered (see
``crm.caching``) until a deal, a stage change or a stage is created, saved or deleted. Writes
that send no signals (bulk inserts) call ``pipeline_history.bump()``. The opportunity list's
unfiltered totals, the board's column totals and the forecast's figures are remembered the
same way (``remembered``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from crm.caching import Generation

pipeline_history = Generation("pipeline-history", timeout=600)


def remembered(
    name: str, queryset: QuerySet, compute: Callable[[], Any] | None = None, *, extra: tuple = ()
) -> Any:
    """``compute()`` (by default the rows of ``queryset``), shared between requests until a
    deal, a stage change or a stage changes; ``queryset``'s SQL (and ``extra``) names the value.

    Only for figures of the deals' own columns (and their stages): a change of a customer
    or a user starts no new generation.
    """
    compute = compute or (lambda: list(queryset))
    return pipeline_history.remember(queryset, compute, name, *map(str, extra))
