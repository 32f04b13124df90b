"""The warning shown before a customer is typed in twice, and the "save anyway" box."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from contacts import services
from contacts.duplicates import MAX_CANDIDATES, find_duplicates
from contacts.models import Contact, Customer
from tests.factories import CustomerFactory

CREATE_URL = reverse("contacts:customer_create")


def new_customer(**changes) -> dict:
    data = {
        "segment": "legal_entity",
        "legal_name": "Comercializadora Boyacá Ltda",
        "lifecycle_stage": "interest",
        "country": "CO",
        "city": "Duitama",
    }
    data.update(changes)
    return data


def warning(response) -> str:
    """The text of the duplicates box, or "" when there is none."""
    page = html.unescape(response.content.decode())
    if 'data-testid="duplicates"' not in page:
        return ""
    return page.split('data-testid="duplicates"')[1].split("</div>")[0]


@pytest.fixture
def andina(rep):
    return CustomerFactory(
        owner=rep,
        legal_name="Distribuidora Andina S.A.S.",
        tax_id="900123456-8",
        email="Compras@Andina.com.co",
        phone="+57 310 555 1234",
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"email": "compras@andina.com.co"}, "same email"),
        ({"phone": "310-555-1234"}, "same phone"),
        ({"phone": "(310) 5551234"}, "same phone"),
        ({"legal_name": "Distribuidora Andina"}, "similar name"),
        ({"legal_name": "DISTRIBUIDORA ANDINA SAS"}, "similar name"),
        ({"legal_name": "Distribuidora Andina Ltda."}, "similar name"),
    ],
)
def test_a_likely_duplicate_is_shown_before_saving(rep_client, andina, changes, reason):
    response = rep_client.post(CREATE_URL, new_customer(**changes))
    assert response.status_code == 200
    box = warning(response)
    assert "This customer may already exist:" in box
    assert "Distribuidora Andina S.A.S." in box
    assert reason in box
    assert 'name="confirm_duplicates"' in response.content.decode()
    assert 'value="Duitama"' in response.content.decode()  # the input is kept
    assert Customer.objects.count() == 1


def test_a_visible_duplicate_links_to_its_page(rep_client, andina):
    response = rep_client.post(CREATE_URL, new_customer(email="compras@andina.com.co"))
    assert f'href="{andina.get_absolute_url()}"' in warning(response)


def test_save_anyway_creates_the_customer(rep_client, andina):
    data = new_customer(legal_name="Distribuidora Andina", email="otra@andina.co")
    assert rep_client.post(CREATE_URL, data).status_code == 200
    data["confirm_duplicates"] = "on"
    response = rep_client.post(CREATE_URL, data)
    assert response.status_code == 302
    assert Customer.objects.filter(legal_name="Distribuidora Andina").exists()


def test_a_different_customer_is_saved_without_a_warning(rep_client, andina):
    assert rep_client.post(CREATE_URL, new_customer(phone="601 777 8888")).status_code == 302


def test_the_same_tax_id_is_refused_outright(rep_client, andina):
    response = rep_client.post(CREATE_URL, new_customer(tax_id="900123456-8", confirm_duplicates="on"))
    assert response.status_code == 200
    assert "Customer with this Tax id already exists." in html.unescape(response.content.decode())
    assert Customer.objects.count() == 1


def test_a_duplicate_of_another_team_is_named_but_not_linked_or_detailed(rep_client, other_team_rep):
    theirs = CustomerFactory(
        owner=other_team_rep,
        legal_name="Lácteos del Sur S.A.",
        email="gerencia@lacteos.co",
        phone="3200000000",
        notes="Secret margin 40%",
    )
    response = rep_client.post(CREATE_URL, new_customer(email="gerencia@lacteos.co"))
    box = warning(response)
    assert "Lácteos del Sur S.A." in box
    assert str(other_team_rep) in box
    assert theirs.get_absolute_url() not in response.content.decode()
    assert "3200000000" not in box
    assert "Secret margin" not in response.content.decode()


def test_a_contacts_phone_counts_as_the_same_phone(rep_client, rep):
    company = CustomerFactory(owner=rep, legal_name="Empresa Con Contacto")
    services.save_contact(contact=Contact(customer=company, name="Luz", phone="315 777 8899"), by=rep)
    box = warning(rep_client.post(CREATE_URL, new_customer(phone="3157778899")))
    assert "Empresa Con Contacto" in box


# -- find_duplicates ----------------------------------------------------------------------------


def test_names_that_share_only_connecting_words_are_still_compared(rep):
    CustomerFactory(owner=rep, legal_name="Café de la Sierra S.A.S.")
    found = find_duplicates({"legal_name": "Café de la Sierra"})
    assert [d.customer.legal_name for d in found] == ["Café de la Sierra S.A.S."]
    assert found[0].reasons == ["similar name"]


def test_a_name_that_is_only_a_legal_suffix_matches_nothing(rep):
    CustomerFactory(owner=rep, legal_name="Algo S.A.S.")
    assert find_duplicates({"legal_name": "S.A.S."}) == []


def test_all_reasons_are_listed(andina):
    found = find_duplicates(
        {
            "tax_id": "900123456-8",
            "email": "COMPRAS@andina.com.co",
            "phone": "3105551234",
            "legal_name": "Distribuidora Andina",
        }
    )
    assert len(found) == 1
    assert found[0].reasons == ["same tax id", "same email", "same phone", "similar name"]


def test_nothing_to_compare_finds_nothing(andina):
    assert find_duplicates({}) == []
    assert find_duplicates({"phone": "123", "legal_name": "ab"}) == []


def test_the_customer_being_edited_is_not_its_own_duplicate(andina):
    assert find_duplicates({"email": andina.email}, exclude_pk=andina.pk) == []


def test_visibility_is_marked_per_user(andina, rep, other_team_rep):
    [seen_by_rep] = find_duplicates({"email": andina.email}, visible_to=rep)
    [seen_by_other] = find_duplicates({"email": andina.email}, visible_to=other_team_rep)
    assert seen_by_rep.customer.is_visible is True
    assert seen_by_other.customer.is_visible is False


def test_at_most_a_handful_of_candidates_are_listed(rep):
    for number in range(MAX_CANDIDATES + 5):
        CustomerFactory(owner=rep, legal_name=f"Inversiones Norte {number}")
    assert len(find_duplicates({"legal_name": "Inversiones Norte"})) == MAX_CANDIDATES


def test_a_suffixed_name_finds_the_customer_typed_without_it(rep):
    CustomerFactory(owner=rep, legal_name="Distribuidora Andina")
    for typed in (
        "Distribuidora Andina S.A.S.",
        "Distribuidora Andina S. A. S.",
        "distribuidora andina y cía. ltda",
    ):
        assert [d.reasons for d in find_duplicates({"legal_name": typed})] == [["similar name"]]


def test_checking_for_duplicates_costs_the_same_for_many_candidates(rep, django_assert_num_queries):
    roles_loaded = find_duplicates({"legal_name": "Nadie"}, visible_to=rep)  # the rep's roles are cached
    assert roles_loaded == []
    CustomerFactory(owner=rep, legal_name="Inversiones Sur 0", email="x0@sur.co")
    with django_assert_num_queries(2):
        find_duplicates({"legal_name": "Inversiones Sur", "email": "x1@sur.co"}, visible_to=rep)
    for number in range(1, 15):
        CustomerFactory(owner=rep, legal_name=f"Inversiones Sur {number}", email=f"x{number}@sur.co")
    with django_assert_num_queries(2):
        find_duplicates({"legal_name": "Inversiones Sur", "email": "x1@sur.co"}, visible_to=rep)
