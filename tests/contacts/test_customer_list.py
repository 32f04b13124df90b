"""The customer list: filters, one search box, sorting, pages, and its htmx results fragment."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.models import Contact, Customer, EconomicActivity, RelationshipType, Tag
from tests.factories import CustomerFactory, UserFactory

URL = reverse("contacts:customer_list")


def names(response) -> list[str]:
    """The customer names in the results table, in display order."""
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', response.content.decode())


# -- Filters -------------------------------------------------------------------------------------


def test_filter_by_type(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Ana Pérez", segment=Customer.Segment.NATURAL_PERSON)
    CustomerFactory(owner=rep, legal_name="Grupo Éxito", segment=Customer.Segment.CORPORATE)
    assert names(rep_client.get(URL, {"segment": "person"})) == ["Ana Pérez"]
    assert names(rep_client.get(URL, {"segment": "corporate"})) == ["Grupo Éxito"]


def test_filter_by_stage(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Perdido", lifecycle_stage=Customer.Stage.LOST)
    CustomerFactory(owner=rep, legal_name="Interesado")
    assert names(rep_client.get(URL, {"lifecycle_stage": "lost"})) == ["Perdido"]


def test_filter_by_owner_and_team(rep_client, rep, teammate, north):
    CustomerFactory(owner=rep, legal_name="De Rep")
    CustomerFactory(owner=teammate, legal_name="De Teammate")
    CustomerFactory(owner=None, team=north, legal_name="Del Equipo")
    assert names(rep_client.get(URL, {"owner": teammate.pk})) == ["De Teammate"]
    assert names(rep_client.get(URL, {"team": north.pk})) == ["De Rep", "De Teammate", "Del Equipo"]


def test_filter_by_city_ignores_case(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Paisa", city="Medellín")
    CustomerFactory(owner=rep, legal_name="Rolo", city="Bogotá")
    assert names(rep_client.get(URL, {"city": "medellín"})) == ["Paisa"]


def test_filter_by_economic_activity(rep_client, rep):
    coffee = EconomicActivity.objects.create(code="0122", name="Cultivo de café")
    CustomerFactory(owner=rep, legal_name="Cafetera", economic_activity=coffee)
    CustomerFactory(owner=rep, legal_name="Otra")
    assert names(rep_client.get(URL, {"economic_activity": coffee.pk})) == ["Cafetera"]


def test_filter_by_tag_and_relationship(rep_client, rep):
    fair = Tag.objects.create(name="feria")
    supplier = RelationshipType.objects.get(code="supplier")
    tagged = CustomerFactory(owner=rep, legal_name="Con Etiqueta")
    tagged.tags.add(fair)
    provider = CustomerFactory(owner=rep, legal_name="Proveedor")
    provider.relationship_types.add(supplier)
    assert names(rep_client.get(URL, {"tag": fair.pk})) == ["Con Etiqueta"]
    assert names(rep_client.get(URL, {"relationship": supplier.pk})) == ["Proveedor"]


def test_filters_combine(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Cali Perdido", city="Cali", lifecycle_stage="lost")
    CustomerFactory(owner=rep, legal_name="Cali Activo", city="Cali", lifecycle_stage="retention")
    CustomerFactory(owner=rep, legal_name="Pasto Perdido", city="Pasto", lifecycle_stage="lost")
    assert names(rep_client.get(URL, {"city": "Cali", "lifecycle_stage": "lost"})) == ["Cali Perdido"]


@pytest.mark.parametrize(
    "query",
    [
        {"owner": "abc"},
        {"owner": "999999"},
        {"segment": "robot"},
        {"sort": "password"},
        {"page": "abc"},
        {"page": "999"},
        {"tag": "-1"},
        {"q": "%_"},
        {"q": "-- ( )"},
    ],
)
def test_bad_filter_values_never_break_the_page(rep_client, rep, query):
    CustomerFactory(owner=rep)
    assert rep_client.get(URL, query).status_code == 200


def test_the_search_box_shows_what_was_typed_escaped(rep_client, rep):
    response = rep_client.get(URL, {"q": "<script>x</script>"})
    assert b"&lt;script&gt;x&lt;/script&gt;" in response.content
    assert b"<script>x</script>" not in response.content


def test_filtering_never_reveals_another_teams_customers(rep_client, rep, other_team_rep, south):
    CustomerFactory(owner=other_team_rep, legal_name="Ajena", city="Cali")
    assert names(rep_client.get(URL, {"team": south.pk})) == []
    assert names(rep_client.get(URL, {"q": "ajena"})) == []


# -- Search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("andina", "DISTRIBUIDORA ANDINA S.A.S."),
        ("ANDINA distribuidora", "DISTRIBUIDORA ANDINA S.A.S."),
        ("cafe", "Café Ñandú"),
        ("ÑANDÚ", "Café Ñandú"),
        ("900.123.456-8", "DISTRIBUIDORA ANDINA S.A.S."),
        ("900123456", "DISTRIBUIDORA ANDINA S.A.S."),
        ("compras@andina", "DISTRIBUIDORA ANDINA S.A.S."),
        ("COMPRAS@ANDINA.COM.CO", "DISTRIBUIDORA ANDINA S.A.S."),
        ("310 555 1234", "Café Ñandú"),
        ("310-555-1234", "Café Ñandú"),
        ("(310) 555-1234", "Café Ñandú"),
        ("3105551234", "Café Ñandú"),
        ("muñoz", "Café Ñandú"),
        ("Jose Munoz", "Café Ñandú"),
    ],
)
def test_one_search_box_finds_by_name_tax_id_email_phone_or_contact(rep_client, rep, typed, found):
    CustomerFactory(
        owner=rep,
        legal_name="DISTRIBUIDORA ANDINA S.A.S.",
        tax_id="900123456-8",
        email="compras@andina.com.co",
    )
    cafe = CustomerFactory(owner=rep, legal_name="Café Ñandú", phone="+57 310 555 1234")
    services.save_contact(contact=Contact(customer=cafe, name="José Muñoz"), by=rep)
    CustomerFactory(owner=rep, legal_name="Otra Empresa", phone="601 222 3333")
    assert names(rep_client.get(URL, {"q": typed})) == [found]


def test_a_contacts_phone_or_email_finds_its_company(rep_client, rep):
    company = CustomerFactory(owner=rep, legal_name="Empresa X")
    services.save_contact(
        contact=Contact(customer=company, name="Luz", phone="315-777-8899", email="luz@x.co"), by=rep
    )
    assert names(rep_client.get(URL, {"q": "315 777 8899"})) == ["Empresa X"]
    assert names(rep_client.get(URL, {"q": "luz@x.co"})) == ["Empresa X"]


def test_the_id_in_the_previous_system_finds_the_customer(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Importada S.A.S.", external_ref="SAP-10045")
    CustomerFactory(owner=rep, legal_name="Otra S.A.S.")
    assert names(rep_client.get(URL, {"q": "sap-10045"})) == ["Importada S.A.S."]


def test_a_search_with_no_match_says_so(rep_client, rep):
    CustomerFactory(owner=rep)
    response = rep_client.get(URL, {"q": "zzzz"})
    assert names(response) == []
    assert b"No customers match." in response.content


# -- Sorting and pages ---------------------------------------------------------------------------


@pytest.fixture
def three(rep, teammate):
    rep.first_name, teammate.first_name = "Zoe", "Ana"
    rep.save()
    teammate.save()
    CustomerFactory(owner=rep, legal_name="Beta", city="Cali")
    CustomerFactory(owner=teammate, legal_name="Alfa", city="Pasto")
    CustomerFactory(owner=rep, legal_name="Gamma", city="Armenia")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["Alfa", "Beta", "Gamma"]),
        ("name", ["Alfa", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Alfa"]),
        ("city", ["Gamma", "Beta", "Alfa"]),
        ("-city", ["Alfa", "Beta", "Gamma"]),
        ("owner", ["Alfa", "Beta", "Gamma"]),
        ("-owner", ["Beta", "Gamma", "Alfa"]),
        ("-created", ["Gamma", "Alfa", "Beta"]),
    ],
)
def test_columns_sort(rep_client, three, sort, expected):
    assert names(rep_client.get(URL, {"sort": sort} if sort else {})) == expected


def test_pages_keep_the_filters_and_never_repeat_a_row(rep_client, rep, settings):
    settings.CRM_LIST_PAGE_SIZE = 4
    for number in range(10):
        CustomerFactory(owner=rep, legal_name=f"Cliente {number:02}", city="Cali")
    CustomerFactory(owner=rep, legal_name="En Pasto", city="Pasto")
    first = rep_client.get(URL, {"city": "Cali", "sort": "-name"})
    assert b"Page 1 of 3" in first.content
    assert b"10 customers" in first.content
    assert "city=Cali&amp;sort=-name&amp;page=2" in first.content.decode()
    seen = []
    for page in (1, 2, 3):
        seen += names(rep_client.get(URL, {"city": "Cali", "sort": "-name", "page": page}))
    assert seen == [f"Cliente {number:02}" for number in reversed(range(10))]


def test_rows_with_the_same_sort_value_are_not_repeated_across_pages(rep_client, rep, settings):
    settings.CRM_LIST_PAGE_SIZE = 3
    for _ in range(7):
        CustomerFactory(owner=rep, city="Cali")
    pages = [names(rep_client.get(URL, {"sort": "city", "page": page})) for page in (1, 2, 3)]
    everyone = [name for page in pages for name in page]
    assert len(everyone) == len(set(everyone)) == 7


# -- htmx ----------------------------------------------------------------------------------------


def test_htmx_gets_only_the_results_fragment(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Andina")
    response = rep_client.get(URL, {"q": "andina"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert names(response) == ["Andina"]
    assert "<html" not in content
    assert "<nav" not in content
    assert 'id="customer-filters"' not in content
    assert "HX-Request" in response["Vary"]


def test_the_full_page_has_the_filters_and_the_same_vary(rep_client, rep):
    CustomerFactory(owner=rep, legal_name="Andina")
    response = rep_client.get(URL)
    content = response.content.decode()
    assert "<html" in content
    assert 'id="customer-filters"' in content
    assert 'id="results"' in content
    assert "HX-Request" in response["Vary"]


# -- Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager", "telemarketer"], indirect=True)
def test_owner_teammates_and_managers_see_the_customer(client, customer, persona):
    client.force_login(persona)
    assert names(client.get(URL)) == [customer.legal_name]


def test_other_teams_rep_sees_an_empty_list(client, customer, other_team_rep):
    client.force_login(other_team_rep)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == []


def test_user_without_role_is_refused(client, no_role):
    client.force_login(no_role)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_renders_in_spanish(rep_client, customer):
    response = rep_client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    assert "Clientes" in response.content.decode()


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, url, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {}, **extra)
    assert response.status_code == 200
    return len(captured)


def _many_customers(owner, count):
    activity = EconomicActivity.objects.create(code=f"{count:04}", name="Comercio")
    tag = Tag.objects.create(name=f"tag{count}")
    for number in range(count):
        other_owner = UserFactory(team=owner.team)
        customer = CustomerFactory(owner=other_owner, economic_activity=activity, legal_name=f"C{number}")
        customer.tags.add(tag)
        customer.relationship_types.add(*RelationshipType.objects.all()[:2])


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        ({}, {}),
        ({"q": "c", "sort": "-owner"}, {}),
        ({}, {"HTTP_HX_REQUEST": "true"}),
    ],
)
def test_query_count_does_not_grow_with_the_rows(rep_client, rep, data, extra):
    _many_customers(rep, 2)
    cold = _queries(rep_client, URL, data, **extra)
    few = _queries(rep_client, URL, data, **extra)  # counts and dropdowns from the cache
    _many_customers(rep, 30)
    assert _queries(rep_client, URL, data, **extra) == cold
    assert _queries(rep_client, URL, data, **extra) == few


def test_column_headers_sort_and_keep_the_filters(rep_client, rep):
    CustomerFactory(owner=rep, city="Cali")
    unsorted = rep_client.get(URL, {"city": "Cali"}).content.decode()
    assert 'href="?city=Cali&amp;sort=name"' in unsorted
    assert 'href="?city=Cali&amp;sort=owner"' in unsorted
    assert "aria-sort" not in unsorted
    by_name = rep_client.get(URL, {"city": "Cali", "sort": "name", "page": "1"}).content.decode()
    assert 'href="?city=Cali&amp;sort=-name"' in by_name
    assert '<th scope="col" aria-sort="ascending">' in by_name
    by_city_descending = rep_client.get(URL, {"sort": "-city"}).content.decode()
    assert 'href="?sort=city"' in by_city_descending
    assert 'class="d-none d-md-table-cell" aria-sort="descending"' in by_city_descending


def test_rows_show_every_column_escaped(rep_client, rep):
    CustomerFactory(
        owner=rep,
        legal_name="<b>Tienda</b> & Cía",
        trade_name="La <i>Tienda</i>",
        tax_id="",
        city="Pasto",
        phone="+57 602 555 0101",
        lifecycle_stage=Customer.Stage.RETENTION,
    )
    page = rep_client.get(URL).content.decode()
    row = page[page.index('<td class="name">') : page.index("</tr>", page.index('<td class="name">'))]
    assert "&lt;b&gt;Tienda&lt;/b&gt; &amp; Cía" in row
    assert "La &lt;i&gt;Tienda&lt;/i&gt;" in row
    assert "<b>" not in row and "<i>" not in row
    assert ">—</td>" in row, "an empty tax id shows a dash"
    assert "Pasto" in row and "+57 602 555 0101" in row
    assert str(Customer.Stage.RETENTION.label) in row
    assert str(rep) in row


def test_rows_speak_the_users_language(rep_client, rep):
    CustomerFactory(owner=rep, lifecycle_stage=Customer.Stage.LOST)
    rep.language = "es"
    rep.save()
    page = rep_client.get(URL).content.decode()
    assert '<span class="badge text-bg-light">Perdido</span>' in page


def test_rows_link_to_each_customers_page(rep_client, rep):
    customers = CustomerFactory.create_batch(3, owner=rep)
    page = rep_client.get(URL).content.decode()
    for customer in customers:
        assert f'<a href="{customer.get_absolute_url()}">' in page


def test_an_empty_list_says_so(rep_client):
    assert "No customers match." in rep_client.get(URL).content.decode()
