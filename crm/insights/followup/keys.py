"""The follow-up keys: inserted set-based, each by one run only."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from crm.insights.followup.models import FollowUp, FollowUpRule, FollowUpRun

BATCH_SIZE = 1000


def insert_keys(
    rule: FollowUpRule, run: FollowUpRun, keys: Iterable[tuple[int, str]], *, mailing_of: dict | None = None
) -> dict:
    """Insert the (customer, period) keys not there yet; {key: follow-up id} of those this run inserted.

    ``ON CONFLICT DO NOTHING`` skips the keys an earlier (or a concurrent) run inserted, so
    whatever the caller does next for the returned keys happens once.
    """
    rows = [
        FollowUp(
            rule=rule,
            customer_id=customer_id,
            period_key=period_key,
            fired_on=run.as_of,
            run=run,
            mailing_id=mailing_of[customer_id] if mailing_of else None,
        )
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


def link_tasks(pairs: list[tuple[int, int]]) -> None:
    """Set each follow-up's task from (follow-up id, task id) pairs, a thousand per UPDATE.

    ``bulk_update`` builds a CASE of one branch per row in Python, which took longer than
    creating the tasks; a VALUES list joined in the database takes a fraction of it.
    """
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    for start in range(0, len(pairs), BATCH_SIZE):
        batch = pairs[start : start + BATCH_SIZE]
        values = ", ".join(["(%s, %s)"] * len(batch))
        sql = (
            f"WITH linked (follow_up_id, task_id) AS (VALUES {values}) "  # noqa: S608 - only placeholders
            f"UPDATE {table} SET task_id = "
            f"(SELECT linked.task_id FROM linked WHERE linked.follow_up_id = {table}.id) "
            f"WHERE id IN (SELECT follow_up_id FROM linked)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [number for pair in batch for number in pair])
