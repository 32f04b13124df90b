"""Order history import: what lands in the CRM from a file, and what never does twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounting import importing
from accounting.models import Invoice, NumberSequence, Order
from accounting.services import AccountingError, create_invoice, create_order_from_quote
from contacts.models import Customer
from sales.models import InstalledProduct
from tests.accounting.factories import accepted_quote
from tests.factories import CustomerFactory

HEADER = "customer_ref,customer_name,order_date,order_number,total\n"


def import_text(text: str, *, by=None, file_name: str = "history.csv") -> importing.ImportOutcome:
    return importing.import_orders(order_file=importing.read_csv(text.encode()), by=by, file_name=file_name)


def preview_of(text: str) -> importing.Preview:
    return importing.validate(importing.read_csv(text.encode()))


def errors_by_row(preview: importing.Preview) -> dict[int, set[str]]:
    return {row.number: {column for column, _message in row.errors} for row in preview.errors}


@pytest.fixture
def known(db):
    """A customer the previous system calls C-1 (already linked) and one known only by tax id."""
    linked = CustomerFactory(legal_name="Ferretería El Tornillo S.A.S.", external_ref="C-1")
    by_tax_id = CustomerFactory(legal_name="Distribuidora Andina S.A.S.", tax_id="900123456-8")
    return linked, by_tax_id


def test_good_file_imports_every_order_as_history(accountant, known):
    linked, by_tax_id = known
    content = HEADER + (
        "C-1,Ferretería El Tornillo,2023-03-01,F-100,1250000.50\n"
        '900.123.456-8,Andina,2023-04-02,F-101,"99,9"\n'
        "C-9,Panadería La Espiga,2024-02-29,,0\n"
        "C-9,,2024-05-01T10:30:00,F-102,10\n"
    )

    outcome = import_text(content, by=accountant)

    assert outcome.imported == 4 and outcome.skipped_numbers == []
    orders = {order.number: order for order in Order.objects.all()}
    assert set(orders) == {"HIS-F-100", "HIS-F-101", "HIS-F-102", "PED-2024-00001"}
    assert orders["HIS-F-100"].customer == linked
    assert orders["HIS-F-100"].total == Decimal("1250000.50")
    assert orders["HIS-F-101"].customer == by_tax_id
    assert orders["HIS-F-101"].total == Decimal("99.90"), "a comma is a decimal mark too"
    free = orders["PED-2024-00001"]
    assert free.total == 0 and free.order_date == date(2024, 2, 29), "a zero total is a free order"
    assert orders["HIS-F-102"].order_date == date(2024, 5, 1)
    for order in orders.values():
        assert order.is_history and order.status == Order.Status.FULFILLED
        assert order.quote is None and order.created_by == accountant
        assert order.notes == f"Imported from history.csv ({outcome.batch})"
    assert not Invoice.objects.exists() and not InstalledProduct.objects.exists(), "history is not invoiced"

    new = Customer.objects.get(external_ref="C-9")
    assert [customer.pk for customer in outcome.new_customers] == [new.pk]
    assert (new.legal_name, new.is_imported) == ("Panadería La Espiga", True)
    assert (new.owner, new.team) == (accountant, None), "the importer owns the customers it creates"
    assert list(new.relationship_types.values_list("code", flat=True)) == ["customer"]
    assert list(Customer.objects.search("espiga")) == [new], "imported customers are found by the search box"
    assert new.history.get().history_user == accountant
    by_tax_id.refresh_from_db()
    assert by_tax_id.external_ref == "" and by_tax_id.history.count() == 1, "found by tax id, left as it was"
    assert not by_tax_id.is_imported and not linked.is_imported


def test_rows_without_number_take_gap_free_numbers_of_their_years_order_series(customer, accountant):
    made_in_the_crm = create_order_from_quote(quote=accepted_quote(customer=customer), by=accountant)
    year = made_in_the_crm.order_date.year
    content = HEADER + "".join(
        f"R-1,Ana,{day},,{total}\n"
        for day, total in ((f"{year}-01-01", 2), ("2019-12-31", 5), ("2019-03-04", 5), (f"{year}-01-01", 1))
    )

    import_text(content)

    numbers = dict(Order.objects.filter(is_history=True).values_list("number", "order_date"))
    assert numbers == {
        "PED-2019-00001": date(2019, 3, 4),
        "PED-2019-00002": date(2019, 12, 31),
        f"PED-{year}-00002": date(year, 1, 1),
        f"PED-{year}-00003": date(year, 1, 1),
    }, "earliest first within a year, after the CRM's own orders"
    assert Order.objects.get(number=f"PED-{year}-00002").total == 2, "same day: in the file's order"
    assert NumberSequence.objects.get(series=f"PED-{year}").last == 3
    later = create_order_from_quote(quote=accepted_quote(customer=customer), by=accountant)
    assert later.number == f"PED-{year}-00004"


def test_two_alike_rows_without_a_number_are_two_orders(db):
    import_text(HEADER + "R-1,Ana,2024-01-05,,100\nR-1,Ana,2024-01-05,,100\n")

    assert Order.objects.filter(total=100, order_date=date(2024, 1, 5)).count() == 2
    assert Customer.objects.filter(external_ref="R-1").count() == 1


def test_rows_without_a_number_like_history_already_imported_are_pointed_out(db):
    content = HEADER + "R-1,Ana,2024-01-05,,100\nR-1,Ana,2024-01-06,,100\n"
    import_text(HEADER + "R-1,Ana,2024-01-05,,100\n")

    preview = preview_of(content)

    assert [row.look_alike for row in preview.rows] == [True, False]
    assert "was imported before; without an order number this row is imported again" in preview.rows[0].note
    assert preview.summary()["look_alike_count"] == 1
    assert [row["row"] for row in preview.shown_rows() if row["look_alike"]] == [2]
    assert import_text(content).imported == 2, "a warning, not a refusal: equal purchases happen"


def test_importing_the_same_file_twice_adds_nothing_twice(accountant):
    content = HEADER + "R-1,Ana,2024-01-05,A-1,100\nR-2,Beto,2024-01-06,A-2,200\n"
    import_text(content, by=accountant)

    preview = preview_of(content)
    again = import_text(content, by=accountant)

    assert preview.count(importing.RowStatus.DUPLICATE) == 2
    assert "Already imported as order HIS-A-1; skipped." in preview.rows[0].note
    assert (again.imported, again.skipped_numbers) == (0, ["A-1", "A-2"])
    assert Order.objects.count() == 2 and Customer.objects.count() == 2
    assert NumberSequence.objects.get(series="IMP").last == 1, "a run that adds nothing leaves no trace"


def test_a_file_with_new_and_imported_orders_adds_only_the_new(db):
    import_text(HEADER + "R-1,Ana,2024-01-05,A-1,100\n")

    outcome = import_text(HEADER + "R-1,Ana,2024-01-05,A-1,100\nR-1,Ana,2024-02-05,A-2,300\n")

    assert (outcome.imported, outcome.skipped_numbers) == (1, ["A-1"])
    assert sorted(Order.objects.values_list("number", flat=True)) == ["HIS-A-1", "HIS-A-2"]


def test_the_same_number_twice_in_a_file_is_skipped_if_alike_and_an_error_if_not(db):
    alike = preview_of(HEADER + "R-1,Ana,2024-01-05,A-1,100\nR-1,Ana,2024-01-05,A-1,100.00\n")
    different = preview_of(HEADER + "R-1,Ana,2024-01-05,A-1,100\nR-1,Ana,2024-01-05,A-1,120\n")

    assert [row.status for row in alike.rows] == ["new", "duplicate"]
    assert alike.rows[1].note == "The same order as row 2; skipped."
    assert errors_by_row(different) == {3: {"order_number"}}


def test_unknown_customers_are_created_once_with_the_first_name_given(accountant):
    content = HEADER + (
        "N-1,,2024-01-01,,1\n"  # the name comes on a later row
        "N-1,Nueva Uno,2024-01-02,,1\n"
        "N-1,Otro nombre,2024-01-03,,1\n"
        "N-2,Nueva Dos,2024-01-03,,1\n"
    )

    preview = preview_of(content)
    outcome = import_text(content, by=accountant)

    assert preview.summary()["new_customer_count"] == 2
    assert preview.rows[0].note == "New customer Nueva Uno."
    assert sorted(Customer.objects.values_list("external_ref", "legal_name")) == [
        ("N-1", "Nueva Uno"),
        ("N-2", "Nueva Dos"),
    ]
    assert len(outcome.new_customers) == 2
    assert Order.objects.filter(customer__external_ref="N-1").count() == 3


def test_an_unknown_customer_without_a_name_is_an_error(db):
    preview = preview_of(HEADER + "N-1,,2024-01-01,,1\n")

    assert errors_by_row(preview) == {2: {"customer_name"}}
    assert "No customer has the reference N-1" in preview.errors[0].errors[0][1]


def test_the_reference_wins_over_a_tax_id(known):
    linked, _by_tax_id = known
    other = CustomerFactory(legal_name="Otra", tax_id="C-1")  # a tax id that is also someone's reference

    import_text(HEADER + "C-1,,2024-01-01,A-1,1\n")

    assert Order.objects.get().customer == linked
    other.refresh_from_db()
    assert other.external_ref == ""


def test_rows_with_errors_say_why_and_nothing_is_imported(customer):
    content = HEADER + (
        "C-1,Buena,2024-01-01,A-1,10\n"
        "C-2,Mala,31/01/2024,A-2,10\n"
        "C-3,Mala,2024-02-30,A-3,10\n"
        "C-4,Mala,2999-01-01,A-4,10\n"
        "C-5,Mala,2024-01-01,A-5,-10\n"
        "C-6,Mala,2024-01-01,A-6,1.234.567\n"
        "C-7,Mala,2024-01-01,A-7,diez\n"
        ",Mala,2024-01-01,A-8,\n"
        f"C-9,Mala,2024-01-01,{'9' * 40},10\n"
        f"{'R' * 70},{'N' * 201},,,10\n"
    )

    preview = preview_of(content)

    assert errors_by_row(preview) == {
        3: {"order_date"},
        4: {"order_date"},
        5: {"order_date"},
        6: {"total"},
        7: {"total"},
        8: {"total"},
        9: {"customer_ref", "total"},
        10: {"order_number"},
        11: {"customer_ref", "customer_name", "order_date"},
    }
    messages = {row.number: " ".join(message for _column, message in row.errors) for row in preview.errors}
    assert "write it as YYYY-MM-DD" in messages[3]
    assert "is not a real date" in messages[4]
    assert "in the future" in messages[5]
    assert "cannot be negative" in messages[6] and "credit note" in messages[6]
    assert "no thousands separators" in messages[7]
    assert "write 0 for a free order" in messages[9]
    with pytest.raises(importing.OrderImportError, match=r"9 rows have errors\. Nothing was imported"):
        import_text(content)
    assert not Order.objects.exists() and Customer.objects.count() == 1


# --- the command ----------------------------------------------------------------------------


def run(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_orders", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_what_it_imported_and_skipped(tmp_path, known, accountant):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "C-1,,2024-01-01,A-1,10\nX-1,Nueva S.A.S.,2024-01-02,,20\n", encoding="utf-8")

    first, first_err = run(path, "--user", accountant.username)
    second, second_err = run(path)

    assert "Imported 2 orders (1 without a number) as IMP-00001." in first
    assert "Skipped no orders" in first
    assert "Created 1 new customer: Nueva S.A.S. (X-1)" in first
    assert Order.objects.filter(created_by=accountant).count() == 2
    assert "Skipped 1 order already imported: A-1" in second
    assert "Imported 1 order (1 without a number) as IMP-00002." in second, "new each time"
    assert not first_err
    assert "Warning: 1 row without an order number is like an order imported before" in second_err


def test_command_dry_run_writes_nothing(tmp_path, known):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "C-1,,2024-01-01,A-1,10\nX-1,Nueva S.A.S.,2024-01-02,,20\n", encoding="utf-8")

    out, _err = run(path, "--dry-run")

    assert "Dry run: nothing was written." in out
    assert "Would import 2 orders (1 without a number) from 2 rows." in out
    assert "Would create 1 new customer: Nueva S.A.S. (X-1)" in out
    assert not Order.objects.exists() and not Customer.objects.filter(external_ref="X-1").exists()
    assert not NumberSequence.objects.exists()


@pytest.mark.parametrize("dry_run", [False, True])
def test_command_fails_with_the_rows_at_fault(tmp_path, db, dry_run):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "C-1,Ana,2024-01-01,A-1,10\nC-2,Beto,ayer,A-2,-1\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 of 2 rows has errors\. Nothing was imported"):
        call_command(
            "import_orders", str(path), *(["--dry-run"] if dry_run else []), stdout=StringIO(), stderr=err
        )

    assert "Row 3, order_date: ayer is not a date in ISO format" in err.getvalue()
    assert "Row 3, total: A total cannot be negative" in err.getvalue()
    assert not Order.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,email\nAna,ana@example.com\n", "The file lacks the columns customer_ref, customer_name"),
        (b"PK\x03\x04binary", "This is an Excel workbook"),
    ],
)
def test_command_refuses_a_bad_file(tmp_path, db, content, message):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run(path)


def test_command_says_when_the_file_or_user_is_missing(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "C-1,Ana,2024-01-01,A-1,10\n")
    with pytest.raises(CommandError, match="No active user is called nobody"):
        run(path, "--user", "nobody")


def test_customers_created_in_bulk_are_like_those_made_by_hand(accountant):
    import_text(HEADER + "N-1,  Café   Ñandú  ,2024-01-01,,1\n", by=accountant)

    customer = Customer.objects.get(external_ref="N-1")
    assert customer.legal_name == "Café Ñandú", "spaces tidied"
    assert (customer.country, customer.segment, customer.version) == ("CO", Customer.Segment.LEGAL_ENTITY, 1)
    assert customer.created_at and customer.updated_at
    assert customer.lifecycle_stage == Customer.Stage.RETENTION, "they have bought"
    assert "cafe nandu" in customer.search_text
    entry = customer.history.get()
    assert (entry.history_type, entry.legal_name, entry.history_user) == ("+", "Café Ñandú", accountant)
    assert entry.history_change_reason.startswith("Imported from history.csv (IMP-")


def test_a_number_taken_meanwhile_imports_nothing_and_says_so(customer, accountant):
    # Someone's order took the number the series would give next.
    Order.objects.create(customer=customer, number="PED-2024-00001", order_date=date(2024, 1, 1))

    with pytest.raises(importing.OrderImportError, match="created by someone else at the same moment"):
        import_text(HEADER + "N-1,Nueva,2024-01-01,A-1,1\nN-1,Nueva,2024-01-02,,1\n", by=accountant)

    assert Order.objects.count() == 1 and not Customer.objects.filter(external_ref="N-1").exists()
    assert not NumberSequence.objects.filter(last__gt=0).exists(), "numbers are given back"


def test_a_history_order_is_never_invoiced_again(client, accountant):
    import_text(
        "customer_ref,customer_name,order_date,order_number,total\nC-9,Antigua S.A.S.,2024-05-02,77,150000\n"
    )
    order = Order.objects.get(number="HIS-77")
    with pytest.raises(AccountingError, match="previous system"):
        create_invoice(order=order, by=accountant)
    client.force_login(accountant)
    page = client.get(order.get_absolute_url()).text
    assert "Imported history" in page
    assert "Create invoice" not in page
    assert client.post(reverse("accounting:order_invoice", args=[order.pk])).status_code in (302, 200)
    assert not Invoice.objects.exists()
