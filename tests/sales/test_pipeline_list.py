"""The opportunity list: filters, totals of the filtered set, sorting, pages, visibility."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import LostReason
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import text
from tests.sales.factories import OpportunityFactory, stage

URL = reverse("sales:opportunity_list")


def names(response) -> list[str]:
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', text(response))


def total(response, which: str) -> str:
    return re.search(rf'data-testid="total-{which}">([^<]*)<', text(response)).group(1)


@pytest.fixture
def pipeline(customer, rep, teammate, other_team_rep):
    today = timezone.localdate()
    OpportunityFactory(
        customer=customer,
        owner=rep,
        name="Licencias ERP",
        amount=Decimal("10000000"),
        stage=stage("Proposal"),
        probability=60,
        expected_close_date=today + timedelta(days=10),
    )
    OpportunityFactory(
        customer=CustomerFactory(owner=teammate, legal_name="Café Montaña S.A.S."),
        name="Soporte anual",
        amount=Decimal("2000000"),
        probability=10,
        expected_close_date=today + timedelta(days=40),
    )
    OpportunityFactory(
        customer=customer,
        owner=rep,
        name="Ganada en marzo",
        amount=Decimal("3000000"),
        stage=stage("Won"),
        probability=100,
        closed_on=today,
        expected_close_date=today - timedelta(days=5),
    )
    OpportunityFactory(
        customer=customer,
        owner=rep,
        name="Perdida por precio",
        amount=Decimal("500000"),
        stage=stage("Lost"),
        probability=0,
        lost_reason=LostReason.objects.get(name="Price"),
        closed_on=today,
        expected_close_date=today - timedelta(days=20),
    )
    OpportunityFactory(customer=CustomerFactory(owner=other_team_rep), name="De Otro Equipo")


# -- Who sees what -------------------------------------------------------------------------------


def test_a_rep_sees_their_own_and_their_teams_only(rep_client, pipeline):
    assert sorted(names(rep_client.get(URL))) == [
        "Ganada en marzo",
        "Licencias ERP",
        "Perdida por precio",
        "Soporte anual",
    ]


@pytest.mark.parametrize("persona", ["manager", "admin_user", "accountant"], indirect=True)
def test_people_who_see_everything_see_all(client, pipeline, persona):
    client.force_login(persona)
    assert "De Otro Equipo" in names(client.get(URL))


def test_a_user_without_a_role_is_refused_and_anonymous_sent_to_login(client, no_role):
    assert client.get(URL)["Location"].startswith(reverse("login"))
    client.force_login(no_role)
    assert client.get(URL).status_code == 403


# -- Filters -------------------------------------------------------------------------------------


def test_default_order_is_by_close_date(rep_client, pipeline):
    assert names(rep_client.get(URL)) == [
        "Perdida por precio",
        "Ganada en marzo",
        "Licencias ERP",
        "Soporte anual",
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["Licencias ERP", "Soporte anual"]),
        ("won", ["Ganada en marzo"]),
        ("lost", ["Perdida por precio"]),
    ],
)
def test_filter_open_won_lost(rep_client, pipeline, status, expected):
    assert names(rep_client.get(URL, {"status": status})) == expected


def test_filter_by_stage_owner_and_team(rep_client, pipeline, teammate, north):
    assert names(rep_client.get(URL, {"stage": stage("Proposal").pk})) == ["Licencias ERP"]
    assert names(rep_client.get(URL, {"owner": teammate.pk})) == ["Soporte anual"]
    assert "Soporte anual" not in names(rep_client.get(URL, {"owner": "mine"}))
    assert len(names(rep_client.get(URL, {"team": north.pk}))) == 4


def test_filter_by_close_date_range(rep_client, pipeline):
    today = timezone.localdate()
    found = names(
        rep_client.get(
            URL, {"close_from": today.isoformat(), "close_to": (today + timedelta(20)).isoformat()}
        )
    )
    assert found == ["Licencias ERP"]


def test_filter_by_amount_range(rep_client, pipeline):
    assert names(rep_client.get(URL, {"amount_min": "1000000", "amount_max": "5000000"})) == [
        "Ganada en marzo",
        "Soporte anual",
    ]


@pytest.mark.parametrize("query", ["erp", "licencias", "cafe montana", "Montaña soporte"])
def test_search_by_name_or_customer(rep_client, pipeline, query):
    found = names(rep_client.get(URL, {"q": query}))
    assert found in (["Licencias ERP"], ["Soporte anual"])


def test_search_by_customer_finds_all_its_opportunities(rep_client, pipeline):
    assert len(names(rep_client.get(URL, {"q": "andina"}))) == 3


def test_bad_filter_values_are_explained_not_failed(rep_client, pipeline):
    response = rep_client.get(
        URL, {"close_from": "31/31/2026", "amount_min": "mucho", "stage": "x", "sort": "nope"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in text(response)
    assert "Enter a number." in text(response)
    assert len(names(response)) == 4


# -- Totals --------------------------------------------------------------------------------------


def test_totals_of_the_filtered_set(rep_client, pipeline):
    response = rep_client.get(URL)
    assert total(response, "count") == "4"
    assert total(response, "amount") == "15,500,000"
    # 10M × 60% + 2M × 10% + 3M × 100% + 0.5M × 0%
    assert total(response, "weighted") == "9,200,000"
    open_only = rep_client.get(URL, {"status": "open"})
    assert (total(open_only, "count"), total(open_only, "amount"), total(open_only, "weighted")) == (
        "2",
        "12,000,000",
        "6,200,000",
    )


def test_totals_cover_every_page_not_just_the_first(rep_client, customer, settings):
    settings.CRM_LIST_PAGE_SIZE = 2
    for _number in range(5):
        OpportunityFactory(customer=customer, amount=Decimal("1000000"), probability=50)
    response = rep_client.get(URL)
    assert len(names(response)) == 2
    assert (total(response, "count"), total(response, "amount"), total(response, "weighted")) == (
        "5",
        "5,000,000",
        "2,500,000",
    )


def test_an_empty_list_says_so(rep_client):
    response = rep_client.get(URL)
    assert "No opportunities match." in text(response)
    assert total(response, "count") == "0"


# -- Sorting and pages ---------------------------------------------------------------------------


def test_sort_by_amount_both_ways(rep_client, pipeline):
    assert names(rep_client.get(URL, {"sort": "-amount"}))[0] == "Licencias ERP"
    assert names(rep_client.get(URL, {"sort": "amount"}))[0] == "Perdida por precio"


def test_sort_by_customer_and_stage(rep_client, pipeline):
    assert names(rep_client.get(URL, {"sort": "customer"}))[0] == "Soporte anual"
    assert names(rep_client.get(URL, {"sort": "-stage"}))[0] == "Perdida por precio"


def test_pages_keep_filters_and_never_repeat_rows(rep_client, customer, settings):
    settings.CRM_LIST_PAGE_SIZE = 3
    same_day = date(2031, 1, 1)
    for number in range(8):
        OpportunityFactory(customer=customer, name=f"Op {number}", expected_close_date=same_day)
    seen = []
    for page in (1, 2, 3):
        response = rep_client.get(URL, {"status": "open", "page": page})
        seen += names(response)
    assert sorted(seen) == [f"Op {number}" for number in range(8)]
    assert "status=open&page=2" in text(rep_client.get(URL, {"status": "open"}))


def test_a_bad_page_number_shows_a_page(rep_client, pipeline):
    assert rep_client.get(URL, {"page": "zzz"}).status_code == 200
    assert rep_client.get(URL, {"page": "9999"}).status_code == 200


def test_htmx_gets_the_results_only(rep_client, pipeline):
    response = rep_client.get(URL, {"status": "won"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert names(response) == ["Ganada en marzo"]
    assert total(response, "count") == "1"
    assert "HX-Request" in response["Vary"]


def test_renders_in_spanish(rep_client, pipeline):
    response = rep_client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(captured)


def _grow(rep, count: int) -> None:
    for number in range(count):
        owner = UserFactory(team=rep.team)
        OpportunityFactory(
            customer=CustomerFactory(owner=owner),
            owner=owner,
            stage=stage("Won" if number % 3 == 0 else "Negotiation"),
        )


@pytest.mark.parametrize("persona", ["rep", "manager"], indirect=True)
@pytest.mark.parametrize("params", [{}, {"q": "compa", "sort": "-owner"}])
def test_list_queries_do_not_grow(client, persona, rep, params):
    client.force_login(persona)
    _grow(rep, 2)
    cold = _queries(client, URL, params)
    few = _queries(client, URL, params)  # dropdown options from the cache
    _grow(rep, 60)
    assert _queries(client, URL, params) == cold
    assert _queries(client, URL, params) == few
