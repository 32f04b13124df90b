"""The reports' index and navbar link, each report in Spanish, and the pages' security headers."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.roles import Role
from crm.insights.reports.registry import REPORTS
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, sales_data_set
from tests.insights.report_pages import chart, report_url
from tests.test_security import assert_strict_csp

INDEX = reverse("insights:reports:index")
ALL = ["Sales", "Forecast accuracy", "Activity", "Pipeline"]
SLUGS = ["sales", "forecast-accuracy", "activity", "pipeline"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def listed(response) -> list[str]:
    page = text(response)
    index = page[page.index('id="report-index"') :]
    return [title for title in ALL if f">{title}</a></h2>" in index]


@pytest.mark.parametrize(
    ("persona", "reports"),
    [
        ("rep", ALL),
        ("manager", ALL),
        ("admin_user", ALL),
        ("telemarketer", ["Activity"]),
    ],
    indirect=["persona"],
)
def test_the_index_lists_the_reports_each_role_may_open(client, persona, reports):
    client.force_login(persona)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert listed(response) == reports
    assert f'href="{INDEX}"' in response.content.decode(), "the navbar links to the reports"


# Personas whose role no report names (other departments' reports may name more roles).
WITHOUT_REPORTS = [
    persona
    for persona, role in [
        ("marketer", Role.MARKETING),
        ("accountant", Role.ACCOUNTING),
        ("service_agent", Role.SERVICE_AGENT),
    ]
    if not any(role in report.roles for report in REPORTS.values())
]


@pytest.mark.parametrize("persona", [*WITHOUT_REPORTS, "no_role"], indirect=True)
def test_roles_without_reports_get_403_and_no_navbar_link(client, persona):
    client.force_login(persona)

    assert client.get(INDEX).status_code == 403
    assert f'href="{INDEX}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["marketer", "accountant", "service_agent"], indirect=True)
def test_these_roles_never_see_sales_activity_or_pipeline_reports(client, persona):
    client.force_login(persona)

    for slug in SLUGS:
        assert client.get(report_url(slug)).status_code == 403, slug


def test_signed_out_visitors_are_sent_to_log_in(client, db):
    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_in_spanish(client, manager, rep, teammate, other_team_rep, north, slug):
    sales_data_set(rep, teammate, other_team_rep, make_leaver(north))
    manager.language = "es"
    manager.save(update_fields=["language"])
    client.force_login(manager)

    response = client.get(report_url(slug), {"period": "this_quarter"})

    page = text(response)
    assert response.status_code == 200
    assert 'lang="es"' in page
    assert "Cerrar sesión" in page
    assert_strict_csp(response)
    if slug == "sales":
        assert "6\xa0240" in page, "amounts grouped the Spanish way"
        assert chart(response)["datasets"][1]["data"][0] == 2999.8, "numbers for machines stay unlocalized"
