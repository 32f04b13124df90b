"""Scoring runs written directly, with the totals the scoring job keeps, for the value tests."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from crm.insights.models import RfmScore, RfmSnapshot


def run(as_of: date, scores: dict, previous: RfmSnapshot | None = None) -> RfmSnapshot:
    """A published run with ``scores`` ({customer: segment}) and the totals scoring keeps."""
    finished = datetime(as_of.year, as_of.month, as_of.day, 23, tzinfo=UTC)
    snapshot = RfmSnapshot.objects.create(
        as_of=as_of, recency_weight=30, frequency_weight=10, monetary_weight=60,
        trigger=RfmSnapshot.Trigger.SCHEDULE, started_at=finished, finished_at=finished, is_complete=True,
        customers_scored=len(scores), segment_counts=dict(Counter(scores.values())), previous=previous,
    )  # fmt: skip
    RfmScore.objects.bulk_create(
        RfmScore(
            snapshot=snapshot, customer=customer, recency_days=1, frequency=1, monetary=Decimal(1),
            r_score=3, f_score=3, m_score=3, value_score=Decimal(3), segment=segment,
        )
        for customer, segment in scores.items()
    )  # fmt: skip
    if previous is not None:
        before = {score.customer_id: score.segment for score in previous.scores.all()}
        after = {customer.pk: segment for customer, segment in scores.items()}
        moved = Counter((before.get(pk), after.get(pk)) for pk in set(before) | set(after))
        snapshot.movements = [[was, now, count] for (was, now), count in moved.items()]
        snapshot.save(update_fields=["movements"])
    return snapshot
