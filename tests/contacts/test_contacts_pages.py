"""The pages for people at a company customer: add, edit and remove a contact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import text


def create_url(customer) -> str:
    return reverse("contacts:contact_create", args=[customer.pk])


def update_url(contact) -> str:
    return reverse("contacts:contact_update", args=[contact.pk])


def delete_url(contact) -> str:
    return reverse("contacts:contact_delete", args=[contact.pk])


def a_person(**changes) -> dict:
    data = {"name": "Marta Gil", "role": "Compras", "phone": "310 555 0000", "email": "marta@andina.co"}
    data.update(changes)
    return data


@pytest.fixture
def contact(customer, rep):
    return services.save_contact(
        contact=Contact(customer=customer, name="Pedro Ruiz", role="Gerente"), by=rep
    )


def test_adding_a_contact_returns_to_the_customer_with_a_message(rep_client, customer, rep):
    response = rep_client.post(create_url(customer), a_person(is_legal_representative="on"), follow=True)
    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Contact Marta Gil added." in text(response)
    contact = Contact.objects.get()
    assert (contact.customer, contact.is_legal_representative) == (customer, True)
    assert contact.history.get().history_user == rep
    assert list(Customer.objects.search("marta gil")) == [customer]
    assert list(Customer.objects.search("3105550000")) == [customer]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": "marta@"}, "Enter a valid email address."),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters"),
    ],
)
def test_a_bad_contact_is_refused_with_a_message(rep_client, customer, changes, message):
    response = rep_client.post(create_url(customer), a_person(**changes))
    assert response.status_code == 200
    assert message in text(response)
    assert 'value="Compras"' in response.content.decode()
    assert not Contact.objects.exists()


def test_editing_a_contact_records_the_change(rep_client, contact, teammate, client):
    client.force_login(teammate)
    response = client.post(update_url(contact), a_person(name="Pedro Ruiz", role="Director"), follow=True)
    assert response.redirect_chain[-1][0] == contact.customer.get_absolute_url()
    assert "Contact Pedro Ruiz saved." in text(response)
    contact.refresh_from_db()
    assert contact.role == "Director"
    assert contact.history.first().history_user == teammate
    assert "role (cargo): <del>Gerente</del> → Director" in text(response)


def test_renaming_a_contact_updates_the_search(rep_client, contact):
    rep_client.post(update_url(contact), a_person(name="Pedro Ramírez"))
    assert list(Customer.objects.search("ramirez")) == [contact.customer]
    assert not Customer.objects.search("ruiz").exists()


def test_a_bad_edit_changes_nothing(rep_client, contact):
    response = rep_client.post(update_url(contact), a_person(name="", role="Director"))
    assert response.status_code == 200
    assert "This field is required." in text(response)
    contact.refresh_from_db()
    assert contact.role == "Gerente"


def test_removing_asks_first_then_removes(rep_client, contact):
    confirm = rep_client.get(delete_url(contact))
    assert confirm.status_code == 200
    assert "Remove Pedro Ruiz?" in text(confirm)
    assert Contact.objects.exists()
    response = rep_client.post(delete_url(contact), follow=True)
    assert response.redirect_chain[-1][0] == contact.customer.get_absolute_url()
    assert "Contact Pedro Ruiz removed." in text(response)
    assert not Contact.objects.exists()
    assert not Customer.objects.search("pedro").exists()
    assert "Contact Pedro Ruiz deleted" in text(response)


# -- Who may use them ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager"], indirect=True)
def test_owner_teammates_and_managers_may_use_every_page(client, customer, contact, persona):
    client.force_login(persona)
    assert client.get(create_url(customer)).status_code == 200
    assert client.get(update_url(contact)).status_code == 200
    assert client.get(delete_url(contact)).status_code == 200


def test_other_teams_rep_gets_404_and_changes_nothing(client, customer, contact, other_team_rep):
    client.force_login(other_team_rep)
    assert client.get(create_url(customer)).status_code == 404
    assert client.post(create_url(customer), a_person()).status_code == 404
    assert client.get(update_url(contact)).status_code == 404
    assert client.post(update_url(contact), a_person(name="Hacked")).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    contact.refresh_from_db()
    assert contact.name == "Pedro Ruiz"
    assert Contact.objects.count() == 1


def test_user_without_role_gets_403(client, customer, contact, no_role):
    client.force_login(no_role)
    assert client.get(create_url(customer)).status_code == 403
    assert client.get(update_url(contact)).status_code == 403
    assert client.post(delete_url(contact)).status_code == 403


def test_anonymous_is_sent_to_login(client, customer, contact):
    for address in (create_url(customer), update_url(contact), delete_url(contact)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_contact_that_does_not_exist_is_404(rep_client):
    assert rep_client.get(reverse("contacts:contact_update", args=[999999])).status_code == 404


@pytest.mark.parametrize("page", ["create", "update", "delete"])
def test_renders_in_spanish(rep_client, customer, contact, page):
    address = {"create": create_url(customer), "update": update_url(contact), "delete": delete_url(contact)}[
        page
    ]
    response = rep_client.get(address, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


# -- Queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["create", "update", "delete"])
def test_query_count_does_not_grow_with_the_contacts(rep_client, customer, contact, rep, page):
    def queries() -> int:
        address = {
            "create": create_url(customer),
            "update": update_url(contact),
            "delete": delete_url(contact),
        }
        with CaptureQueriesContext(connection) as captured:
            assert rep_client.get(address[page]).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for _ in range(5):
        ContactFactory(customer=customer)
        CustomerFactory(owner=rep)
    assert queries() == few
