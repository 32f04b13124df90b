import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Activity
from service.models import Ticket
from tests.factories import CustomerFactory, user_with_role
from tests.helpers import customer_page
from tests.sales.factories import InstalledProductFactory, OpportunityFactory, ProductFactory, QuoteFactory
from tests.service.factories import CategoryFactory, ReplyFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_customer(south):
    return CustomerFactory(team=south, legal_name="Ferretería del Sur S.A.S.")


@pytest.fixture
def ticket(service_agent, south_customer):
    return TicketFactory(customer=south_customer, assignee=service_agent, subject="Impresora sin tóner")


@pytest.fixture
def agent_client(client, service_agent):
    client.force_login(service_agent)
    return client


def test_the_queue_shows_my_tickets_by_default(agent_client, ticket, south):
    TicketFactory(team=south, subject="Del equipo")
    response = agent_client.get(reverse("service:ticket_list"))
    assert response.status_code == 200
    assert "Impresora sin tóner" in response.text
    assert "Del equipo" not in response.text
    response = agent_client.get(reverse("service:ticket_list"), {"scope": "team"})
    assert "Del equipo" in response.text


def test_the_queue_filters_by_status_priority_category_and_search(agent_client, ticket, service_agent):
    billing = CategoryFactory(name="Facturación")
    TicketFactory(assignee=service_agent, subject="Factura duplicada", category=billing, priority="urgent")
    TicketFactory(assignee=service_agent, subject="Caso cerrado", status=Ticket.Status.CLOSED)
    url = reverse("service:ticket_list")
    text = agent_client.get(url).text
    assert "Caso cerrado" not in text  # closed tickets leave the default queue
    text = agent_client.get(url, {"category": billing.pk}).text
    assert "Factura duplicada" in text
    assert "Impresora" not in text
    text = agent_client.get(url, {"priority": "urgent"}).text
    assert "Factura duplicada" in text
    assert "Impresora" not in text
    text = agent_client.get(url, {"status": "closed"}).text
    assert "Caso cerrado" in text
    text = agent_client.get(url, {"q": "sur"}).text
    assert "Impresora" in text
    assert "Factura duplicada" not in text


def test_the_queue_answers_bad_filters_without_error(agent_client, ticket):
    response = agent_client.get(
        reverse("service:ticket_list"),
        {"scope": "everyone", "status": "x", "category": "abc", "assignee": "999999", "page": "zz"},
    )
    assert response.status_code == 200


def test_a_manager_sees_all_tickets(client, manager, ticket, north):
    TicketFactory(team=north, subject="Ticket del norte")
    client.force_login(manager)
    text = client.get(reverse("service:ticket_list"), {"scope": "all"}).text
    assert "Impresora sin tóner" in text
    assert "Ticket del norte" in text


