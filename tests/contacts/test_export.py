"""Export of the filtered customer list: CSV and XLSX, visible rows only, formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from contacts.models import RelationshipType, Tag
from tests.factories import CustomerFactory

URL = reverse("contacts:customer_export")


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a BOM, so that Excel reads the accents as UTF-8"
    return list(csv.DictReader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows()]


def test_csv_export_has_every_filtered_row_of_every_page(client, rep, settings):
    settings.CRM_LIST_PAGE_SIZE = 2
    for n in range(5):
        CustomerFactory(owner=rep, legal_name=f"Medellín {n} S.A.S.", city="Medellín")
    CustomerFactory(owner=rep, legal_name="Cali S.A.S.", city="Cali")
    client.force_login(rep)

    response = client.get(URL, {"city": "medellín", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = csv_rows(response)
    assert [row["legal_name"] for row in rows] == [f"Medellín {n} S.A.S." for n in range(5)]
    assert list(rows[0]) == [
        "id",
        "legal_name",
        "trade_name",
        "segment",
        "tax_id",
        "economic_activity",
        "phone",
        "email",
        "city",
        "country",
        "lifecycle_stage",
        "relationship_types",
        "tags",
        "owner",
        "team",
        "created_at",
    ]
    assert (rows[0]["owner"], rows[0]["team"]) == ("rep", "North")


def test_export_shows_only_what_the_user_may_see(client, rep, other_team_rep, manager):
    CustomerFactory(owner=rep, legal_name="Mine")
    CustomerFactory(owner=other_team_rep, legal_name="Theirs")

    exported = {}
    for user in (rep, other_team_rep, manager):
        client.force_login(user)
        exported[user.username] = {row["legal_name"] for row in csv_rows(client.get(URL, {"format": "csv"}))}

    assert exported == {"rep": {"Mine"}, "other_rep": {"Theirs"}, "manager": {"Mine", "Theirs"}}


def test_xlsx_export_keeps_numbers_and_dates(client, rep):
    customer = CustomerFactory(owner=rep, legal_name="Andes Ltda", tax_id="900123456-8")
    customer.relationship_types.set(RelationshipType.objects.filter(code__in=["prospect", "customer"]))
    customer.tags.set([Tag.objects.create(name="VIP"), Tag.objects.create(name="Bogotá")])
    client.force_login(rep)

    response = client.get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, row = xlsx_rows(response)
    values = dict(zip([cell.value for cell in header], row, strict=True))
    assert values["id"].value == customer.pk and values["id"].data_type == "n"
    assert isinstance(values["created_at"].value, datetime)
    assert values["tax_id"].value == "900123456-8"
    assert values["relationship_types"].value == "prospect; customer"
    assert values["tags"].value == "Bogotá; VIP"


FORMULAS = {
    "legal_name": '=HYPERLINK("http://evil.example","click")',
    "trade_name": "@SUM(1+1)",
    "phone": "+57 300 123 4567",
    "email": "-2+3@example.com",
    "city": "\tCali",
}


@pytest.fixture
def formula_customer(rep):
    return CustomerFactory(owner=rep, **FORMULAS)


def test_csv_cells_that_look_like_formulas_are_escaped(client, rep, formula_customer):
    client.force_login(rep)

    [row] = csv_rows(client.get(URL, {"format": "csv"}))

    for column, value in FORMULAS.items():
        assert row[column] == "'" + value
    assert row["country"] == "CO"


def test_xlsx_cells_that_look_like_formulas_are_escaped(client, rep, formula_customer):
    client.force_login(rep)

    header, row = xlsx_rows(client.get(URL, {"format": "xlsx"}))

    values = dict(zip([cell.value for cell in header], row, strict=True))
    for column, value in FORMULAS.items():
        assert values[column].value == "'" + value
        assert values[column].data_type == "s", "stored as text, never as a formula"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_the_rows(client, rep, kind):
    client.force_login(rep)
    prospect = RelationshipType.objects.get(code="prospect")
    tag = Tag.objects.create(name="VIP")

    def add_customers(count):
        for _n in range(count):
            customer = CustomerFactory(owner=rep)
            customer.relationship_types.add(prospect)
            customer.tags.add(tag)

    counts = []
    for count in (2, 20):
        add_customers(count)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"format": kind})
            b"".join(response.streaming_content)
        counts.append(len(captured))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("value", ["pdf", "../../etc", ""])
def test_unknown_format_is_a_bad_request_or_csv(client, rep, value):
    client.force_login(rep)

    response = client.get(URL, {"format": value})

    assert response.status_code == (200 if value == "" else 400)


def test_an_invalid_filter_is_ignored_like_on_the_list_page(client, rep):
    CustomerFactory(owner=rep, legal_name="Mine")
    client.force_login(rep)

    response = client.get(URL, {"owner": "not-a-number", "format": "csv"})

    assert [row["legal_name"] for row in csv_rows(response)] == ["Mine"]


@pytest.mark.parametrize("persona", ["accountant", "service_agent", "telemarketer"], indirect=True)
def test_every_role_may_export(client, persona):
    client.force_login(persona)
    assert client.get(URL, {"format": "csv"}).status_code == 200


def test_users_without_a_role_and_anonymous_are_refused(client, no_role):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(no_role)
    assert client.get(URL).status_code == 403


def test_export_answers_only_get(client, rep):
    client.force_login(rep)
    assert client.post(URL, {"format": "csv"}).status_code == 405


def test_export_links_in_the_htmx_results_carry_the_current_filters(client, rep):
    client.force_login(rep)
    response = client.get(
        reverse("contacts:customer_list"), {"city": "Cali", "q": "andina"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert f"{reverse('contacts:customer_export')}?city=Cali&amp;q=andina&amp;format=xlsx" in content
