"""Write the current RFM snapshot as CSV: ``manage.py rfm_export --out PATH``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.insights.rfm import export
from crm.insights.rfm.reports import current_snapshot


class Command(BaseCommand):
    help = (
        "Write the latest RFM snapshot as CSV (UTF-8) with the columns customer_ref, recency_days, "
        "frequency, monetary, r_score, f_score, m_score, value_score, segment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The CSV file to write ('-' for standard output).")

    def handle(self, *args, out, **options):
        snapshot = current_snapshot()
        if snapshot is None:
            raise CommandError("No scores yet: run `manage.py rfm_score` first.")
        lines = export.csv_lines(export.snapshot_rows(snapshot))
        if out == "-":
            for piece in lines:
                self.stdout.write(piece, ending="")
            return
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        # Written beside the target and renamed, so a reader never sees half a file.
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as file:
                file.writelines(lines)
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Could not write {path}: {error.strerror}.") from error
        self.stdout.write(
            f"{snapshot.customers_scored:,} customers as of {snapshot.as_of:%Y-%m-%d} written to {path}."
        )
