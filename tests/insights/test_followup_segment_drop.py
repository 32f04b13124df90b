"""A customer whose value segment drops between the last two scorings gets a task, once per scoring."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from crm.insights.models import RfmScore, RfmSnapshot
from tests.factories import CustomerFactory
from tests.insights.followup_data import only, run, tasks_of

d = date


def snapshot(scores: dict, *, previous: RfmSnapshot | None = None) -> RfmSnapshot:
    """A published scoring with ``{customer: (segment, value score)}``."""
    finished = timezone.now() + timedelta(minutes=RfmSnapshot.objects.count())
    made = RfmSnapshot.objects.create(
        as_of=d(2026, 6, 30),
        recency_weight=30,
        frequency_weight=10,
        monetary_weight=60,
        trigger=RfmSnapshot.Trigger.SCHEDULE,
        started_at=finished,
        finished_at=finished,
        is_complete=True,
        previous=previous,
    )
    RfmScore.objects.bulk_create(
        RfmScore(
            snapshot=made,
            customer=customer,
            recency_days=1,
            frequency=1,
            monetary=Decimal(1),
            r_score=1,
            f_score=1,
            m_score=1,
            value_score=Decimal(score),
            segment=segment,
        )
        for customer, (segment, score) in scores.items()
    )
    return made


def test_a_drop_to_a_segment_worth_less_fires_once_per_scoring(rep):
    only("segment_drop")
    kiosko, andes, meta = (CustomerFactory(owner=rep) for _ in range(3))
    first = snapshot({kiosko: ("loyal", "4.7"), andes: ("new", "2.8"), meta: ("loyal", "3.8")})
    second = snapshot(
        {kiosko: ("at_risk", "2.2"), andes: ("potential", "3.7"), meta: ("loyal", "3.1")}, previous=first
    )

    run(d(2026, 7, 1))
    run(d(2026, 7, 1))
    run(d(2026, 7, 2))

    [task] = tasks_of(kiosko)
    assert task.title == "Value segment dropped from Loyal to At risk: find out why"
    assert task.assignee == rep
    assert tasks_of(andes) == []  # a new customer who bought again moved up
    assert tasks_of(meta) == []  # a lower score in the same segment is no drop

    snapshot({kiosko: ("lost", "1.2"), andes: ("potential", "3.7"), meta: ("loyal", "3.1")}, previous=second)
    run(d(2026, 7, 3))
    run(d(2026, 7, 4))

    latest = tasks_of(kiosko)[1]
    assert latest.title == "Value segment dropped from At risk to Lost: find out why"
    assert len(tasks_of(kiosko)) == 2


def test_nothing_fires_before_two_scorings_or_for_a_newly_scored_customer(rep):
    only("segment_drop")
    kiosko, newcomer = CustomerFactory(owner=rep), CustomerFactory(owner=rep)
    first = snapshot({kiosko: ("loyal", "4.7")})
    run(d(2026, 7, 1))
    assert tasks_of(kiosko) == []

    snapshot({kiosko: ("loyal", "4.7"), newcomer: ("lost", "1.0")}, previous=first)
    run(d(2026, 7, 2))

    assert tasks_of(kiosko) == tasks_of(newcomer) == []
