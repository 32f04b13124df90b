"""Creating and editing a customer: every bad input gets a message, and no edit is silently lost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Customer, EconomicActivity, Tag
from crm.accounts.models import Notification
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import text

CREATE_URL = reverse("contacts:customer_create")


def edit_url(customer) -> str:
    return reverse("contacts:customer_update", args=[customer.pk])


def as_post(form) -> dict:
    """What the browser sends back for the form as it was rendered."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def new_customer(**changes) -> dict:
    data = {
        "segment": "legal_entity",
        "legal_name": "Ferretería El Tornillo S.A.S.",
        "lifecycle_stage": "interest",
        "country": "CO",
        "city": "Tunja",
    }
    data.update(changes)
    return data


# -- Creating ------------------------------------------------------------------------------------


def test_creating_a_customer_makes_the_creator_its_owner(rep_client, rep):
    response = rep_client.post(CREATE_URL, new_customer(tax_id="890.900.608-9"), follow=True)
    customer = Customer.objects.get()
    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Customer Ferretería El Tornillo S.A.S. created." in text(response)
    assert customer.owner == rep
    assert customer.team == rep.team
    assert customer.tax_id == "890900608-9"
    assert not Notification.objects.exists()


def test_creating_a_customer_for_a_teammate_alerts_them(rep_client, teammate):
    rep_client.post(CREATE_URL, new_customer(owner=teammate.pk))
    assert Customer.objects.get().owner == teammate
    assert Notification.objects.get().recipient == teammate


