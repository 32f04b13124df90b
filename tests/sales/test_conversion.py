"""Qualifying a lead hands it to a sales rep as an opportunity on the same customer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Customer
from crm.accounts.models import Notification
from crm.accounts.roles import Role
from leads.models import Lead
from sales.models import Opportunity
from sales.services.conversion import convert_lead
from tests.factories import user_with_role
from tests.helpers import text
from tests.leads.factories import LeadCampaignFactory, LeadFactory


@pytest.fixture
def campaign(db):
    return LeadCampaignFactory(name="Feria del Hogar 2026")


@pytest.fixture
def lead(telemarketer, campaign):
    return LeadFactory(
        assigned_to=telemarketer,
        campaign=campaign,
        status=Lead.Status.CONTACTING,
        customer__legal_name="Muebles Roble S.A.S.",
    )


def convert_url(lead: Lead, won: bool = False) -> str:
    return reverse("sales:lead_convert", args=[lead.pk]) + ("?won=1" if won else "")


def form_data(person, **changes) -> dict:
    return {
        "need": "Renovar el mobiliario de 3 sedes",
        "budget": "80 millones",
        "authority": "Gerente general",
        "timeline": "Este trimestre",
        "rep": person.pk,
        "name": "Mobiliario sedes",
        "amount": "80000000",
        "expected_close_date": (timezone.localdate() + timedelta(days=45)).isoformat(),
        **changes,
    }


def test_converting_opens_an_opportunity_on_the_same_customer_and_alerts_the_rep(
    client, telemarketer, rep, lead, campaign, django_capture_on_commit_callbacks
):
    client.force_login(telemarketer)
    customers_before = Customer.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(convert_url(lead), form_data(rep))

    assert response.status_code == 302
    assert response.url == reverse("leads:queue")
    opportunity = Opportunity.objects.get()
    assert opportunity.customer == lead.customer
    assert Customer.objects.count() == customers_before
    assert (opportunity.owner, opportunity.team) == (rep, rep.team)
    assert opportunity.source_lead == lead
    assert opportunity.campaign == campaign
    assert str(opportunity.stage) == "Qualification"
    assert opportunity.probability == opportunity.stage.default_probability
    assert opportunity.amount == Decimal("80000000")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    assert (lead.need, lead.budget, lead.authority, lead.timeline) == (
        "Renovar el mobiliario de 3 sedes",
        "80 millones",
        "Gerente general",
        "Este trimestre",
    )
    alert = Notification.objects.get(recipient=rep, url=opportunity.get_absolute_url())
    assert "Mobiliario sedes" in alert.message
    assert any(message.to == [rep.email] and "Mobiliario sedes" in message.body for message in mail.outbox)
    assert Activity.objects.filter(customer=lead.customer, subject__contains="Lead handed to").exists()
    # The customer had no owner: the rep takes it.
    assert Customer.objects.get(pk=lead.customer_id).owner == rep


def test_a_customer_with_an_owner_keeps_it(telemarketer, teammate, rep, campaign):
    lead = LeadFactory(assigned_to=telemarketer, customer__owner=teammate)

    convert_lead(
        lead=lead,
        rep=rep,
        by=telemarketer,
        name="Renovación",
        amount=Decimal(1),
        expected_close_date=timezone.localdate(),
    )

    lead.customer.refresh_from_db()
    assert lead.customer.owner == teammate


def test_sold_by_phone_is_a_won_opportunity(client, telemarketer, rep, lead):
    client.force_login(telemarketer)
    page = client.get(convert_url(lead, won=True))
    assert "Record the sale" in text(page)

    data = form_data(rep, expected_close_date=timezone.localdate().isoformat())
    response = client.post(convert_url(lead, won=True), {**data, "won": "1"})

    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.stage.is_won
    assert opportunity.probability == 100
    assert opportunity.closed_on == timezone.localdate()


def test_the_rep_sees_the_converted_opportunity_on_the_board(client, telemarketer, rep, lead):
    convert_lead(
        lead=lead,
        rep=rep,
        by=telemarketer,
        name="Mobiliario sedes",
        amount=Decimal(100),
        expected_close_date=timezone.localdate() + timedelta(days=3),
    )
    client.force_login(rep)

    assert "Mobiliario sedes" in text(client.get(reverse("sales:board")))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-5"}, "The amount cannot be negative."),
        ({"amount": "mucho"}, "Enter a number."),
        ({"rep": ""}, "Choose the sales rep who takes the lead."),
        ({"rep": "999999"}, "Choose one of the sales reps in the list."),
        ({"expected_close_date": "2001-01-01"}, "The expected close date cannot be in the past."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_explained_and_the_lead_stays_open(client, telemarketer, rep, lead, changes, message):
    client.force_login(telemarketer)

    response = client.post(convert_url(lead), form_data(rep, **changes))

    assert response.status_code == 400
    assert message in text(response)
    assert "Renovar el mobiliario de 3 sedes" in text(response)
    assert not Opportunity.objects.exists()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTING


def test_a_telemarketer_is_not_a_rep_to_hand_to(client, telemarketer, lead):
    client.force_login(telemarketer)

    response = client.post(convert_url(lead), form_data(telemarketer))

    assert response.status_code == 400
    assert not Opportunity.objects.exists()


def test_a_converted_lead_cannot_be_converted_twice(client, telemarketer, rep, lead):
    client.force_login(telemarketer)
    client.post(convert_url(lead), form_data(rep))

    again = client.post(convert_url(lead), form_data(rep))

    assert again.status_code == 302
    assert again.url == lead.get_absolute_url()
    assert Opportunity.objects.count() == 1


def test_a_telemarketer_of_another_team_gets_404(client, lead, south, rep):
    stranger = user_with_role(Role.TELEMARKETER, team=south, username="tm_south")
    client.force_login(stranger)

    assert client.get(convert_url(lead)).status_code == 404
    assert client.post(convert_url(lead), form_data(rep)).status_code == 404
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("persona", ["marketer", "accountant", "no_role"], indirect=True)
def test_who_may_not_convert_gets_403(client, persona, lead):
    client.force_login(persona)
    assert client.get(convert_url(lead)).status_code == 403


def test_qualify_screen_renders_in_spanish(client, telemarketer, lead):
    client.force_login(telemarketer)

    response = client.get(convert_url(lead), HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
