"""The product catalogue: everyone with a role reads it, managers and admins edit it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import Product
from tests.helpers import text
from tests.sales.factories import ProductFactory

LIST = reverse("sales:product_list")
CREATE = reverse("sales:product_create")

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    """The product codes in the results table, in display order."""
    return re.findall(
        r'<tr class="product-row[^"]*">\s*<td class="text-nowrap">(?:<a [^>]+>)?([^<]+)<', text(response)
    )


def valid_data(**overrides) -> dict:
    data = {
        "code": "ERP-LIC-12",
        "name": "Licencia ERP anual",
        "description": "Licencia de uso del ERP por un año, un usuario.",
        "unit_price": "2400000",
        "unit_cost": "600000",
        "tax_rate": "19",
        "is_active": "on",
        "is_licence": "on",
        "licence_term_months": "12",
    }
    data.update(overrides)
    return data


# -- The list --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "accountant", "service_agent", "manager"], indirect=True
)
def test_every_role_reads_the_catalogue(client, persona):
    ProductFactory(code="ERP-01", name="Licencia ERP anual", unit_price=Decimal("2400000"))
    client.force_login(persona)
    response = client.get(LIST)
    assert response.status_code == 200
    assert codes(response) == ["ERP-01"]
    assert "2,400,000" in text(response)


def test_signed_out_people_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_user_without_a_role_gets_403(client, no_role):
    client.force_login(no_role)
    assert client.get(LIST).status_code == 403


def test_search_by_code_or_name(rep_client):
    ProductFactory(code="ERP-01", name="Licencia ERP anual")
    ProductFactory(code="NOM-01", name="Licencia Nómina anual")
    ProductFactory(code="SRV-IMPL", name="Implementación ERP")
    assert codes(rep_client.get(LIST, {"q": "nom-"})) == ["NOM-01"]
    assert codes(rep_client.get(LIST, {"q": "erp"})) == ["SRV-IMPL", "ERP-01"]


def test_filter_active_and_licences(rep_client):
    ProductFactory(code="ERP-01", name="A licencia", is_licence=True, licence_term_months=12)
    ProductFactory(code="OLD-01", name="B vieja", is_active=False)
    ProductFactory(code="HW-01", name="C lector")
    assert codes(rep_client.get(LIST, {"active": "yes"})) == ["ERP-01", "HW-01"]
    assert codes(rep_client.get(LIST, {"active": "no"})) == ["OLD-01"]
    assert codes(rep_client.get(LIST, {"licence": "yes"})) == ["ERP-01"]
    assert codes(rep_client.get(LIST, {"licence": "no", "active": "yes"})) == ["HW-01"]


def test_unknown_filter_values_and_pages_do_not_break_the_list(rep_client):
    ProductFactory(code="ERP-01")
    response = rep_client.get(LIST, {"active": "maybe", "page": "abc"})
    assert response.status_code == 200
    assert codes(response) == ["ERP-01"]


def test_the_list_is_paginated(rep_client, settings):
    settings.CRM_LIST_PAGE_SIZE = 2
    for index in range(5):
        ProductFactory(code=f"P-{index}", name=f"Producto {index}")
    first = rep_client.get(LIST)
    assert codes(first) == ["P-0", "P-1"]
    assert "5 products" in text(first)
    assert codes(rep_client.get(LIST, {"page": 3})) == ["P-4"]


def test_htmx_gets_only_the_results(rep_client):
    ProductFactory(code="ERP-01")
    response = rep_client.get(LIST, {"q": "erp"}, HTTP_HX_REQUEST="true")
    assert codes(response) == ["ERP-01"]
    assert "<form" not in text(response)
    assert "HX-Request" in response["Vary"]


def test_query_count_does_not_grow_with_the_rows(rep_client):
    ProductFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        rep_client.get(LIST)
    ProductFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        rep_client.get(LIST)
    assert len(many) == len(few)


def test_reps_see_no_cost_and_no_edit_links(rep_client):
    ProductFactory(code="ERP-01", unit_cost=Decimal("987654"))
    content = text(rep_client.get(LIST))
    assert "987,654" not in content
    assert CREATE not in content


def test_managers_see_cost_and_edit_links(client, manager):
    product = ProductFactory(code="ERP-01", unit_cost=Decimal("987654"))
    client.force_login(manager)
    content = text(client.get(LIST))
    assert "987,654" in content
    assert CREATE in content
    assert reverse("sales:product_update", args=[product.pk]) in content


def test_the_list_renders_in_spanish(rep_client):
    ProductFactory(code="ERP-01")
    response = rep_client.get(LIST, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


# -- Creating and editing ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "admin_user"], indirect=True)
def test_managers_and_admins_add_a_product(client, persona):
    client.force_login(persona)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, valid_data(code=" erp-lic-12 "), follow=True)
    product = Product.objects.get()
    assert product.code == "ERP-LIC-12"
    assert product.unit_price == Decimal("2400000")
    assert product.licence_term_months == 12
    assert "Licencia ERP anual added to the catalogue" in text(response)


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "accountant", "service_agent"], indirect=True
)
def test_other_roles_cannot_edit_the_catalogue(client, persona):
    product = ProductFactory()
    client.force_login(persona)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, valid_data()).status_code == 403
    update = reverse("sales:product_update", args=[product.pk])
    assert client.get(update).status_code == 403
    assert client.post(update, valid_data()).status_code == 403
    assert Product.objects.count() == 1


def test_a_manager_edits_a_product(client, manager):
    product = ProductFactory(code="ERP-01", name="ERP")
    client.force_login(manager)
    update = reverse("sales:product_update", args=[product.pk])
    assert "ERP-01" in text(client.get(update))
    client.post(update, valid_data(code="ERP-01", name="ERP Plus", unit_price="3100000"))
    product.refresh_from_db()
    assert product.name == "ERP Plus"
    assert product.unit_price == Decimal("3100000")


def test_editing_a_missing_product_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("sales:product_update", args=[999_999])).status_code == 404


def test_a_product_that_is_not_a_licence_keeps_no_term(client, manager):
    client.force_login(manager)
    client.post(CREATE, valid_data(is_licence="", licence_term_months="12"))
    product = Product.objects.get()
    assert not product.is_licence
    assert product.licence_term_months is None


def test_deactivating_hides_a_product_from_new_quote_lines(client, manager):
    product = ProductFactory(code="ERP-01")
    client.force_login(manager)
    client.post(
        reverse("sales:product_update", args=[product.pk]),
        valid_data(code="ERP-01", is_active="", is_licence="", licence_term_months=""),
    )
    product.refresh_from_db()
    assert not product.is_active
    assert product not in Product.objects.active()
    assert codes(client.get(LIST, {"active": "yes"})) == []


# -- Bad input ------------------------------------------------------------------------------------


def post_bad(client, manager, **overrides):
    client.force_login(manager)
    response = client.post(CREATE, valid_data(**overrides))
    assert response.status_code == 200
    assert not Product.objects.exclude(code="TAKEN").exists()
    return text(response)


def test_a_duplicate_code_is_refused_with_a_message(client, manager):
    ProductFactory(code="TAKEN")
    content = post_bad(client, manager, code="taken")
    assert "Product with this Code already exists." in content
    assert Product.objects.count() == 1


def test_a_negative_price_is_refused(client, manager):
    content = post_bad(client, manager, unit_price="-1")
    assert "Ensure this value is greater than or equal to 0." in content


def test_a_negative_cost_is_refused(client, manager):
    assert "greater than or equal to 0" in post_bad(client, manager, unit_cost="-5")


def test_a_tax_rate_above_100_is_refused(client, manager):
    content = post_bad(client, manager, tax_rate="119")
    assert "Ensure this value is less than or equal to 100." in content


def test_a_licence_without_a_term_shows_the_rule_not_a_500(client, manager):
    content = post_bad(client, manager, licence_term_months="")
    assert "A licence needs a term in months." in content


@pytest.mark.parametrize(
    "field, value",
    [("unit_price", "abc"), ("unit_price", "1" * 20), ("licence_term_months", "-3"), ("code", "")],
)
def test_nonsense_is_refused_and_what_was_typed_is_kept(client, manager, field, value):
    content = post_bad(client, manager, **{field: value})
    assert "Licencia ERP anual" in content  # the valid fields are kept


def test_the_product_form_renders_in_spanish(client, manager):
    client.force_login(manager)
    response = client.get(CREATE, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
