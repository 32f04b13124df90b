"""Figures read from the deals and their stage history, shared between requests.

The pipeline report's funnel and time in stage read every stage change of the deals in view:
over a year of a busy pipeline, most of the page's time. What they found is remembered (see
``crm.caching``) until a deal, a stage change or a stage is created, saved or deleted. Writes
that send no signals (bulk inserts) call ``pipeline_history.bump()``.
"""

from __future__ import annotations

from crm.caching import Generation

pipeline_history = Generation("pipeline-history", timeout=600)
