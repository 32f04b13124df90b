"""A ticket tied to one of its customer's orders, tagged as product feedback, and edited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service.models import Ticket
from tests.accounting.factories import order_for
from tests.factories import CustomerFactory, user_with_role
from tests.sales.factories import ProductFactory
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_rep(south):
    return user_with_role("Sales rep", team=south, username="rep_sur")


@pytest.fixture
def south_customer(south, south_rep):
    return CustomerFactory(team=south, owner=south_rep, legal_name="Ferretería del Sur S.A.S.")


@pytest.fixture
def ticket(service_agent, south_customer):
    return TicketFactory(customer=south_customer, assignee=service_agent, subject="Impresora sin tóner")


@pytest.fixture
def agent_client(client, service_agent):
    client.force_login(service_agent)
    return client


def form_data(**overrides) -> dict:
    data = {"subject": "No imprime", "description": "", "channel": "phone", "priority": "normal"}
    return {**data, **overrides}


def test_the_new_ticket_offers_only_that_customers_orders(agent_client, south_customer, south, south_rep):
    mine = order_for(south_customer)
    other = order_for(CustomerFactory(team=south, owner=south_rep))
    url = reverse("service:ticket_create", args=[south_customer.pk])
    choices = agent_client.get(url).context["form"].fields["order"].queryset
    assert list(choices) == [mine]

    response = agent_client.post(url, form_data(order=other.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["order"]
    assert not Ticket.objects.exists()

    response = agent_client.post(url, form_data(order=mine.pk))
    assert response.status_code == 302
    assert Ticket.objects.get().order == mine


def test_the_ticket_page_shows_its_order_and_the_customers_orders(agent_client, ticket):
    first, second = order_for(ticket.customer), order_for(ticket.customer)
    ticket.order = first
    ticket.save()
    response = agent_client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    assert first.get_absolute_url() in response.text
    assert second.number in response.text
    assert list(response.context["orders"]) == [second, first]


def test_orders_of_a_customer_the_user_cannot_see_are_not_listed(client, ticket, north):
    order_for(ticket.customer)
    # A rep of another team reads a ticket they were assigned, not the customer's orders.
    outsider = user_with_role("Service agent", team=north, username="norte")
    ticket.assignee = outsider
    ticket.save()
    client.force_login(outsider)
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["orders"]) == []


def test_editing_a_ticket_tags_it_as_product_feedback(agent_client, ticket):
    product = ProductFactory(name="Impresora X")
    order = order_for(ticket.customer)
    url = reverse("service:ticket_update", args=[ticket.pk])
    assert url in agent_client.get(ticket.get_absolute_url()).text
    assert agent_client.get(url).status_code == 200
    response = agent_client.post(
        url,
        form_data(
            subject="Impresora sin tóner",
            product=product.pk,
            order=order.pk,
            priority="high",
            feedback="wish",
            feedback_theme="  Aviso de   tóner bajo ",
        ),
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.product, ticket.order, ticket.priority) == (product, order, "high")
    assert (ticket.feedback, ticket.feedback_theme) == ("wish", "Aviso de tóner bajo")
    assert ticket.assignee is not None  # the edit form leaves the assignee alone
    assert "Feature wish · Aviso de tóner bajo" in agent_client.get(ticket.get_absolute_url()).text


def test_feedback_needs_a_product_and_bad_input_says_why(agent_client, ticket):
    url = reverse("service:ticket_update", args=[ticket.pk])
    response = agent_client.post(url, form_data(feedback="problem", feedback_theme="Lento"))
    assert response.status_code == 200
    assert response.context["form"].errors["product"] == ["Choose the product this feedback is about."]
    response = agent_client.post(url, form_data(subject="", feedback="rant", order="abc"))
    assert response.context["form"].errors.keys() >= {"subject", "feedback", "order"}
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.feedback) == ("Impresora sin tóner", "")


def test_clearing_the_feedback_kind_clears_its_theme(agent_client, ticket):
    ticket.product = ProductFactory()
    ticket.feedback, ticket.feedback_theme = "problem", "Lento"
    ticket.save()
    agent_client.post(
        reverse("service:ticket_update", args=[ticket.pk]),
        form_data(product=ticket.product.pk, feedback="", feedback_theme="Lento"),
    )
    ticket.refresh_from_db()
    assert (ticket.feedback, ticket.feedback_theme) == ("", "")


def test_who_may_not_edit(client, ticket, rep, north, customer):
    url = reverse("service:ticket_update", args=[ticket.pk])
    client.force_login(user_with_role("Service agent", team=north, username="norte"))
    assert client.get(url).status_code == 404
    client.force_login(rep)
    rep_ticket = TicketFactory(customer=customer)
    assert client.get(reverse("service:ticket_update", args=[rep_ticket.pk])).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_ticket_page_costs_the_same_queries_for_2_and_7_orders(agent_client, ticket):
    counts = []
    for total in (2, 7):
        for _ in range(total - ticket.customer.orders.count()):
            order_for(ticket.customer)
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(ticket.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_edit_and_ticket_pages_render_in_spanish(agent_client, ticket, settings):
    settings.LANGUAGE_CODE = "es"
    ticket.satisfaction_rating, ticket.status = 5, "resolved"
    ticket.save()
    for url in (reverse("service:ticket_update", args=[ticket.pk]), ticket.get_absolute_url()):
        response = agent_client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        assert 'lang="es"' in response.text
