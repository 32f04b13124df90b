"""Concurrent scoring runs on PostgreSQL: one snapshot per run, never half-written, last publisher wins."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from contacts.models import CustomerValue
from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot
from crm.insights.rfm.reports import current_snapshot
from crm.insights.rfm.scoring import score_customers
from tests.insights.rfm_data import AS_OF, build_data_set

pytestmark = [
    # Serialized like every transactional test here: its flush then leaves the content types
    # to the next test's restore instead of recreating them (a duplicate-key error).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def in_thread(results: list, **kwargs) -> threading.Thread:
    def work():
        try:
            results.append(score_customers(**kwargs))
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def published_values() -> dict[int, tuple]:
    return {value.customer_id: (value.segment, value.score) for value in CustomerValue.objects.all()}


def scores_of(snapshot: RfmSnapshot) -> dict[int, tuple]:
    return {
        score.customer_id: (score.segment, score.value_score)
        for score in RfmScore.objects.filter(snapshot=snapshot)
    }


def test_readers_see_the_previous_snapshot_until_the_new_one_is_published():
    build_data_set()
    first = score_customers(as_of=AS_OF)
    before = published_values()
    results: list = []

    with transaction.atomic():
        # Hold the publishing lock, as a run that is publishing would.
        RfmSettings.objects.select_for_update().get(pk=1)
        thread = in_thread(results, as_of=AS_OF, window_months=3)
        wait_for(lambda: RfmSnapshot.objects.filter(is_complete=False).exists())
        time.sleep(0.3)  # let it reach the lock

        assert current_snapshot() == first
        assert published_values() == before
        assert not results

    thread.join(timeout=30)
    (second,) = results
    assert current_snapshot() == second
    assert published_values() == scores_of(second)
    assert len(published_values()) == 7


def test_two_runs_at_once_each_write_one_complete_snapshot_and_the_last_to_publish_wins():
    build_data_set()
    results: list = []

    threads = [
        in_thread(results, as_of=AS_OF),
        in_thread(results, as_of=date(2026, 7, 31), window_months=3),
    ]
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 2
    snapshots = list(RfmSnapshot.objects.order_by("finished_at"))
    assert len(snapshots) == 2
    assert all(snapshot.is_complete for snapshot in snapshots)
    last = snapshots[-1]
    assert current_snapshot() == last
    assert published_values() == scores_of(last)
    assert last.previous == snapshots[0]
