from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting import services
from accounting.models import Order
from sales.models import InstalledProduct, Quote
from tests.accounting.factories import accepted_quote, order_for
from tests.sales.factories import ProductFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_an_accepted_quote_becomes_an_order_with_every_figure_carried_over(customer, accountant):
    product = ProductFactory(unit_price=Decimal("1234.56"), tax_rate=Decimal("19.00"))
    quote = accepted_quote(
        customer=customer,
        lines=[
            {"product": product, "quantity": Decimal("3.00"), "discount_percent": Decimal("12.50")},
            {"product": ProductFactory(), "description": "A custom text", "unit_price": Decimal("0.10")},
        ],
    )

    order = services.create_order_from_quote(quote=quote, by=accountant)

    assert order.customer == customer
    assert order.quote == quote
    assert order.status == Order.Status.CONFIRMED
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        quote.subtotal,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )
    fields = [
        "product_id",
        "description",
        "quantity",
        "unit_price",
        "unit_cost",
        "discount_percent",
        "tax_rate",
    ]
    assert [[getattr(line, f) for f in fields] for line in order.lines.all()] == [
        [getattr(line, f) for f in fields] for line in quote.lines.all()
    ]


def test_orders_are_numbered_per_year_without_gaps(customer):
    year = timezone.localdate().year
    numbers = [order_for(customer).number for _ in range(3)]
    assert numbers == [f"PED-{year}-00001", f"PED-{year}-00002", f"PED-{year}-00003"]


def test_a_second_call_returns_the_same_order(customer, accountant):
    quote = accepted_quote(customer=customer)
    first = services.create_order_from_quote(quote=quote, by=accountant)
    second = services.create_order_from_quote(quote=quote, by=accountant)
    assert first == second
    assert Order.objects.count() == 1


@pytest.mark.parametrize("status", [Quote.Status.DRAFT, Quote.Status.SENT, Quote.Status.REJECTED])
def test_only_an_accepted_quote_becomes_an_order(customer, accountant, status):
    quote = QuoteFactory(opportunity__customer=customer, status=status)
    with pytest.raises(services.AccountingError, match="accepted"):
        services.create_order_from_quote(quote=quote, by=accountant)
    assert not Order.objects.exists()


def test_an_order_fills_the_installed_base_with_the_licence_term(customer, accountant):
    licence = ProductFactory(is_licence=True, licence_term_months=12)
    box = ProductFactory()
    order = order_for(customer, by=accountant, products=[licence, box])

    owned = {row.product_id: row for row in InstalledProduct.objects.filter(customer=customer)}
    assert set(owned) == {licence.pk, box.pk}
    assert owned[licence.pk].since == order.order_date
    expected = order.order_date.replace(year=order.order_date.year + 1)
    assert owned[licence.pk].licence_expires_on == expected
    assert owned[box.pk].licence_expires_on is None


def test_cancelling_takes_out_only_what_the_customer_got_from_that_order(customer, accountant):
    shared, only_here = ProductFactory(), ProductFactory()
    order_for(customer, products=[shared])
    order = order_for(customer, products=[shared, only_here])

    services.cancel_order(order=order, by=accountant)

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    owned = set(InstalledProduct.objects.filter(customer=customer).values_list("product_id", flat=True))
    assert owned == {shared.pk}


def test_cancelling_twice_is_harmless(customer, accountant):
    order = order_for(customer)
    services.cancel_order(order=order, by=accountant)
    assert services.cancel_order(order=order, by=accountant).is_cancelled


money = st.decimals(min_value=Decimal(0), max_value=Decimal("99999999.99"), places=2)
line_values = st.fixed_dictionaries(
    {
        "quantity": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
        "unit_price": money,
        "discount_percent": st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2),
        "tax_rate": st.sampled_from([Decimal(0), Decimal(5), Decimal(19), Decimal("8.25")]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line_values, min_size=1, max_size=6))
def test_order_totals_always_equal_the_quote_totals(customer, lines):
    product = ProductFactory()
    quote = accepted_quote(customer=customer, lines=[{"product": product, **values} for values in lines])

    order = services.create_order_from_quote(quote=quote, by=None)

    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        quote.subtotal,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )
    assert list(order.lines.values_list("quantity", "unit_price", "discount_percent", "tax_rate")) == list(
        quote.lines.values_list("quantity", "unit_price", "discount_percent", "tax_rate")
    )


def test_fulfilling_a_confirmed_order(customer, accountant):
    order = services.fulfil_order(order=order_for(customer), by=accountant)
    assert order.status == Order.Status.FULFILLED
    with pytest.raises(services.AccountingError):
        services.fulfil_order(order=order, by=accountant)


def test_order_date_is_today(customer):
    assert order_for(customer).order_date == timezone.localdate()
