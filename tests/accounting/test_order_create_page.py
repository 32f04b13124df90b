"""The page for an order taken by hand: who may use it, for which customers, and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting.models import Order
from sales.models import InstalledProduct
from tests.factories import CustomerFactory
from tests.helpers import customer_page, text
from tests.sales.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounting:order_create")
D = Decimal


@pytest.fixture
def product(db):
    return ProductFactory(code="ERP-1", name="Licencia ERP", unit_price=D(1000), tax_rate=D(19))


def _row(index: int, **values) -> dict[str, str]:
    row = {"product": "", "quantity": "1", "unit_price": "", "discount_percent": "0", "tax_rate": ""}
    row.update({key: str(value) for key, value in values.items()})
    return {f"lines-{index}-{key}": value for key, value in row.items()}


def _data(for_customer, *rows: dict, **header) -> dict[str, str]:
    data = {
        "customer": str(for_customer.pk),
        "order_date": timezone.localdate().isoformat(),
        "notes": "",
        "lines-TOTAL_FORMS": str(max(len(rows), 1)),
        "lines-INITIAL_FORMS": "0",
        **{key: str(value) for key, value in header.items()},
    }
    for index, row in enumerate(rows or [{}]):
        data.update(_row(index, **row))
    return data


def test_the_rep_picks_a_customer_then_types_the_lines(client, rep, customer, product):
    client.force_login(rep)

    choose = client.get(URL)
    assert choose.status_code == 200
    assert f"{URL}?customer={customer.pk}" in text(choose)

    form = client.get(URL, {"customer": customer.pk})
    assert form.status_code == 200
    assert "New order for Distribuidora Andina S.A.S." in text(form)
    assert "ERP-1 · Licencia ERP" in text(form)

    response = client.post(
        URL,
        _data(
            customer,
            {"product": product.pk, "quantity": "2", "discount_percent": "10"},
            {},  # an untouched row is left out
            notes="Closed by phone",
        ),
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    assert (order.customer, order.created_by, order.notes) == (customer, rep, "Closed by phone")
    assert order.lines.count() == 1
    assert order.total == D("2142.00")  # 2000 less 10 %, plus 19 % tax
    page = client.get(order.get_absolute_url())
    assert page.status_code == 200
    assert f"Order {order.number} saved." in text(page)
    assert "Closed by phone" in text(page)
    assert InstalledProduct.objects.filter(customer=customer, product=product).exists()


def test_searching_for_a_customer_finds_only_visible_ones(client, rep, other_team_rep, customer):
    CustomerFactory(owner=other_team_rep, legal_name="Distribuidora del Sur")
    client.force_login(rep)
    response = client.get(URL, {"q": "Distribuidora"})
    assert "Distribuidora Andina S.A.S." in text(response)
    assert "Distribuidora del Sur" not in text(response)


def test_price_and_tax_left_empty_are_the_products(client, accountant, customer, product):
    client.force_login(accountant)
    client.post(URL, _data(customer, {"product": product.pk, "unit_price": "", "tax_rate": ""}))
    line = Order.objects.get().lines.get()
    assert (line.unit_price, line.tax_rate) == (D(1000), D(19))


def test_add_line_grows_the_form_without_saving(client, rep, customer, product):
    client.force_login(rep)
    data = _data(customer, {"product": product.pk}, add_line="1")
    response = client.post(URL, data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert not Order.objects.exists()


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rep", 302),
        ("teammate", 302),
        ("accountant", 302),
        ("manager", 302),
        ("admin_user", 302),
        ("telemarketer", 403),
        ("marketer", 403),
        ("service_agent", 403),
        ("no_role", 403),
    ],
)
def test_who_may_take_an_order(client, customer, product, persona, status, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL, {"customer": customer.pk}).status_code == (200 if status == 302 else 403)
    response = client.post(URL, _data(customer, {"product": product.pk}))
    assert response.status_code == status
    assert Order.objects.count() == (1 if status == 302 else 0)


def test_anonymous_is_sent_to_log_in(client, customer):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response.url


def test_a_customer_the_rep_cannot_see_is_rejected(client, other_team_rep, customer, product):
    client.force_login(other_team_rep)
    assert client.get(URL, {"customer": customer.pk}).status_code == 404
    assert client.get(URL, {"customer": "abc"}).status_code == 404

    response = client.post(URL, _data(customer, {"product": product.pk}))

    assert response.status_code == 400
    assert "Choose a customer you can see." in text(response)
    assert not Order.objects.exists()


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "header", "message"),
    [
        ({}, {}, "Add at least one line to the order."),
        ({"quantity": "-1", "product": "PRODUCT"}, {}, "The quantity must be more than zero."),
        ({"quantity": "0", "product": "PRODUCT"}, {}, "The quantity must be more than zero."),
        ({"quantity": "lots", "product": "PRODUCT"}, {}, "Enter a number."),
        ({"product": "999999"}, {}, "That product is not in the active catalogue."),
        ({"product": "INACTIVE"}, {}, "That product is not in the active catalogue."),
        ({"product": "abc"}, {}, "That product is not in the active catalogue."),
        ({"quantity": "2"}, {}, "Choose a product for the line."),
        ({"product": "PRODUCT", "unit_price": "-5"}, {}, "The price cannot be negative."),
        ({"product": "PRODUCT", "discount_percent": "150"}, {}, "Give a percentage between 0 and 100."),
        ({"product": "PRODUCT", "tax_rate": "-1"}, {}, "Give a percentage between 0 and 100."),
        ({"product": "PRODUCT", "quantity": "1" * 20}, {}, "Ensure that there are no more than"),
        ({"product": "PRODUCT"}, {"order_date": "2026-02-30"}, "Enter a valid date."),
        ({"product": "PRODUCT"}, {"order_date": ""}, "This field is required."),
        ({"product": "PRODUCT"}, {"customer": ""}, "Choose the customer first."),
        ({"product": "PRODUCT"}, {"customer": "abc"}, "Choose a customer you can see."),
    ],
)
def test_bad_input_shows_a_message_and_saves_nothing(
    client, accountant, customer, product, row, header, message
):
    inactive = ProductFactory(is_active=False)
    row = {
        key: {"PRODUCT": product.pk, "INACTIVE": inactive.pk}.get(value, value) for key, value in row.items()
    }
    client.force_login(accountant)

    response = client.post(URL, _data(customer, row, **header))

    assert response.status_code == 400
    assert message in text(response)
    assert "nothing was saved yet" in text(response)
    assert not Order.objects.exists()


def test_a_future_date_is_refused(client, accountant, customer, product):
    client.force_login(accountant)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(URL, _data(customer, {"product": product.pk}, order_date=tomorrow))
    assert response.status_code == 400
    assert "The order date cannot be in the future." in text(response)


def test_typed_values_are_kept_after_an_error(client, accountant, customer, product):
    client.force_login(accountant)
    response = client.post(
        URL,
        _data(customer, {"product": product.pk, "quantity": "7", "unit_price": "12.34"}, {"quantity": "-1"}),
    )
    assert response.status_code == 400
    assert 'value="12.34"' in response.content.decode()
    assert 'value="7"' in response.content.decode()


@pytest.mark.parametrize(
    "tampered",
    [
        {"lines-TOTAL_FORMS": "100000"},
        {"lines-TOTAL_FORMS": "x"},
        {"lines-TOTAL_FORMS": None},
        {"lines-INITIAL_FORMS": None},
    ],
)
def test_a_tampered_line_count_is_an_error_not_a_crash(client, accountant, customer, product, tampered):
    client.force_login(accountant)
    data = _data(customer, {"product": product.pk})
    for key, value in tampered.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    response = client.post(URL, data)
    assert response.status_code in {302, 400}
    assert Order.objects.count() <= 1


# --- Links and cost -------------------------------------------------------------------------


def test_the_order_list_offers_new_order_to_those_who_may(client, accountant, rep, telemarketer):
    for user, shown in [(accountant, True), (rep, True), (telemarketer, False)]:
        client.force_login(user)
        assert (URL in text(client.get(reverse("accounting:order_list")))) is shown


def test_the_customer_page_offers_new_order_to_those_who_may(client, rep, telemarketer, customer):
    link = f"{URL}?customer={customer.pk}"
    client.force_login(rep)
    assert link in customer_page(client, customer)
    client.force_login(telemarketer)
    assert link not in customer_page(client, customer)


def test_the_form_costs_the_same_queries_with_a_larger_catalogue(
    client, accountant, customer, django_assert_max_num_queries
):
    ProductFactory.create_batch(3)
    client.force_login(accountant)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"customer": customer.pk}).status_code == 200
    baseline = len(few.captured_queries)
    ProductFactory.create_batch(30)
    with django_assert_max_num_queries(baseline):
        client.get(URL, {"customer": customer.pk})


def test_saving_costs_the_same_queries_for_one_line_or_twenty(
    client, accountant, customer, product, django_assert_max_num_queries
):
    client.force_login(accountant)
    with CaptureQueriesContext(connection) as one:
        client.post(URL, _data(customer, {"product": product.pk}))
    baseline = len(one.captured_queries)
    rows = [{"product": product.pk, "quantity": str(n + 1)} for n in range(20)]
    with django_assert_max_num_queries(baseline):
        response = client.post(URL, _data(customer, *rows))
    assert response.status_code == 302
    assert Order.objects.order_by("pk").last().lines.count() == 20


def test_the_form_renders_in_spanish(client, accountant, customer, product):
    client.force_login(accountant)
    response = client.get(URL, {"customer": customer.pk}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Licencia ERP" in text(response)
