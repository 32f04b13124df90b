"""The product feedback page: problems and wishes by product and theme, with customers and revenue."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import Order
from tests.factories import CustomerFactory, user_with_role
from tests.helpers import text
from tests.sales.factories import ProductFactory
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = reverse("service:product_feedback")


def order(customer, total, status=Order.Status.CONFIRMED):
    return Order.objects.create(
        customer=customer, number=f"P-{Order.objects.count() + 1}", total=Decimal(total), status=status
    )


@pytest.fixture
def products():
    return ProductFactory(name="Contable Pro"), ProductFactory(name="Nómina")


@pytest.fixture
def feedback(service_agent, products):
    """Three customers; two of them stand behind "slow reports" on Contable Pro."""
    accounting_app, payroll = products
    first, second, third = (CustomerFactory(legal_name=name) for name in ("Uno", "Dos", "Tres"))
    order(first, "1000")
    order(first, "500")
    order(first, "9999", status=Order.Status.CANCELLED)
    order(second, "300")

    def tag(customer, product, kind, theme):
        TicketFactory(
            customer=customer, assignee=service_agent, product=product, feedback=kind, feedback_theme=theme
        )

    tag(first, accounting_app, "problem", "Reportes lentos")
    tag(first, accounting_app, "problem", "reportes lentos")  # same customer, same theme
    tag(second, accounting_app, "wish", "Reportes lentos")
    tag(third, accounting_app, "wish", "Exportar a Excel")
    tag(second, payroll, "problem", "Horas extra")
    TicketFactory(customer=third, assignee=service_agent, product=payroll)  # not feedback


@pytest.fixture
def agent_client(client, service_agent):
    client.force_login(service_agent)
    return client


def lines(response) -> list[tuple]:
    return [
        (
            line["product__name"],
            line["theme"],
            line["problems"],
            line["wishes"],
            line["customers"],
            line["revenue"],
        )
        for line in response.context["page_obj"]
    ]


def test_feedback_is_grouped_by_product_and_theme_with_customers_and_revenue(agent_client, feedback):
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert lines(response) == [
        ("Contable Pro", "Reportes lentos", 2, 1, 2, Decimal("1800.00")),
        ("Contable Pro", "Exportar a Excel", 0, 1, 1, Decimal("0")),
        ("Nómina", "Horas extra", 1, 0, 1, Decimal("300.00")),
    ]
    page = text(response)
    assert "1,800.00" in page
    assert "orders not cancelled, any product" in page


def test_filters_by_kind_and_product(agent_client, feedback, products):
    assert lines(agent_client.get(URL, {"kind": "wish"})) == [
        ("Contable Pro", "Exportar a Excel", 0, 1, 1, Decimal("0")),
        ("Contable Pro", "Reportes lentos", 0, 1, 1, Decimal("300.00")),
    ]
    assert [line[0] for line in lines(agent_client.get(URL, {"product": products[1].pk}))] == ["Nómina"]


def test_bad_filters_answer_with_a_message_not_an_error(agent_client, feedback):
    response = agent_client.get(URL, {"kind": "rant", "product": "abc", "page": "zz"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors.keys() == {"kind", "product"}


def test_an_agent_sees_feedback_of_the_tickets_they_can_see(client, feedback, north):
    client.force_login(user_with_role("Service agent", team=north, username="norte"))
    response = client.get(URL)
    assert response.status_code == 200
    assert lines(response) == []
    assert "No product feedback yet" in text(response)


@pytest.mark.parametrize("persona", ["manager", "admin_user", "service_agent"], indirect=True)
def test_managers_admins_and_agents_open_it(client, persona, feedback):
    client.force_login(persona)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(lines(response)) == 3


@pytest.mark.parametrize("persona", ["rep", "accountant", "marketer", "no_role"], indirect=True)
def test_other_roles_get_403(client, persona):
    client.force_login(persona)
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    assert client.get(URL).status_code == 302


def test_the_navbar_links_it_for_agents_only(client, service_agent, rep):
    client.force_login(service_agent)
    assert URL in client.get(reverse("home")).text
    client.force_login(rep)
    assert URL not in client.get(reverse("home")).text


def test_the_page_costs_the_same_queries_for_3_and_30_lines(agent_client, service_agent):
    product = ProductFactory(name="Contable Pro")
    counts = []
    for total in (3, 30):
        for index in range(total - len(counts) * 3):
            customer = CustomerFactory()
            order(customer, "100")
            TicketFactory(
                customer=customer,
                assignee=service_agent,
                product=product,
                feedback="wish",
                feedback_theme=f"T{total}-{index}",
            )
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(URL)
        assert len(response.context["page_obj"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_renders_in_spanish(agent_client, feedback, settings):
    settings.LANGUAGE_CODE = "es"
    response = agent_client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert 'lang="es"' in response.text
