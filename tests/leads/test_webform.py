"""The public web-to-lead form: entries, errors, honeypot, rate limit, and matching customers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from contacts.models import Contact, Customer
from crm.accounts.roles import Role
from leads.models import Lead
from marketing.models import CampaignMember
from tests.factories import CustomerFactory, user_with_role
from tests.leads.factories import web_form_campaign

ENTRY = {
    "company": "Panadería La Espiga",
    "name": "Lucía Gómez",
    "email": "lucia@espiga.co",
    "phone": "300 765 4321",
    "tax_id": "",
    "city": "Tunja",
    "message": "Quiero una cotización.",
    "website": "",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(north):
    return web_form_campaign(team=north)


def url(campaign, name="leads:web_form"):
    return reverse(name, args=[campaign.web_form_token])


def test_anyone_can_open_the_form_and_it_keeps_csrf_protection(client, campaign):
    response = client.get(url(campaign))
    assert response.status_code == 200
    body = response.content.decode()
    assert "csrfmiddlewaretoken" in body
    assert 'class="d-none"' in body
    assert "style=" not in body.split('data-testid="web-form"')[1]


def test_a_post_without_the_csrf_token_is_refused(campaign):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(campaign), ENTRY).status_code == 403
    assert not Lead.objects.exists()


def test_an_entry_creates_a_prospect_with_its_contact_and_lead(client, campaign, telemarketer, north):
    response = client.post(url(campaign), ENTRY)
    assert response.url == url(campaign, "leads:web_form_thanks")
    assert "Thank you!" in client.get(response.url).content.decode()
    customer = Customer.objects.get(legal_name="Panadería La Espiga")
    assert (customer.email, customer.city, customer.lifecycle_stage) == (
        "lucia@espiga.co",
        "Tunja",
        "interest",
    )
    assert list(customer.relationship_types.values_list("code", flat=True)) == ["prospect"]
    lead = Lead.objects.get()
    assert (lead.customer, lead.source, lead.campaign, lead.status) == (customer, "web_form", campaign, "new")
    assert lead.contact == Contact.objects.get(name="Lucía Gómez")
    assert lead.notes == "Quiero una cotización."
    assert (lead.assigned_to, lead.team) == (telemarketer, north)
    assert CampaignMember.objects.get(campaign=campaign, customer=customer).status == "responded"


def test_a_person_without_a_company_becomes_a_natural_person(client, campaign):
    client.post(url(campaign), {**ENTRY, "company": ""})
    customer = Customer.objects.get()
    assert (customer.legal_name, customer.segment) == ("Lucía Gómez", Customer.Segment.NATURAL_PERSON)
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "LUCIA@espiga.co"), ("phone", "+57 300-765-4321"), ("tax_id", "900.123.456-8")],
)
def test_an_existing_customer_gets_the_lead_instead_of_a_twin(client, campaign, field, value):
    existing = CustomerFactory(email="lucia@espiga.co", phone="3007654321", tax_id="900123456-8")
    entry = {**ENTRY, "email": "", "phone": "", field: value}
    if field == "tax_id":
        entry["email"] = "otra@persona.co"
    client.post(url(campaign), entry)
    assert Customer.objects.count() == 1
    assert Lead.objects.get().customer == existing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": "no-es-correo"}, "Enter a valid email address."),
        ({"email": "", "phone": ""}, "Leave an email or a phone number"),
        ({"phone": "12"}, "at least 7 digits"),
        ({"tax_id": "900123456-1"}, "The check digit of NIT 900123456 should be 8."),
    ],
)
def test_bad_entries_are_told_what_to_fix_and_nothing_is_created(client, campaign, changes, message):
    response = client.post(url(campaign), {**ENTRY, **changes})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please check the fields marked below." in body
    assert message in body
    assert 'value="Panadería La Espiga"' in body  # what was typed is kept
    assert not Lead.objects.exists()


def test_a_filled_honeypot_thanks_but_creates_nothing(client, campaign):
    response = client.post(url(campaign), {**ENTRY, "website": "http://spam.example"})
    assert response.url == url(campaign, "leads:web_form_thanks")
    assert not Customer.objects.exists()
    assert not Lead.objects.exists()


def test_too_many_entries_from_one_address_get_a_429(client, campaign):
    for index in range(5):
        assert (
            client.post(url(campaign), {**ENTRY, "email": f"p{index}@x.co", "phone": ""}).status_code == 302
        )
    response = client.post(url(campaign), ENTRY, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429
    assert "Too many entries" in response.content.decode()
    assert Lead.objects.count() == 5
    other = client.post(url(campaign), {**ENTRY, "email": "z@x.co", "phone": ""}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_closed_form_or_an_unknown_token_is_404(client, campaign):
    assert client.get(reverse("leads:web_form", args=["nope"])).status_code == 404
    campaign.web_form_enabled = False
    campaign.save()
    assert client.get(url(campaign)).status_code == 404
    assert client.post(url(campaign), ENTRY).status_code == 404
    assert client.get(url(campaign, "leads:web_form_thanks")).status_code == 404


def test_without_a_team_the_lead_waits_unassigned(client, db):
    campaign = web_form_campaign()
    user_with_role(Role.TELEMARKETER, username="anyone")
    client.post(url(campaign), ENTRY)
    lead = Lead.objects.get()
    assert (lead.assigned_to, lead.team) == (None, None)


def test_the_form_renders_in_spanish(client, campaign, settings):
    settings.LANGUAGE_CODE = "es"
    response = client.get(url(campaign), headers={"Accept-Language": "es"})
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


def test_wrong_method_is_405(client, campaign):
    assert client.put(url(campaign)).status_code == 405
