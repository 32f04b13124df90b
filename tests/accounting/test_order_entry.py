"""Orders typed in by hand: the quotes' arithmetic, the orders' numbering, the installed base."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting import services
from accounting.models import Order
from accounting.services import OrderLineInput
from contacts.models import Activity
from sales.models import InstalledProduct
from sales.services.quotes import LineInput, build_lines, totals_of
from tests.accounting.factories import order_for
from tests.sales.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _create(customer, lines, *, by=None, order_date=None, notes=""):
    return services.create_order(
        customer, lines=lines, order_date=order_date or timezone.localdate(), notes=notes, by=by
    )


def _quote_totals(lines: list[OrderLineInput]):
    """What a quote with the same lines would add up to, through the quotes' own code."""
    built = build_lines(
        existing={},
        lines=[
            LineInput(
                product=line.product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
            )
            for line in lines
        ],
    )
    return totals_of(built)


def _figures(order: Order):
    return (order.subtotal, order.discount_total, order.tax_total, order.total)


def test_an_order_copies_the_catalogue_unless_told_otherwise(customer, accountant):
    licence = ProductFactory(name="Licencia ERP", unit_price=D(1000), unit_cost=D(400), tax_rate=D(19))
    box = ProductFactory(name="Caja", unit_price=D(50), unit_cost=D(10), tax_rate=D(5))

    order = _create(
        customer,
        [
            OrderLineInput(product=licence, quantity=D(2)),
            OrderLineInput(
                product=box, quantity=D(3), unit_price=D(45), discount_percent=D(10), tax_rate=D(0)
            ),
        ],
        by=accountant,
        notes="  Closed by phone with Ana.  ",
    )

    order.refresh_from_db()
    assert order.customer == customer
    assert order.quote is None
    assert order.status == Order.Status.CONFIRMED
    assert order.notes == "Closed by phone with Ana."
    assert order.created_by == accountant
    assert order.currency == "COP"
    rows = list(
        order.lines.values_list(
            "position", "description", "quantity", "unit_price", "unit_cost", "discount_percent", "tax_rate"
        )
    )
    assert rows == [
        (0, "Licencia ERP", D(2), D(1000), D(400), D(0), D(19)),
        (1, "Caja", D(3), D(45), D(10), D(10), D(0)),
    ]
    # 2000 + 135 - 13.50 discount; tax 19 % of 2000 and 0 % of 121.50.
    assert _figures(order) == (D("2135.00"), D("13.50"), D("380.00"), D("2501.50"))


def test_the_totals_round_once_like_a_quote(customer):
    product = ProductFactory(unit_price=D("0.10"), tax_rate=D(5))
    lines = [OrderLineInput(product=product, quantity=D(1)) for _ in range(3)]

    order = _create(customer, lines)

    assert order.tax_total == D("0.02")  # round(0.015), not 3 × round(0.005)
    totals = _quote_totals(lines)
    assert _figures(order) == (totals.subtotal, totals.discount, totals.tax, totals.total)


money = st.decimals(min_value=D(0), max_value=D("99999999.99"), places=2)
line_values = st.fixed_dictionaries(
    {
        "quantity": st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2),
        "unit_price": st.one_of(st.none(), money),
        "discount_percent": st.decimals(min_value=D(0), max_value=D(100), places=2),
        "tax_rate": st.sampled_from([D(0), D(5), D(19), D("8.25")]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(line_values, min_size=1, max_size=6))
def test_order_totals_always_equal_what_a_quote_with_the_same_lines_would_have(customer, values):
    lines = [
        OrderLineInput(
            product=ProductFactory(unit_price=D("1234.56"), tax_rate=entry["tax_rate"]),
            quantity=entry["quantity"],
            unit_price=entry["unit_price"],
            discount_percent=entry["discount_percent"],
        )
        for entry in values
    ]

    order = _create(customer, lines)

    order.refresh_from_db()
    totals = _quote_totals(lines)
    assert _figures(order) == (totals.subtotal, totals.discount, totals.tax, totals.total)


def test_orders_taken_by_hand_share_the_series_of_orders_from_quotes(customer):
    year = timezone.localdate().year
    from_quote = order_for(customer)
    by_hand = _create(customer, [OrderLineInput(product=ProductFactory(), quantity=D(1))])
    assert [from_quote.number, by_hand.number] == [f"PED-{year}-00001", f"PED-{year}-00002"]


def test_a_back_dated_order_takes_the_number_of_its_own_year(customer):
    last_year = date(timezone.localdate().year - 1, 12, 31)
    order = _create(customer, [OrderLineInput(product=ProductFactory(), quantity=D(1))], order_date=last_year)
    assert order.number == f"PED-{last_year.year}-00001"
    assert order.order_date == last_year


def test_an_order_fills_the_installed_base_from_its_date(customer, accountant):
    licence = ProductFactory(is_licence=True, licence_term_months=12)
    box = ProductFactory()
    day = timezone.localdate() - timedelta(days=10)

    _create(
        customer,
        [
            OrderLineInput(product=licence, quantity=D(1)),
            OrderLineInput(product=box, quantity=D(2)),
            OrderLineInput(product=box, quantity=D(1)),
        ],
        by=accountant,
        order_date=day,
    )

    owned = {row.product_id: row for row in InstalledProduct.objects.filter(customer=customer)}
    assert set(owned) == {licence.pk, box.pk}
    assert owned[licence.pk].since == day
    assert owned[licence.pk].licence_expires_on == day.replace(year=day.year + 1)
    assert owned[box.pk].licence_expires_on is None


def test_the_order_is_noted_on_the_customers_timeline(customer, rep):
    order = _create(
        customer, [OrderLineInput(product=ProductFactory(unit_price=D(100)), quantity=D(1))], by=rep
    )
    activity = Activity.objects.get(customer=customer, subject=f"Order {order.number} taken")
    assert activity.user == rep
    assert "119.00" in activity.notes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": D(0)}, "quantity must be more than zero"),
        ({"quantity": D(-1)}, "quantity must be more than zero"),
        ({"unit_price": D(-1)}, "price cannot be negative"),
        ({"discount_percent": D(101)}, "discount must be between 0 and 100"),
        ({"discount_percent": D(-1)}, "discount must be between 0 and 100"),
        ({"tax_rate": D(-1)}, "tax rate must be between 0 and 100"),
        ({"tax_rate": D("100.01")}, "tax rate must be between 0 and 100"),
    ],
)
def test_bad_lines_are_refused_and_leave_nothing_behind(customer, changes, message):
    product = ProductFactory()
    good = OrderLineInput(product=product, quantity=D(1))
    bad = OrderLineInput(**{"product": product, "quantity": D(1), **changes})

    with pytest.raises(services.AccountingError, match=message):
        _create(customer, [good, bad])

    assert not Order.objects.exists()
    assert not InstalledProduct.objects.exists()
    # No number was used up.
    assert _create(customer, [good]).number.endswith("-00001")


def test_an_order_needs_lines_and_a_date_that_has_come(customer):
    with pytest.raises(services.AccountingError, match="at least one line"):
        _create(customer, [])
    with pytest.raises(services.AccountingError, match="future"):
        _create(
            customer,
            [OrderLineInput(product=ProductFactory(), quantity=D(1))],
            order_date=timezone.localdate() + timedelta(days=1),
        )
    assert not Order.objects.exists()
