"""Installed-base services: the checklist saved as a whole, and products added by orders."""

from __future__ import annotations

from datetime import date

import pytest

from contacts.models import Activity
from sales.models import InstalledProduct
from sales.services.catalog import (
    InstalledItem,
    add_months,
    add_to_installed_base,
    licence_expiry,
    set_installed_base,
)
from tests.sales.factories import InstalledProductFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp():
    return ProductFactory(code="ERP-12", name="Licencia ERP anual", is_licence=True, licence_term_months=12)


@pytest.fixture
def reader():
    return ProductFactory(code="HW-LECT", name="Lector de código de barras")


def owned(customer) -> dict[str, tuple]:
    return {
        row.product.code: (row.since, row.licence_expires_on, row.notes)
        for row in InstalledProduct.objects.filter(customer=customer).select_related("product")
    }


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 5, 10), 36, date(2029, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_only_licences_expire(erp, reader):
    assert licence_expiry(erp, date(2026, 2, 1)) == date(2027, 2, 1)
    assert licence_expiry(erp, None) is None
    assert licence_expiry(reader, date(2026, 2, 1)) is None


# -- set_installed_base --------------------------------------------------------------------------


def test_setting_the_checklist_adds_rows_and_fills_licence_expiry(customer, rep, erp, reader):
    rows = set_installed_base(
        customer=customer,
        items=[
            InstalledItem(product=erp, since=date(2026, 4, 1)),
            InstalledItem(product=reader, notes="2 u."),
        ],
        by=rep,
    )
    assert len(rows) == 2
    assert owned(customer) == {
        "ERP-12": (date(2026, 4, 1), date(2027, 4, 1), ""),
        "HW-LECT": (None, None, "2 u."),
    }


def test_a_typed_expiry_wins_over_the_term(customer, rep, erp):
    set_installed_base(
        customer=customer,
        items=[InstalledItem(product=erp, since=date(2026, 4, 1), licence_expires_on=date(2026, 10, 1))],
        by=rep,
    )
    assert owned(customer)["ERP-12"][1] == date(2026, 10, 1)


def test_the_checklist_replaces_what_was_there(customer, rep, erp, reader):
    InstalledProductFactory(customer=customer, product=reader)
    old_erp = InstalledProductFactory(customer=customer, product=erp, since=date(2025, 1, 1))
    set_installed_base(customer=customer, items=[InstalledItem(product=erp, since=date(2025, 2, 1))], by=rep)
    assert owned(customer) == {"ERP-12": (date(2025, 2, 1), date(2026, 2, 1), "")}
    # The existing row is updated in place, not replaced.
    assert InstalledProduct.objects.get(customer=customer).pk == old_erp.pk


def test_an_empty_checklist_removes_everything(customer, rep, erp):
    InstalledProductFactory(customer=customer, product=erp)
    assert set_installed_base(customer=customer, items=[], by=rep) == []
    assert owned(customer) == {}


def test_other_customers_are_untouched(customer, rep, erp):
    other = InstalledProductFactory(product=erp)
    set_installed_base(customer=customer, items=[], by=rep)
    assert InstalledProduct.objects.filter(pk=other.pk).exists()


def test_changes_are_noted_on_the_timeline(customer, rep, erp, reader):
    InstalledProductFactory(customer=customer, product=reader)
    set_installed_base(customer=customer, items=[InstalledItem(product=erp)], by=rep)
    note = Activity.objects.get(customer=customer)
    assert note.kind == Activity.Kind.NOTE
    assert note.user == rep
    assert note.subject == "Products owned updated"
    assert "Added: Licencia ERP anual." in note.notes
    assert "Removed: Lector de código de barras." in note.notes


def test_saving_the_same_checklist_again_changes_nothing_and_notes_nothing(customer, rep, erp):
    items = [InstalledItem(product=erp, since=date(2026, 1, 1))]
    set_installed_base(customer=customer, items=items, by=rep)
    before = owned(customer)
    set_installed_base(customer=customer, items=items, by=rep)
    assert owned(customer) == before
    assert Activity.objects.filter(customer=customer).count() == 1


# -- add_to_installed_base ------------------------------------------------------------------------


def test_an_order_adds_a_licence_with_its_expiry(customer, rep, erp):
    row = add_to_installed_base(customer=customer, product=erp, since=date(2026, 6, 30), by=rep)
    assert (row.since, row.licence_expires_on) == (date(2026, 6, 30), date(2027, 6, 30))
    assert "Added: Licencia ERP anual." in Activity.objects.get(customer=customer).notes


def test_an_order_adds_a_product_without_expiry(customer, rep, reader):
    row = add_to_installed_base(customer=customer, product=reader, since=date(2026, 6, 30), by=None)
    assert (row.since, row.licence_expires_on) == (date(2026, 6, 30), None)
    assert not Activity.objects.exists()  # nobody to note it for


def test_a_renewal_extends_the_licence_and_keeps_the_first_date(customer, rep, erp):
    InstalledProductFactory(
        customer=customer, product=erp, since=date(2025, 3, 1), licence_expires_on=date(2026, 3, 1)
    )
    row = add_to_installed_base(customer=customer, product=erp, since=date(2026, 2, 20), by=rep)
    assert (row.since, row.licence_expires_on) == (date(2025, 3, 1), date(2027, 2, 20))
    assert InstalledProduct.objects.filter(customer=customer).count() == 1
    assert not Activity.objects.exists()  # nothing new to note: it was owned already


def test_an_order_never_shortens_a_licence(customer, rep, erp):
    InstalledProductFactory(
        customer=customer, product=erp, since=date(2025, 3, 1), licence_expires_on=date(2030, 1, 1)
    )
    row = add_to_installed_base(customer=customer, product=erp, since=date(2026, 5, 1), by=rep)
    assert row.licence_expires_on == date(2030, 1, 1)
    assert row.since == date(2025, 3, 1)


def test_an_older_order_moves_since_back(customer, rep, reader):
    InstalledProductFactory(customer=customer, product=reader, since=date(2026, 5, 1))
    row = add_to_installed_base(customer=customer, product=reader, since=date(2024, 5, 1), by=rep)
    assert row.since == date(2024, 5, 1)


def test_adding_twice_is_harmless(customer, rep, erp):
    first = add_to_installed_base(customer=customer, product=erp, since=date(2026, 6, 1), by=rep)
    second = add_to_installed_base(customer=customer, product=erp, since=date(2026, 6, 1), by=rep)
    assert first.pk == second.pk
    assert owned(customer) == {"ERP-12": (date(2026, 6, 1), date(2027, 6, 1), "")}
    assert Activity.objects.filter(customer=customer).count() == 1
