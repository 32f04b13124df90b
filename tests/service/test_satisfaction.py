"""Satisfaction: resolving a ticket emails the customer a signed link; they rate without logging in."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from service import satisfaction, services
from service.models import Ticket
from service.tasks import send_satisfaction_request_task
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import text
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
BOG = ZoneInfo("America/Bogota")


@pytest.fixture
def ticket(service_agent, south):
    customer = CustomerFactory(
        team=south, legal_name="Panadería La Espiga", email="compras@espiga.co", language="en"
    )
    return TicketFactory(customer=customer, assignee=service_agent, subject="Horno apagado")


def resolve(ticket, by, capture):
    with capture(execute=True):
        services.change_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=by)


def survey_link(email) -> str:
    return re.search(r"https?://\S+/service/satisfaction/\S+/", email.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_resolving_emails_the_customer_a_link_once(ticket, service_agent, django_capture_on_commit_callbacks):
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert email.to == ["compras@espiga.co"]
    assert email.subject == f"How did we do with your request #{ticket.pk}?"
    assert "Horno apagado" in email.body
    assert "valid for 14 days" in email.body
    assert satisfaction.read_token(survey_link(email).rstrip("/").rsplit("/", 1)[1]) == ticket.pk
    # A redelivered task, or resolving again without a change, sends nothing more.
    assert send_satisfaction_request_task.delay(ticket_id=ticket.pk).get() is False
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_ticket_reopened_and_resolved_again_is_asked_again(
    ticket, service_agent, django_capture_on_commit_callbacks
):
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    services.change_status(ticket=ticket, status=Ticket.Status.OPEN, by=service_agent)
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    ticket.refresh_from_db()
    assert ticket.satisfaction_requested_at >= ticket.resolved_at


@pytest.mark.parametrize(("language", "month"), [("en", "March"), ("es", "marzo")])
def test_the_email_and_the_page_speak_the_customers_language(client, ticket, service_agent, language, month):
    ticket.customer.language = language
    ticket.customer.save()
    with time_machine.travel(datetime(2026, 3, 13, 10, tzinfo=BOG)):
        services.change_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=service_agent)
        assert send_satisfaction_request_task.delay(ticket_id=ticket.pk).get() is True
        [email] = mail.outbox
        assert month in email.body
        browser_language = "en" if language == "es" else "es"
        page = client.get(path_of(survey_link(email)), headers={"accept-language": browser_language})
    assert page.status_code == 200
    assert f'lang="{language}"' in page.text


def test_without_a_customer_email_a_contacts_email_is_used(
    ticket, service_agent, django_capture_on_commit_callbacks
):
    ticket.customer.email = ""
    ticket.customer.save()
    ContactFactory(customer=ticket.customer, name="Ana", email="ana@espiga.co")
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["ana@espiga.co"]


def test_nobody_to_write_to_sends_nothing(service_agent, django_capture_on_commit_callbacks):
    ticket = TicketFactory(customer=CustomerFactory(email=""), assignee=service_agent)
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_closing_or_reopening_does_not_ask(ticket, service_agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket=ticket, status=Ticket.Status.CLOSED, by=service_agent)
        services.change_status(ticket=ticket, status=Ticket.Status.OPEN, by=service_agent)
    assert mail.outbox == []


def test_the_customer_rates_without_logging_in_and_the_agent_sees_it(
    client, ticket, service_agent, django_capture_on_commit_callbacks
):
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    url = path_of(survey_link(mail.outbox[0]))
    page = client.get(url)
    assert page.status_code == 200
    assert "Rate our service" in text(page)
    response = client.post(url, {"rating": "4", "comment": "  Rápidos y amables  "})
    assert response.status_code == 200
    assert "Thank you for your rating" in text(response)
    ticket.refresh_from_db()
    assert (ticket.satisfaction_rating, ticket.satisfaction_comment) == (4, "Rápidos y amables")
    assert ticket.satisfaction_at is not None

    client.force_login(service_agent)
    detail = text(client.get(ticket.get_absolute_url()))
    assert "4 out of 5" in detail
    assert "Rápidos y amables" in detail


def test_a_second_rating_is_refused_and_keeps_the_first(client, ticket):
    url = reverse("service:satisfaction", args=[satisfaction.make_token(ticket)])
    client.post(url, {"rating": "2", "comment": "Lento"})
    again = client.get(url)
    assert "This request was already rated" in text(again)
    response = client.post(url, {"rating": "5", "comment": "Cambié de opinión"})
    assert "This request was already rated" in text(response)
    ticket.refresh_from_db()
    assert (ticket.satisfaction_rating, ticket.satisfaction_comment) == (2, "Lento")


def test_a_rated_ticket_is_not_asked_again(ticket, service_agent, django_capture_on_commit_callbacks):
    ticket.satisfaction_rating = 5
    ticket.save()
    resolve(ticket, service_agent, django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.parametrize("rating", ["", "0", "6", "muy bien"])
def test_a_bad_rating_says_why_and_keeps_the_comment(client, ticket, rating):
    url = reverse("service:satisfaction", args=[satisfaction.make_token(ticket)])
    response = client.post(url, {"rating": rating, "comment": "Todo bien"})
    assert response.status_code == 400
    assert response.context["form"].errors["rating"]
    assert "Todo bien" in text(response)
    ticket.refresh_from_db()
    assert ticket.satisfaction_rating is None


def test_an_expired_link_gets_a_friendly_page(client, ticket, settings):
    settings.SERVICE_SATISFACTION_LINK_DAYS = 14
    url = reverse("service:satisfaction", args=[satisfaction.make_token(ticket)])
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(url)
        assert response.status_code == 400
        assert "This survey link has expired" in text(response)
        client.post(url, {"rating": "5"})
    ticket.refresh_from_db()
    assert ticket.satisfaction_rating is None


@pytest.mark.parametrize(
    "token",
    [
        lambda ticket: satisfaction.make_token(ticket)[:-2] + "xx",  # tampered
        lambda ticket: signing.dumps(ticket.pk, salt="another-purpose"),
        lambda ticket: signing.dumps("1", salt=satisfaction.SALT),
        lambda ticket: signing.dumps(True, salt=satisfaction.SALT),
        lambda ticket: signing.dumps(999999, salt=satisfaction.SALT),  # no such ticket
        lambda ticket: "not-a-token",
    ],
)
def test_a_bad_link_gets_a_friendly_page(client, ticket, token):
    response = client.post(reverse("service:satisfaction", args=[token(ticket)]), {"rating": "5"})
    assert response.status_code == 400
    assert "This survey link is not valid" in text(response)
    ticket.refresh_from_db()
    assert ticket.satisfaction_rating is None


def test_the_survey_page_refuses_other_methods(client, ticket):
    url = reverse("service:satisfaction", args=[satisfaction.make_token(ticket)])
    assert client.put(url).status_code == 405
