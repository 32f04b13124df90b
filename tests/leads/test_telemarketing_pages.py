"""The lead list, the lead page, leads by hand and bulk reassignment: who sees what, at what cost."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.services import log_activity
from crm.accounts.roles import Role
from leads.models import Lead
from leads.services import CallOutcome, log_call
from tests.factories import CustomerFactory, user_with_role
from tests.helpers import text
from tests.leads.factories import LeadCampaignFactory, LeadFactory

LIST = reverse("leads:lead_list")


def names(response) -> list[str]:
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', text(response))


@pytest.fixture
def south_telemarketer(south):
    return user_with_role(Role.TELEMARKETER, team=south, username="tm_south")


@pytest.fixture
def leads(telemarketer, south_telemarketer):
    fair = LeadCampaignFactory(name="Feria Hogar")
    return {
        "mine": LeadFactory(assigned_to=telemarketer, campaign=fair, customer__legal_name="Alfa Ltda."),
        "team": LeadFactory(
            assigned_to=None,
            team=telemarketer.team,
            customer__legal_name="Beta S.A.S.",
            source=Lead.Source.WEB_FORM,
        ),
        "south": LeadFactory(assigned_to=south_telemarketer, customer__legal_name="Gamma S.A."),
    }


def test_telemarketer_sees_own_and_team_leads(client, telemarketer, leads):
    client.force_login(telemarketer)
    assert sorted(names(client.get(LIST))) == ["Alfa Ltda.", "Beta S.A.S."]


@pytest.mark.parametrize("persona", ["manager", "admin_user", "marketer"], indirect=True)
def test_managers_admins_and_marketing_see_every_lead(client, persona, leads):
    client.force_login(persona)
    assert sorted(names(client.get(LIST))) == ["Alfa Ltda.", "Beta S.A.S.", "Gamma S.A."]


def test_a_rep_sees_the_team_leads(client, rep, leads):
    client.force_login(rep)
    assert sorted(names(client.get(LIST))) == ["Alfa Ltda.", "Beta S.A.S."]


def test_no_role_gets_403(client, no_role):
    client.force_login(no_role)
    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "new"}, ["Alfa Ltda.", "Beta S.A.S.", "Gamma S.A."]),
        ({"status": "converted"}, []),
        ({"source": "web_form"}, ["Beta S.A.S."]),
        ({"q": "gamma"}, ["Gamma S.A."]),
        ({"q": "ALFA"}, ["Alfa Ltda."]),
        ({"assigned_to": "mine"}, []),
        ({"team": "__south__"}, ["Gamma S.A."]),
        ({"campaign": "__fair__"}, ["Alfa Ltda."]),
    ],
)
def test_filters(client, manager, leads, south, query, expected):
    query = dict(query)
    if query.get("team") == "__south__":
        query["team"] = south.pk
    if query.get("campaign") == "__fair__":
        query["campaign"] = leads["mine"].campaign_id
    client.force_login(manager)
    assert sorted(names(client.get(LIST, query))) == expected


def test_a_bad_filter_value_is_not_an_error(client, manager, leads):
    client.force_login(manager)
    response = client.get(LIST, {"team": "x", "campaign": "99999", "page": "abc"})
    assert response.status_code == 200


def test_htmx_gets_the_results_only(client, manager, leads):
    client.force_login(manager)
    response = client.get(LIST, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "Alfa Ltda." in text(response)
    assert "HX-Request" in response["Vary"]


def test_list_costs_the_same_for_more_rows(client, manager, telemarketer, django_assert_max_num_queries):
    fair = LeadCampaignFactory()
    LeadFactory(assigned_to=telemarketer, campaign=fair)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    LeadFactory.create_batch(20, assigned_to=telemarketer, campaign=LeadCampaignFactory())
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)
    assert len(names(response)) == 21


def test_detail_shows_the_customer_and_the_calls(client, telemarketer, leads):
    lead = leads["mine"]
    log_call(lead=lead, by=telemarketer, outcome=CallOutcome.BUSY, notes="Línea ocupada")
    log_activity(customer=lead.customer, by=telemarketer, kind="note", subject="Nota sin lead")
    client.force_login(telemarketer)

    page = text(client.get(lead.get_absolute_url()))

    assert "Alfa Ltda." in page
    assert "Feria Hogar" in page
    assert "Línea ocupada" in page
    assert "Nota sin lead" not in page  # not a call about this lead


def test_detail_of_another_teams_lead_is_404(client, telemarketer, leads):
    client.force_login(telemarketer)
    assert client.get(leads["south"].get_absolute_url()).status_code == 404


def test_detail_costs_the_same_with_more_calls(client, telemarketer, leads, django_assert_max_num_queries):
    lead = leads["mine"]
    log_call(lead=lead, by=telemarketer, outcome=CallOutcome.BUSY)
    client.force_login(telemarketer)
    with CaptureQueriesContext(connection) as few:
        client.get(lead.get_absolute_url())
    for _ in range(10):
        log_call(lead=lead, by=telemarketer, outcome=CallOutcome.NO_ANSWER)
    with django_assert_max_num_queries(len(few)):
        assert client.get(lead.get_absolute_url()).status_code == 200


def test_a_lead_by_hand_on_a_customer(client, telemarketer):
    customer = CustomerFactory(team=telemarketer.team, legal_name="Delta S.A.S.")
    client.force_login(telemarketer)
    url = reverse("leads:lead_create") + f"?customer={customer.pk}"
    assert client.get(url).status_code == 200

    response = client.post(url, {"source": "manual", "score": "70", "assigned_to": telemarketer.pk})

    lead = Lead.objects.get(customer=customer)
    assert response.url == lead.get_absolute_url()
    assert (lead.score, lead.assigned_to, lead.team, lead.status) == (
        70,
        telemarketer,
        telemarketer.team,
        "new",
    )


def test_a_lead_by_hand_rejects_a_bad_score_and_an_unseen_customer(client, telemarketer, south):
    client.force_login(telemarketer)
    mine = CustomerFactory(team=telemarketer.team)
    response = client.post(
        reverse("leads:lead_create") + f"?customer={mine.pk}", {"source": "manual", "score": "500"}
    )
    assert "The score goes from 0 to 100." in text(response)
    hidden = CustomerFactory(team=south)
    assert client.get(reverse("leads:lead_create") + f"?customer={hidden.pk}").status_code == 404
    assert client.get(reverse("leads:lead_create") + "?customer=abc").status_code == 404
    assert not Lead.objects.exists()


def test_manager_reassigns_ticked_leads(client, manager, leads, south_telemarketer):
    client.force_login(manager)

    response = client.post(
        reverse("leads:reassign"),
        {
            "leads": [leads["mine"].pk, leads["team"].pk],
            "telemarketer": south_telemarketer.pk,
            "next": LIST + "?page=1",
        },
    )

    assert response.url == LIST + "?page=1"
    for key in ("mine", "team"):
        leads[key].refresh_from_db()
        assert (leads[key].assigned_to, leads[key].team) == (south_telemarketer, south_telemarketer.team)


def test_reassign_needs_leads_and_a_telemarketer(client, manager, leads, rep):
    client.force_login(manager)
    response = client.post(reverse("leads:reassign"), {"telemarketer": rep.pk}, follow=True)
    page = text(response)
    assert "Tick the leads to reassign." in page
    assert "Choose one of the telemarketers in the list." in page
    leads["mine"].refresh_from_db()
    assert leads["mine"].assigned_to.username == "telemarketer"


def test_only_managers_reassign(client, telemarketer, leads, south_telemarketer):
    client.force_login(telemarketer)
    data = {"leads": [leads["mine"].pk], "telemarketer": south_telemarketer.pk}
    assert client.post(reverse("leads:reassign"), data).status_code == 403
    assert client.get(reverse("leads:reassign")).status_code == 405


@pytest.mark.parametrize("page", ["list", "detail", "call", "disqualify", "queue_empty"])
def test_pages_render_in_spanish(client, telemarketer, leads, page):
    lead = leads["mine"]
    client.force_login(telemarketer)
    url = {
        "list": LIST,
        "detail": lead.get_absolute_url(),
        "call": reverse("leads:call", args=[lead.pk]),
        "disqualify": reverse("leads:disqualify", args=[lead.pk]),
        "queue_empty": reverse("leads:queue"),
    }[page]
    if page == "queue_empty":
        Lead.objects.filter(assigned_to=telemarketer).update(status=Lead.Status.DISQUALIFIED)

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
