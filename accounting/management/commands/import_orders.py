"""``manage.py import_orders PATH [--dry-run]``: the order-history import, from a terminal."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounting import importing
from accounting.importing.preview import Preview
from crm.accounts.models import User

MAX_LISTED_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import order history from a CSV with the columns customer_ref, customer_name, order_date, "
        "order_number, total: all of it, or nothing when a row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what would happen."
        )
        parser.add_argument(
            "--user", help="Username recorded as the importer; also the owner of the customers it creates."
        )

    def handle(self, *args, path: str, dry_run: bool, user: str | None, **options):
        by = self.importer(user)
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        try:
            order_file = importing.read_csv(data)
        except importing.ImportFileError as error:
            raise CommandError(str(error)) from error
        if dry_run:
            preview = importing.validate(order_file)
            self.fail_on_errors(preview)
            self.report_dry_run(preview)
            return
        try:
            outcome = importing.import_orders(order_file=order_file, by=by, file_name=Path(path).name)
        except importing.OrderImportError as error:
            if error.preview is not None:
                self.fail_on_errors(error.preview)
            raise CommandError(str(error)) from error
        self.report(outcome)

    def importer(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user is called %(username)s.") % {"username": username})
        return user

    def fail_on_errors(self, preview: Preview) -> None:
        if not preview.errors:
            return
        for row in preview.errors[:MAX_LISTED_ERRORS]:
            for column, message in row.errors:
                self.stderr.write(
                    _("Row %(row)s, %(column)s: %(message)s")
                    % {"row": row.number, "column": column, "message": message}
                )
        more = len(preview.errors) - MAX_LISTED_ERRORS
        if more > 0:
            self.stderr.write(
                ngettext(
                    "… and %(count)s more row with errors.", "… and %(count)s more rows with errors.", more
                )
                % {"count": more}
            )
        raise CommandError(
            ngettext(
                "%(count)s of %(rows)s rows has errors. Nothing was imported: fix the file and run again.",
                "%(count)s of %(rows)s rows have errors. Nothing was imported: fix the file and run again.",
                len(preview.errors),
            )
            % {"count": len(preview.errors), "rows": len(preview.rows)}
        )

    def skipped(self, numbers: list[str]) -> None:
        if not numbers:
            self.stdout.write(_("Skipped no orders: none was imported before."))
            return
        message = ngettext(
            "Skipped %(count)s order already imported: %(numbers)s",
            "Skipped %(count)s orders already imported: %(numbers)s",
            len(numbers),
        )
        self.stdout.write(message % {"count": len(numbers), "numbers": ", ".join(numbers)})

    def report_dry_run(self, preview: Preview) -> None:
        summary = preview.summary()
        self.stdout.write(_("Dry run: nothing was written."))
        message = ngettext(
            "Would import %(count)s order (%(without)s without a number) from %(rows)s rows.",
            "Would import %(count)s orders (%(without)s without a number) from %(rows)s rows.",
            summary["order_count"],
        )
        self.stdout.write(
            message
            % {
                "count": summary["order_count"],
                "without": summary["without_number_count"],
                "rows": summary["row_count"],
            }
        )
        self.skipped(preview.skipped_numbers)
        self.look_alikes(preview)
        self.new_customers(list(preview.new_customers.items()), would=True)

    def report(self, outcome: importing.ImportOutcome) -> None:
        if outcome.imported:
            message = ngettext(
                "Imported %(count)s order (%(without)s without a number) as %(batch)s.",
                "Imported %(count)s orders (%(without)s without a number) as %(batch)s.",
                outcome.imported,
            )
            without = outcome.preview.summary()["without_number_count"]
            self.stdout.write(
                message % {"count": outcome.imported, "without": without, "batch": outcome.batch}
            )
        else:
            self.stdout.write(_("Imported no orders: the file has nothing new."))
        self.skipped(outcome.skipped_numbers)
        self.look_alikes(outcome.preview)
        self.new_customers(
            [(customer.external_ref, customer.legal_name) for customer in outcome.new_customers]
        )

    def look_alikes(self, preview: Preview) -> None:
        count = preview.summary()["look_alike_count"]
        if count:
            message = ngettext(
                "Warning: %(count)s row without an order number is like an order imported before "
                "(same customer, date and total); rows without a number are imported every time.",
                "Warning: %(count)s rows without an order number are like orders imported before "
                "(same customer, date and total); rows without a number are imported every time.",
                count,
            )
            self.stderr.write(message % {"count": count})

    def new_customers(self, customers: list[tuple[str, str]], *, would: bool = False) -> None:
        if not customers:
            self.stdout.write(_("Would create no customers.") if would else _("Created no customers."))
            return
        if would:
            message = ngettext(
                "Would create %(count)s new customer: %(names)s",
                "Would create %(count)s new customers: %(names)s",
                len(customers),
            )
        else:
            message = ngettext(
                "Created %(count)s new customer: %(names)s",
                "Created %(count)s new customers: %(names)s",
                len(customers),
            )
        names = ", ".join(f"{name} ({ref})" for ref, name in customers)
        self.stdout.write(message % {"count": len(customers), "names": names})
