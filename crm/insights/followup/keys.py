"""The follow-up keys: inserted set-based, each by one run only."""

from __future__ import annotations

from collections.abc import Iterable

from crm.insights.followup.models import FollowUp, FollowUpRule, FollowUpRun

BATCH_SIZE = 1000


def insert_keys(rule: FollowUpRule, run: FollowUpRun, keys: Iterable[tuple[int, str]]) -> dict:
    """Insert the (customer, period) keys not there yet; {key: follow-up id} of those this run inserted.

    ``ON CONFLICT DO NOTHING`` skips the keys an earlier (or a concurrent) run inserted, so
    whatever the caller does next for the returned keys happens once.
    """
    rows = [
        FollowUp(rule=rule, customer_id=customer_id, period_key=period_key, fired_on=run.as_of, run=run)
        for customer_id, period_key in keys
    ]
    if not rows:
        return {}
    FollowUp.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    inserted = FollowUp.objects.filter(run=run, rule=rule).order_by("pk")
    return {
        (customer_id, key): pk
        for pk, customer_id, key in inserted.values_list("pk", "customer_id", "period_key")
    }