def test_a_foreign_tax_id_is_not_checked_as_a_nit(rep_client):
    response = rep_client.post(CREATE_URL, new_customer(tax_id="12-3456789", country="us"))
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.tax_id, customer.country) == ("12-3456789", "US")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"legal_name": ""}, "legal_name", "This field is required."),
        ({"legal_name": "   "}, "legal_name", "This field is required."),
        ({"email": "ventas@"}, "email", "Enter a valid email address."),
        ({"website": "not a site"}, "website", "Enter a valid URL."),
        ({"tax_id": "9001234568"}, "tax_id", "Enter the NIT as digits, a hyphen and the check digit"),
        ({"tax_id": "NIT-900"}, "tax_id", "Enter the NIT as digits, a hyphen and the check digit"),
        ({"tax_id": "900123456-7"}, "tax_id", "The check digit of NIT 900123456 should be 8."),
        ({"employees": "-3"}, "employees", "Ensure this value is greater than or equal to 0."),
        ({"employees": "many"}, "employees", "Enter a whole number."),
        ({"country": "COL"}, "country", "Use the two-letter ISO country code, e.g. CO."),
        ({"country": "1A"}, "country", "Use the two-letter ISO country code, e.g. CO."),
        ({"country": ""}, "country", "This field is required."),
        ({"owner": "999999"}, "owner", "Select a valid choice."),
        ({"owner": "abc"}, "owner", "Select a valid choice."),
        ({"segment": "robot"}, "segment", "Select a valid choice."),
        ({"economic_activity": "999999"}, "economic_activity", "Select a valid choice."),
        ({"tags": ["999999"]}, "tags", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_rest_is_kept(rep_client, changes, field, message):
    response = rep_client.post(CREATE_URL, new_customer(city="Sogamoso", **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert field in response.context["form"].errors
    assert 'value="Sogamoso"' in response.content.decode()
    assert not Customer.objects.exists()


def test_a_tax_id_already_used_is_a_clear_error_not_a_crash(rep_client, customer):
    response = rep_client.post(CREATE_URL, new_customer(tax_id="900.123.456-8"))
    assert response.status_code == 200
    assert "Customer with this Tax id already exists." in text(response)
    assert Customer.objects.count() == 1


def test_a_tax_id_taken_by_a_customer_the_rep_cannot_see_is_still_refused(rep_client, other_team_rep):
    CustomerFactory(owner=other_team_rep, tax_id="900123456-8")
    response = rep_client.post(CREATE_URL, new_customer(tax_id="900123456-8"))
    assert response.status_code == 200
    assert "Customer with this Tax id already exists." in text(response)


def test_the_create_form_renders(rep_client):
    response = rep_client.get(CREATE_URL)
    assert response.status_code == 200
    assert 'name="version"' not in response.content.decode()


# -- Editing -------------------------------------------------------------------------------------


def test_editing_saves_and_bumps_the_version(rep_client, customer):
    data = as_post(rep_client.get(edit_url(customer)).context["form"])
    data.update(city="Pereira", lifecycle_stage="retention")
    response = rep_client.post(edit_url(customer), data, follow=True)
    assert "Customer Distribuidora Andina S.A.S. saved." in text(response)
    customer.refresh_from_db()
    assert (customer.city, customer.lifecycle_stage, customer.version) == ("Pereira", "retention", 2)


def test_editing_keeps_the_tax_id_the_customer_already_has(rep_client, customer):
    data = as_post(rep_client.get(edit_url(customer)).context["form"])
    assert rep_client.post(edit_url(customer), data).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"legal_name": ""}, "This field is required."),
        ({"tax_id": "900123456-1"}, "should be 8"),
        ({"email": "x@"}, "Enter a valid email address."),
        ({"owner": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_edits_are_refused_with_a_message(rep_client, customer, changes, message):
    data = as_post(rep_client.get(edit_url(customer)).context["form"])
    data.update(changes)
    response = rep_client.post(edit_url(customer), data)
    assert response.status_code == 200
    assert message in text(response)
    customer.refresh_from_db()
    assert customer.version == 1


def test_editing_onto_another_customers_tax_id_is_refused(rep_client, customer, rep):
    other = CustomerFactory(owner=rep, tax_id="890900608-9")
    data = as_post(rep_client.get(edit_url(other)).context["form"])
    data["tax_id"] = "900123456-8"
    response = rep_client.post(edit_url(other), data)
    assert response.status_code == 200
    assert "Customer with this Tax id already exists." in text(response)


def test_changing_the_owner_in_the_form_alerts_the_new_owner(rep_client, customer, teammate):
    data = as_post(rep_client.get(edit_url(customer)).context["form"])
    data["owner"] = teammate.pk
    rep_client.post(edit_url(customer), data)
    assert Notification.objects.get().recipient == teammate


def test_taking_a_customer_in_the_form_alerts_nobody(client, customer, teammate):
    client.force_login(teammate)
    data = as_post(client.get(edit_url(customer)).context["form"])
    data["owner"] = teammate.pk
    client.post(edit_url(customer), data)
    customer.refresh_from_db()
    assert customer.owner == teammate
    assert not Notification.objects.exists()


# -- Two people editing at once ------------------------------------------------------------------


def test_the_second_of_two_edits_is_refused_and_keeps_its_input(client, customer, rep, teammate):
    from django.test import Client

    theirs, mine = Client(), client
    theirs.force_login(teammate)
    mine.force_login(rep)
    their_form = as_post(theirs.get(edit_url(customer)).context["form"])
    my_form = as_post(mine.get(edit_url(customer)).context["form"])

    their_form.update(city="Manizales", lifecycle_stage="retention")
    assert theirs.post(edit_url(customer), their_form).status_code == 302

    my_form.update(phone="601 555 0000")
    response = mine.post(edit_url(customer), my_form)
    assert response.status_code == 200
    page = text(response)
    assert "Someone saved this customer while you were editing it." in page
    conflict = page[page.index('data-testid="conflict"') :].split("</div>")[0]
    assert "city" in conflict
    assert "lifecycle stage" in conflict
    assert "phone" not in conflict
    assert 'value="601 555 0000"' in page  # my input is still in the form
    customer.refresh_from_db()
    assert (customer.city, customer.phone, customer.version) == ("Manizales", "", 2)

    # Saving the re-rendered form again is a deliberate overwrite.
    again = as_post(response.context["form"])
    assert again["version"] == 2
    assert mine.post(edit_url(customer), again).status_code == 302
    customer.refresh_from_db()
    assert (customer.city, customer.phone, customer.version) == ("Bogotá", "601 555 0000", 3)


def test_an_owner_assignment_in_between_also_counts_as_a_conflict(client, customer, rep, manager, teammate):
    client.force_login(rep)
    my_form = as_post(client.get(edit_url(customer)).context["form"])
    client.force_login(manager)
    client.post(reverse("contacts:customer_assign", args=[customer.pk]), {"owner": teammate.pk})
    client.force_login(rep)
    my_form["city"] = "Neiva"
    response = client.post(edit_url(customer), my_form)
    assert response.status_code == 200
    assert "owner" in text(response).split('data-testid="conflict"')[1].split("</div>")[0]
    customer.refresh_from_db()
    assert (customer.owner, customer.city) == (teammate, "Bogotá")


@pytest.mark.parametrize("version", ["abc", "", "-1", "1.5", "99"])
def test_a_damaged_or_missing_version_is_a_conflict_not_a_crash_or_an_overwrite(
    rep_client, customer, version
):
    data = as_post(rep_client.get(edit_url(customer)).context["form"])
    data.update(version=version, city="Ibagué")
    response = rep_client.post(edit_url(customer), data)
    assert response.status_code == 200
    assert "Someone saved this customer while you were editing it." in text(response)
    customer.refresh_from_db()
    assert customer.city == "Bogotá"
    # The form now carries the current version, so saving again is deliberate.
    assert rep_client.post(edit_url(customer), as_post(response.context["form"])).status_code == 302
    customer.refresh_from_db()
    assert customer.city == "Ibagué"


# -- Who may use it ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager"], indirect=True)
def test_owner_teammates_and_managers_may_edit(client, customer, persona):
    client.force_login(persona)
    data = as_post(client.get(edit_url(customer)).context["form"])
    data["city"] = "Yopal"
    assert client.post(edit_url(customer), data).status_code == 302


def test_other_teams_rep_gets_404_and_changes_nothing(client, customer, other_team_rep):
    client.force_login(other_team_rep)
    assert client.get(edit_url(customer)).status_code == 404
    assert client.post(edit_url(customer), new_customer(version=1)).status_code == 404
    customer.refresh_from_db()
    assert customer.version == 1


@pytest.mark.parametrize("address", [CREATE_URL, "edit"])
def test_user_without_role_gets_403(client, customer, no_role, address):
    client.force_login(no_role)
    address = edit_url(customer) if address == "edit" else address
    assert client.get(address).status_code == 403
    assert client.post(address, new_customer()).status_code == 403


@pytest.mark.parametrize("address", [CREATE_URL, "edit"])
def test_anonymous_is_sent_to_login(client, customer, address):
    address = edit_url(customer) if address == "edit" else address
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("address", [CREATE_URL, "edit"])
def test_renders_in_spanish(rep_client, customer, address):
    address = edit_url(customer) if address == "edit" else address
    response = rep_client.get(address, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_errors_render_in_spanish(rep_client):
    response = rep_client.post(CREATE_URL, new_customer(tax_id="900123456-7"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "should be 8" not in text(response)


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def _grow(rep, count: int) -> None:
    for number in range(count):
        UserFactory(team=rep.team)
        Tag.objects.create(name=f"etiqueta-{rep.pk}-{count}-{number}")
        EconomicActivity.objects.create(code=f"{count}{number:03}", name="Actividad")
        CustomerFactory(owner=rep)


@pytest.mark.parametrize("address", [CREATE_URL, "edit"])
def test_query_count_does_not_grow_with_users_tags_or_customers(rep_client, customer, rep, address):
    address = edit_url(customer) if address == "edit" else address
    _grow(rep, 2)
    _queries(rep_client, address)
    few = _queries(rep_client, address)
    _grow(rep, 30)
    assert _queries(rep_client, address) == few
