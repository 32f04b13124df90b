"""Score every customer (RFM) now: ``manage.py rfm_score [--as-of YYYY-MM-DD] [--window-months N]``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from crm.insights.models import RfmSnapshot
from crm.insights.rfm import scoring


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Score every customer with an order that counts (RFM), write the scores as a new snapshot "
        "and publish it. Safe to run twice or at the same time as the nightly job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Score as of this date (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--window-months",
            type=int,
            help="Count only orders of the last N months (0: all history); default from the RFM settings.",
        )

    def handle(self, *args, as_of=None, window_months=None, **options):
        if window_months is not None and not 0 <= window_months <= 1200:
            raise CommandError("--window-months must be between 0 (all history) and 1200.")
        snapshot = scoring.score_customers(
            as_of=iso_date(as_of) if as_of else None,
            window_months=window_months,
            trigger=RfmSnapshot.Trigger.COMMAND,
        )
        pruned = scoring.prune_snapshots()
        window = f"last {snapshot.window_months} months" if snapshot.window_months else "all history"
        self.stdout.write(
            f"Snapshot {snapshot.pk} as of {snapshot.as_of:%Y-%m-%d} ({window}): "
            f"{snapshot.customers_scored:,} customers, {snapshot.orders_counted:,} orders, "
            f"{snapshot.duration_ms:,} ms."
        )
        if pruned:
            self.stdout.write(f"Older snapshots pruned to their totals: {pruned}.")
