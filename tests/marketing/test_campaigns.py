"""Campaign pages: who may open, create and edit them; filters, totals, bad input, the web form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead
from marketing.models import Campaign
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.marketing.factories import CampaignFactory, CampaignMemberFactory

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = {
        "name": "Feria Agroexpo 2026",
        "channel": Campaign.Channel.TRADE_SHOW,
        "status": Campaign.Status.PLANNED,
        "start_date": "2026-03-01",
        "end_date": "2026-03-05",
        "budget": "12000000",
        "actual_cost": "0",
        "owner": "",
        "team": "",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["marketer", "manager", "admin_user"], indirect=True)
def test_marketing_managers_and_admins_create_a_campaign(client, persona):
    client.force_login(persona)
    response = client.post(reverse("marketing:campaign_create"), _data())
    campaign = Campaign.objects.get(name="Feria Agroexpo 2026")
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.owner == persona
    assert campaign.budget == Decimal("12000000")


@pytest.mark.parametrize("persona", ["rep", "telemarketer", "accountant"], indirect=True)
def test_other_roles_cannot_create_or_edit(client, persona):
    campaign = CampaignFactory(owner=persona, team=persona.team)
    client.force_login(persona)
    assert client.get(reverse("marketing:campaign_create")).status_code == 403
    assert client.post(reverse("marketing:campaign_create"), _data()).status_code == 403
    assert client.post(reverse("marketing:campaign_update", args=[campaign.pk]), _data()).status_code == 403
    assert not Campaign.objects.filter(name="Feria Agroexpo 2026").exists()


def test_someone_without_a_role_gets_403(client, no_role):
    campaign = CampaignFactory()
    client.force_login(no_role)
    assert client.get(reverse("marketing:campaign_list")).status_code == 403
    assert client.get(reverse("marketing:campaign_detail", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("marketing:campaign_create")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("marketing:campaign_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_rep_sees_only_own_team_campaigns(client, rep, teammate, other_team_rep):
    mine = CampaignFactory(name="Mine", owner=rep, team=rep.team)
    team = CampaignFactory(name="Teammate's", owner=teammate, team=teammate.team)
    other = CampaignFactory(name="South's", owner=other_team_rep, team=other_team_rep.team)
    client.force_login(rep)
    page = text(client.get(reverse("marketing:campaign_list")))
    assert "Mine" in page
    assert "Teammate's" in page
    assert "South's" not in page
    assert client.get(reverse("marketing:campaign_detail", args=[team.pk])).status_code == 200
    assert client.get(reverse("marketing:campaign_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("marketing:campaign_detail", args=[mine.pk])).status_code == 200


def test_the_marketer_sees_every_campaign_and_edits_it(client, marketer, other_team_rep):
    campaign = CampaignFactory(name="South's", owner=other_team_rep, team=other_team_rep.team)
    client.force_login(marketer)
    assert "South's" in text(client.get(reverse("marketing:campaign_list")))
    response = client.post(
        reverse("marketing:campaign_update", args=[campaign.pk]),
        _data(name="South's renamed", owner=other_team_rep.pk, actual_cost="500"),
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "South's renamed"
    assert campaign.owner == other_team_rep
    assert campaign.actual_cost == Decimal("500")


def test_the_list_filters_and_totals(client, marketer):
    CampaignFactory(
        name="Ferias",
        channel=Campaign.Channel.TRADE_SHOW,
        budget=Decimal("1000"),
        actual_cost=Decimal("400"),
        start_date=date(2026, 1, 10),
        end_date=date(2026, 1, 20),
    )
    CampaignFactory(
        name="Correo",
        channel=Campaign.Channel.EMAIL,
        budget=Decimal("300"),
        actual_cost=Decimal("100"),
        start_date=date(2026, 5, 1),
        end_date=date(2026, 5, 30),
    )
    CampaignFactory(
        name="Otra feria", channel=Campaign.Channel.TRADE_SHOW, budget=Decimal("50"), owner=marketer
    )
    client.force_login(marketer)
    url = reverse("marketing:campaign_list")

    response = client.get(url, {"channel": "trade_show"})
    assert {c.name for c in response.context["page_obj"]} == {"Ferias", "Otra feria"}
    assert response.context["totals"] == {"count": 2, "budget": Decimal("1050"), "cost": Decimal("400")}

    response = client.get(url, {"running_from": "2026-04-01", "running_to": "2026-06-30"})
    names = {c.name for c in response.context["page_obj"]}
    assert "Correo" in names
    assert "Ferias" not in names

    response = client.get(url, {"owner": marketer.pk})
    assert [c.name for c in response.context["page_obj"]] == ["Otra feria"]

    response = client.get(url, {"status": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)


def test_the_list_costs_the_same_queries_for_more_campaigns(client, marketer):
    def grow(count: int) -> None:
        for _ in range(count):
            campaign = CampaignFactory(owner=marketer)
            member = CampaignMemberFactory(campaign=campaign)
            Lead.objects.create(customer=member.customer, campaign=campaign)

    client.force_login(marketer)
    url = reverse("marketing:campaign_list")
    grow(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert {c.member_count for c in response.context["page_obj"]} == {1}
    assert {c.lead_count for c in response.context["page_obj"]} == {1}


def test_the_htmx_list_answers_only_the_results(client, marketer):
    CampaignFactory(name="Visible")
    client.force_login(marketer)
    response = client.get(reverse("marketing:campaign_list"), headers={"HX-Request": "true"})
    assert "Visible" in text(response)
    assert "<html" not in text(response)
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date", "cannot be before the start"),
        ({"budget": "-5"}, "budget", "cannot be negative"),
        ({"actual_cost": "-1"}, "actual_cost", "cannot be negative"),
        ({"budget": "abc"}, "budget", "Enter a number"),
        ({"start_date": "2026-02-31"}, "start_date", "Enter a valid date"),
        ({"name": ""}, "name", "required"),
        ({"channel": "carrier_pigeon"}, "channel", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_rest(client, marketer, overrides, field, message):
    client.force_login(marketer)
    response = client.post(reverse("marketing:campaign_create"), _data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in text(response)
    assert "Feria Agroexpo 2026" in text(response) or overrides.get("name") == ""
    assert not Campaign.objects.exists()


def test_editing_into_bad_dates_is_refused(client, marketer):
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 1, 31))
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:campaign_update", args=[campaign.pk]),
        _data(start_date="2026-02-01", end_date="2026-01-15"),
    )
    assert response.status_code == 200
    assert "cannot be before the start date" in text(response)
    campaign.refresh_from_db()
    assert campaign.end_date == date(2026, 1, 31)


def test_the_web_form_is_opened_and_closed(client, marketer):
    campaign = CampaignFactory()
    client.force_login(marketer)
    url = reverse("marketing:campaign_web_form", args=[campaign.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"enabled": "on"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.web_form_enabled
    assert "The web form is open." in text(response)
    client.post(url, {})
    campaign.refresh_from_db()
    assert not campaign.web_form_enabled


def test_the_page_shows_the_web_form_address_only_while_open(client, marketer):
    campaign = CampaignFactory(web_form_enabled=True)
    address = reverse("leads:web_form", args=[campaign.web_form_token])
    client.force_login(marketer)
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    assert address in text(client.get(url))
    campaign.web_form_enabled = False
    campaign.save()
    assert address not in text(client.get(url))


def test_a_rep_cannot_switch_the_web_form(client, rep):
    campaign = CampaignFactory(owner=rep, team=rep.team)
    client.force_login(rep)
    assert (
        client.post(reverse("marketing:campaign_web_form", args=[campaign.pk]), {"enabled": "on"}).status_code
        == 403
    )
    campaign.refresh_from_db()
    assert not campaign.web_form_enabled


def test_a_rep_reads_the_page_without_edit_buttons(client, rep):
    campaign = CampaignFactory(owner=rep, team=rep.team)
    client.force_login(rep)
    response = client.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    assert reverse("marketing:campaign_update", args=[campaign.pk]) not in text(response)


def test_the_members_are_paginated_with_bounded_queries(client, marketer, settings):
    settings.CRM_LIST_PAGE_SIZE = 5
    campaign = CampaignFactory()
    client.force_login(marketer)
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    for _ in range(3):
        CampaignMemberFactory(campaign=campaign)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(9):
        member = CampaignMemberFactory(campaign=campaign)
        Lead.objects.create(customer=member.customer, campaign=campaign)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page": 2})
    assert len(many) == len(few)
    assert response.context["figures"].members == 12
    assert len(response.context["page_obj"].object_list) == 5
    assert "Page 2 of 3" in text(response)


def test_the_campaign_pages_render_in_spanish(client, marketer, settings):
    settings.LANGUAGE_CODE = "es"
    campaign = CampaignFactory(actual_cost=Decimal("0"))
    client.force_login(marketer)
    for url in (
        reverse("marketing:campaign_list"),
        reverse("marketing:campaign_create"),
        reverse("marketing:campaign_detail", args=[campaign.pk]),
        reverse("marketing:campaign_update", args=[campaign.pk]),
    ):
        response = client.get(url, headers={"Accept-Language": "es"})
        assert response.status_code == 200, url
        assert 'lang="es"' in text(response)


def test_a_new_campaign_takes_the_owner_team(client, marketer, rep):
    client.force_login(marketer)
    client.post(reverse("marketing:campaign_create"), _data(owner=rep.pk))
    campaign = Campaign.objects.get()
    assert campaign.owner == rep
    assert campaign.team == rep.team


def test_customers_with_a_membership_show_on_the_page(client, marketer):
    campaign = CampaignFactory()
    CampaignMemberFactory(campaign=campaign, customer=CustomerFactory(legal_name="Café del Huila"))
    client.force_login(marketer)
    assert "Café del Huila" in text(client.get(reverse("marketing:campaign_detail", args=[campaign.pk])))


def test_campaign_page_lists_its_mailings(client, marketer):
    from django.urls import reverse

    from marketing.models import Campaign, Mailing

    campaign = Campaign.objects.create(name="Feria Expo", channel=Campaign.Channel.TRADE_SHOW, owner=marketer)
    mailing = Mailing.objects.create(
        name="Invitación a la feria", campaign=campaign, subject="Hola", body="Hola"
    )
    client.force_login(marketer)
    content = client.get(reverse("marketing:campaign_detail", args=[campaign.pk])).content.decode()
    assert f'href="{mailing.get_absolute_url()}"' in content