def test_the_queue_costs_the_same_queries_for_3_and_30_tickets(agent_client, service_agent):
    counts = []
    for total in (3, 30):
        TicketFactory.create_batch(
            total - Ticket.objects.count(), assignee=service_agent, category=CategoryFactory(name="Soporte")
        )
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(reverse("service:ticket_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_opening_a_ticket_from_the_customer_page(agent_client, south_customer, service_agent):
    page = customer_page(agent_client, south_customer)
    new_url = reverse("service:ticket_create", args=[south_customer.pk])
    assert new_url in page
    product = ProductFactory(name="Impresora X")
    response = agent_client.post(
        new_url,
        {
            "subject": "No imprime",
            "description": "",
            "product": product.pk,
            "channel": "phone",
            "priority": "high",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == ticket.get_absolute_url()
    assert (ticket.customer, ticket.product, ticket.team) == (south_customer, product, service_agent.team)
    assert "No imprime" in customer_page(agent_client, south_customer)


def test_opening_a_ticket_with_bad_input_says_why(agent_client, south_customer):
    response = agent_client.post(
        reverse("service:ticket_create", args=[south_customer.pk]),
        {"subject": "", "channel": "fax", "priority": "whenever", "product": "abc"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"subject", "channel", "priority", "product"}
    assert not Ticket.objects.exists()


def test_a_customer_the_agent_cannot_see_answers_404(agent_client, customer):
    assert agent_client.get(reverse("service:ticket_create", args=[customer.pk])).status_code == 404


def test_the_ticket_page_shows_thread_installed_products_and_quotes(agent_client, ticket, service_agent):
    ReplyFactory(ticket=ticket, body="Le escribimos al cliente", author=service_agent)
    ReplyFactory(ticket=ticket, body="Cliente VIP", is_internal=True, author=service_agent)
    InstalledProductFactory(customer=ticket.customer, product=ProductFactory(name="Licencia Contable"))
    quote = QuoteFactory(opportunity=OpportunityFactory(customer=ticket.customer, owner=service_agent))
    text = agent_client.get(ticket.get_absolute_url()).text
    for expected in ("Le escribimos al cliente", "Cliente VIP", "Licencia Contable", str(quote.number)):
        assert expected in text


def test_the_ticket_page_costs_the_same_queries_for_few_and_many_rows(agent_client, ticket, service_agent):
    counts = []
    for size in (2, 12):
        ReplyFactory.create_batch(size, ticket=ticket, author=service_agent)
        InstalledProductFactory.create_batch(size, customer=ticket.customer)
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(ticket.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_replying_logs_on_the_timeline_and_sets_first_response(agent_client, ticket):
    response = agent_client.post(
        reverse("service:ticket_reply", args=[ticket.pk]), {"body": "Ya enviamos el técnico"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Ticket.Status.OPEN
    activity = Activity.objects.get(customer=ticket.customer)
    assert activity.kind == Activity.Kind.EMAIL
    assert "Ya enviamos el técnico" in agent_client.get(ticket.customer.get_absolute_url()).text


def test_an_empty_reply_is_refused_with_a_message(agent_client, ticket):
    response = agent_client.post(reverse("service:ticket_reply", args=[ticket.pk]), {"body": "   "})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]
    assert not ticket.replies.exists()


def test_changing_status_and_assignee(agent_client, ticket, south):
    response = agent_client.post(reverse("service:ticket_status", args=[ticket.pk]), {"status": "resolved"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolved_at is not None
    colleague = user_with_role("Service agent", team=south, username="colega")
    agent_client.post(reverse("service:ticket_assign", args=[ticket.pk]), {"assignee": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_bad_status_and_assignee_are_refused(agent_client, ticket):
    response = agent_client.post(reverse("service:ticket_status", args=[ticket.pk]), {"status": "gone"})
    assert response.status_code == 400
    response = agent_client.post(reverse("service:ticket_assign", args=[ticket.pk]), {"assignee": "x"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.assignee is not None


@pytest.mark.parametrize("name", ["ticket_detail", "ticket_reply", "ticket_status", "ticket_assign"])
def test_an_agent_of_another_team_gets_404(client, ticket, north, name):
    client.force_login(user_with_role("Service agent", team=north, username="norte"))
    method = client.get if name == "ticket_detail" else client.post
    assert method(reverse(f"service:{name}", args=[ticket.pk]), {"body": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["ticket_list", "ticket_detail"])
def test_a_user_without_role_gets_403(client, no_role, ticket, name):
    client.force_login(no_role)
    args = [] if name == "ticket_list" else [ticket.pk]
    assert client.get(reverse(f"service:{name}", args=args)).status_code == 403


def test_a_rep_reads_tickets_of_own_customers_but_cannot_work_them(client, rep, customer):
    ticket = TicketFactory(customer=customer, subject="Queja del cliente")
    client.force_login(rep)
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200
    assert reverse("service:ticket_reply", args=[ticket.pk]) not in page.text
    response = client.post(reverse("service:ticket_reply", args=[ticket.pk]), {"body": "hola"})
    assert response.status_code == 403
    assert client.get(reverse("service:ticket_create", args=[customer.pk])).status_code == 403


def test_the_navbar_links_the_queue_for_agents_only(client, service_agent, rep):
    client.force_login(service_agent)
    assert reverse("service:ticket_list") in client.get(reverse("home")).text
    client.force_login(rep)
    assert reverse("service:ticket_list") not in client.get(reverse("home")).text
