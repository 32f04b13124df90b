"""The campaign report: leads, opportunities, revenue won, cost and return per campaign and channel."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from crm.accounts.roles import Role
from leads.models import Lead
from marketing.models import Campaign
from sales.models import Opportunity, Quote
from tests.factories import CustomerFactory, user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, accept, close, make_leaver, name_people, opportunity
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url
from tests.leads.factories import LeadFactory
from tests.marketing.factories import CampaignFactory
from tests.sales.factories import ProductFactory, QuoteFactory, QuoteLineFactory
from tests.test_security import assert_strict_csp

URL = report_url("campaigns")
RECORDS = reverse("insights:reports:records", args=["campaigns"])
BOGOTA = ZoneInfo("America/Bogota")
HEADER = "Campaign"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def local(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, tzinfo=BOGOTA)


def leads(campaign: Campaign, count: int, created: datetime) -> list[Lead]:
    made = [LeadFactory(campaign=campaign) for _index in range(count)]
    Lead.objects.filter(pk__in=[lead.pk for lead in made]).update(created_at=created)
    return made


def deal(owner, amount: str, created: datetime, **fields) -> Opportunity:
    made = opportunity(owner, amount, created.date(), **fields)
    Opportunity.objects.filter(pk=made.pk).update(created_at=created)
    return made


@pytest.fixture
def leaver(north):
    return make_leaver(north)


@pytest.fixture
def campaigns(marketer, rep, leaver, north, south):
    """2026 (the report's default period is this year), seen on 15 November 2026."""
    left = user_with_role(Role.MARKETING, username="left_marketer")
    fair = CampaignFactory(
        name="Feria Bogotá", channel=Campaign.Channel.TRADE_SHOW, actual_cost=Decimal(1000),
        start_date=date(2026, 3, 1), end_date=date(2026, 3, 5), owner=marketer, team=north,
    )  # fmt: skip
    autumn = CampaignFactory(
        name="Correo de otoño", channel=Campaign.Channel.EMAIL, actual_cost=Decimal(500),
        start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), owner=marketer, team=south,
    )  # fmt: skip
    bought = CampaignFactory(
        name="Lista comprada", channel=Campaign.Channel.PURCHASED_LIST, actual_cost=Decimal(2000),
        start_date=date(2025, 6, 1), end_date=date(2025, 6, 30), owner=left, team=north,
    )  # fmt: skip
    winter = CampaignFactory(
        name="Correo de invierno", channel=Campaign.Channel.EMAIL, actual_cost=Decimal(500),
        start_date=date(2026, 1, 1), end_date=date(2026, 1, 31), owner=marketer, team=south,
    )  # fmt: skip
    old = CampaignFactory(
        name="Feria Medellín", channel=Campaign.Channel.TRADE_SHOW, actual_cost=Decimal(300),
        start_date=date(2024, 5, 1), end_date=date(2024, 5, 2), owner=marketer,
    )  # fmt: skip
    left.is_active = False
    left.save(update_fields=["is_active"])

    fair_leads = leads(fair, 3, local(2026, 3, 2))
    autumn_leads = leads(autumn, 2, local(2026, 10, 5))
    leads(autumn, 1, local(2025, 12, 20))
    leads(bought, 1, local(2025, 6, 10))
    won_fair = deal(rep, "3000", local(2026, 3, 10), campaign=fair)
    close(won_fair, "Won", date(2026, 4, 1))
    lost_fair = deal(rep, "900", local(2026, 3, 12), campaign=fair)
    close(lost_fair, "Lost", date(2026, 5, 2))
    # No campaign of its own: it counts for its lead's.
    won_autumn = deal(rep, "800", local(2026, 10, 20), source_lead=autumn_leads[0])
    close(won_autumn, "Won", date(2026, 11, 2))
    open_autumn = deal(rep, "400", local(2026, 10, 25), campaign=autumn)
    # Its own campaign wins over its lead's.
    both = deal(rep, "250", local(2026, 10, 26), campaign=autumn, source_lead=fair_leads[0])
    # Sold by a rep who has left, from a list bought last year.
    won_bought = deal(leaver, "1500", local(2025, 7, 1), campaign=bought)
    close(won_bought, "Won", date(2026, 2, 1))
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return {
        "fair": fair, "autumn": autumn, "bought": bought, "winter": winter, "old": old,
        "won_fair": won_fair, "lost_fair": lost_fair, "won_autumn": won_autumn,
        "open_autumn": open_autumn, "both": both, "won_bought": won_bought,
    }  # fmt: skip


@pytest.fixture
def north_manager(north):
    boss = user_with_role(Role.MANAGER, username="north_boss")
    north.manager = boss
    north.save(update_fields=["manager"])
    return boss


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["marketer", "manager", "admin_user"], indirect=True)
def test_marketing_managers_and_admins_open_the_report_and_its_exports(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("insights:reports:export_csv", args=["campaigns"])).status_code == 200
    assert client.get(reverse("insights:reports:export_xlsx", args=["campaigns"])).status_code == 200
    assert client.get(RECORDS, {"measure": "leads"}).status_code == 200


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403
    assert client.get(RECORDS, {"measure": "leads"}).status_code == 403
    assert client.get(reverse("insights:reports:export_csv", args=["campaigns"])).status_code == 403


# --- the figures ------------------------------------------------------------------------


def test_figures_per_campaign_with_totals(client, admin_user, campaigns):
    table = figures(page(client, admin_user), "campaigns")

    # Leads, opportunities, won deals, revenue won, cost, cost per lead, return on investment.
    assert table["Correo de invierno"] == ["0", "0", "0", "0", "500", "—", "-100.0 %"]
    assert table["Correo de otoño"] == ["2", "3", "1", "800", "500", "250", "60.0 %"]
    assert table["Feria Bogotá"] == ["3", "2", "1", "3,000", "1,000", "333", "200.0 %"]
    assert table["Lista comprada"] == ["0", "0", "1", "1,500", "2,000", "—", "-25.0 %"]
    assert table["Total"] == ["5", "5", "3", "5,300", "4,000", "800", "32.5 %"]
    assert "Feria Medellín" not in table, "it neither ran nor brought anything this year"
    assert list(table)[1:-1] == ["Correo de invierno", "Correo de otoño", "Feria Bogotá", "Lista comprada"]


def test_figures_per_channel(client, admin_user, campaigns):
    table = figures(page(client, admin_user, group="channel"), "campaigns")

    assert table["Email"] == ["2", "3", "1", "800", "1,000", "500", "-20.0 %"]
    assert table["Trade show"] == ["3", "2", "1", "3,000", "1,000", "333", "200.0 %"]
    assert table["Purchased list"] == ["0", "0", "1", "1,500", "2,000", "—", "-25.0 %"]
    assert table["Total"] == ["5", "5", "3", "5,300", "4,000", "800", "32.5 %"]


def test_another_period_lists_what_ran_or_brought_something_then(client, admin_user, campaigns):
    last_year = figures(page(client, admin_user, period="last_year"), "campaigns")
    empty = page(client, admin_user, period="custom", start="2020-01-01", end="2020-12-31")

    # The list ran in June 2025; the autumn mailing had not started but brought a lead.
    assert last_year["Lista comprada"] == ["1", "1", "0", "0", "2,000", "2,000", "-100.0 %"]
    assert last_year["Correo de otoño"] == ["1", "0", "0", "0", "500", "500", "-100.0 %"]
    assert set(last_year) == {HEADER, "Lista comprada", "Correo de otoño", "Total"}
    assert figures(empty, "campaigns")["Total"] == ["0", "0", "0", "0", "0", "—", "—"]
    assert "No campaign ran or brought anything in this period." in text(empty)


def test_campaign_and_team_filters(client, admin_user, north, campaigns):
    one = figures(page(client, admin_user, campaign=campaigns["autumn"].pk), "campaigns")
    north_only = figures(page(client, admin_user, team=north.pk), "campaigns")

    assert set(one) == {HEADER, "Correo de otoño", "Total"}
    assert set(north_only) == {HEADER, "Feria Bogotá", "Lista comprada", "Total"}
    assert north_only["Total"][:4] == ["3", "2", "2", "4,500"]


# --- who sees whose figures -------------------------------------------------------------


def test_a_marketer_sees_their_own_campaigns(client, marketer, campaigns):
    response = page(client, marketer)

    table = figures(response, "campaigns")
    assert set(table) == {HEADER, "Correo de invierno", "Correo de otoño", "Feria Bogotá", "Total"}
    assert 'name="team"' not in response.content.decode()


def test_a_marketer_cannot_reach_another_campaign_through_the_url(client, marketer, campaigns):
    client.force_login(marketer)

    response = client.get(URL, {"campaign": campaigns["bought"].pk})
    drill = client.get(RECORDS, {"measure": "won", "key": f"campaign:{campaigns['bought'].pk}"})

    assert figures(response, "campaigns")["Total"][2] == "0"
    assert records_totals(drill).startswith("0 records")


def test_a_manager_sees_their_teams_campaigns_even_of_someone_who_left(client, north_manager, campaigns):
    table = figures(page(client, north_manager), "campaigns")

    assert set(table) == {HEADER, "Feria Bogotá", "Lista comprada", "Total"}


def test_a_manager_without_a_team_and_an_admin_see_every_campaign(client, manager, admin_user, campaigns):
    assert figures(page(client, manager), "campaigns")["Total"][3] == "5,300"
    assert figures(page(client, admin_user), "campaigns")["Total"][3] == "5,300"


# --- the rep and product filters --------------------------------------------------------


@pytest.fixture
def narrowing(campaigns, rep, teammate, telemarketer):
    """On top of ``campaigns``: a telemarketer holds three of this year's leads, Bruno won an
    autumn deal, and the deals were quoted with a lamp or a desk."""
    name_people(rep=rep, teammate=teammate)
    telemarketer.first_name, telemarketer.last_name = "Tania", "Torres"
    telemarketer.save(update_fields=["first_name", "last_name"])
    this_year = Lead.objects.filter(created_at__year=2026).order_by("pk")
    held = [
        *this_year.filter(campaign=campaigns["fair"])[:2],
        *this_year.filter(campaign=campaigns["autumn"])[:1],
    ]
    Lead.objects.filter(pk__in=[lead.pk for lead in held]).update(assigned_to=telemarketer)
    bruno = deal(teammate, "700", local(2026, 10, 28), campaign=campaigns["autumn"])
    close(bruno, "Won", date(2026, 11, 5))
    lamp = ProductFactory(code="P-LAMP", name="Lámpara")
    desk = ProductFactory(code="P-DESK", name="Escritorio")
    accept(campaigns["won_fair"], (lamp, "2", "400", "10"), (desk, "1", "1000", "0"))  # lamp: 720
    accept(campaigns["won_autumn"], (lamp, "1", "500", "0"))
    accept(bruno, (desk, "1", "700", "0"))
    QuoteLineFactory(quote=QuoteFactory(opportunity=campaigns["open_autumn"]), product=lamp)  # only sent
    # Quoted with a lamp once, in a version the customer turned down; won with the desk.
    QuoteLineFactory(quote=QuoteFactory(opportunity=bruno, status=Quote.Status.REJECTED), product=lamp)
    return {"telemarketer": telemarketer, "bruno": bruno, "lamp": lamp, "desk": desk}


def test_the_rep_filter_counts_the_reps_leads_and_deals(client, admin_user, rep, narrowing, campaigns):
    andrea = figures(page(client, admin_user, rep=rep.pk), "campaigns")
    tania = page(client, admin_user, rep=narrowing["telemarketer"].pk)
    everyone = figures(page(client, admin_user), "campaigns")

    # Leads, opportunities, won deals, revenue won, cost, cost per lead, return on investment.
    assert andrea["Correo de otoño"] == ["0", "3", "1", "800", "500", "—", "60.0 %"]
    assert andrea["Feria Bogotá"] == ["0", "2", "1", "3,000", "1,000", "—", "200.0 %"]
    assert andrea["Correo de invierno"] == ["0", "0", "0", "0", "500", "—", "-100.0 %"]
    assert "Lista comprada" not in andrea, "it ran last year and brought Andrea nothing this year"
    assert andrea["Total"] == ["0", "5", "2", "3,800", "2,000", "—", "90.0 %"]
    assert figures(tania, "campaigns")["Total"] == ["3", "0", "0", "0", "2,000", "667", "-100.0 %"]
    assert "even with a rep or product chosen" in text(tania)
    assert everyone["Correo de otoño"] == ["2", "4", "2", "1,500", "500", "250", "200.0 %"]
    assert everyone["Total"] == ["5", "6", "4", "6,000", "4,000", "800", "50.0 %"]


def test_the_product_filter_counts_what_was_quoted_and_won_with_it(client, admin_user, narrowing, campaigns):
    lamp = figures(page(client, admin_user, product=narrowing["lamp"].pk), "campaigns")
    desk = figures(page(client, admin_user, product=narrowing["desk"].pk, group="channel"), "campaigns")

    # Autumn: the lead converted into a deal won with a lamp; that deal, the one only sent a
    # quote and Bruno's (a lamp on a rejected version); won with a lamp, the first only.
    assert lamp["Correo de otoño"] == ["1", "3", "1", "500", "500", "500", "0.0 %"]
    assert lamp["Feria Bogotá"] == ["0", "1", "1", "720", "1,000", "—", "-28.0 %"]
    assert lamp["Total"] == ["1", "4", "2", "1,220", "2,000", "2,000", "-39.0 %"]
    assert "Lista comprada" not in lamp
    assert desk["Email"] == ["0", "1", "1", "700", "1,000", "—", "-30.0 %"]
    assert desk["Trade show"] == ["0", "1", "1", "1,000", "1,000", "—", "0.0 %"]


def test_rep_and_product_together(client, admin_user, rep, narrowing):
    table = figures(page(client, admin_user, rep=rep.pk, product=narrowing["lamp"].pk), "campaigns")

    assert table["Total"] == ["0", "3", "2", "1,220", "2,000", "—", "-39.0 %"]


def test_the_drill_down_and_the_exports_keep_the_filters(client, admin_user, rep, narrowing, campaigns):
    by_rep = links(page(client, admin_user, rep=rep.pk), "campaigns")["Correo de otoño"]
    by_product = links(page(client, admin_user, product=narrowing["lamp"].pk), "campaigns")
    tania = links(page(client, admin_user, rep=narrowing["telemarketer"].pk), "campaigns")["Total"]
    export = client.get(
        reverse("insights:reports:export_csv", args=["campaigns"]), {"product": narrowing["lamp"].pk}
    )
    workbook = client.get(reverse("insights:reports:export_xlsx", args=["campaigns"]), {"rep": rep.pk})
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).worksheets[0]

    assert sorted(record_names(client.get(by_rep[1]))) == sorted(
        campaigns[key].name for key in ("won_autumn", "open_autumn", "both")
    )
    assert records_totals(client.get(by_rep[3])) == "1 record · Amount 800"
    won_lamp = client.get(by_product["Total"][3])
    assert sorted(record_names(won_lamp)) == sorted(campaigns[key].name for key in ("won_fair", "won_autumn"))
    assert "only their lines of P-LAMP · Lámpara" in text(won_lamp)
    assert records_totals(client.get(by_product["Correo de otoño"][0])) == "1 record"
    assert records_totals(client.get(by_product["Total"][1])) == "4 records · Amount 4,900"
    assert records_totals(client.get(tania[0])) == "3 records"
    assert records_totals(client.get(tania[4])) == "3 records · Amount 2,000"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[-1] == ["Total", "1", "4", "2", "1220.00", "2000.00", "2000.00", "-39.0"]
    assert [cell.value for cell in list(sheet.iter_rows())[-1]][:5] == ["Total", 0, 5, 2, 3800]


def test_the_rep_filter_offers_the_managers_people(client, north_manager, rep, narrowing):
    north_manager.first_name, north_manager.last_name = "Marta", "Jefe"
    north_manager.save(update_fields=["first_name", "last_name"])

    response = page(client, north_manager)

    choices = text(response).split('name="rep"')[1].split("</select>")[0]
    options = re.findall(r'<option value="\d+">([^<]+)</option>', choices)
    assert options == ["Andrea Ríos", "Bruno Salas", "Diego Vargas (left)", "Marta Jefe", "Tania Torres"]
    andrea = figures(page(client, north_manager, rep=rep.pk), "campaigns")
    assert andrea["Total"][:4] == ["0", "2", "1", "3,000"], "of the North campaigns only"


def test_someone_outside_the_managers_teams_cannot_be_chosen(
    client, north_manager, other_team_rep, narrowing, campaigns
):
    theirs = deal(other_team_rep, "9000", local(2026, 4, 1), campaign=campaigns["fair"])
    close(theirs, "Won", date(2026, 4, 2))
    client.force_login(north_manager)
    before = figures(page(client, north_manager), "campaigns")

    response = client.get(URL, {"rep": other_team_rep.pk})
    drill = client.get(RECORDS, {"measure": "won", "rep": other_team_rep.pk})

    assert "Some filters were not valid and were left out" in text(response)
    assert figures(response, "campaigns") == before, "the filter is left out, not applied"
    assert records_totals(drill) == f"3 records · Amount {before['Total'][3]}"


def test_a_marketer_has_no_rep_filter_and_it_narrows_nothing(client, marketer, rep, narrowing, campaigns):
    before = figures(page(client, marketer), "campaigns")
    client.force_login(marketer)

    response = client.get(URL, {"rep": rep.pk})
    drill = client.get(RECORDS, {"measure": "won", "rep": rep.pk})

    assert 'name="rep"' not in response.content.decode()
    assert 'name="product"' in response.content.decode()
    assert figures(response, "campaigns") == before
    assert records_totals(drill) == f"3 records · Amount {before['Total'][3]}"


def test_bad_rep_and_product_filters_are_reported_and_left_out(client, admin_user, narrowing):
    client.force_login(admin_user)
    everyone = figures(page(client, admin_user), "campaigns")["Total"]

    for params in (
        {"rep": "abc"},
        {"rep": "999999"},
        {"rep": "1.5"},
        {"product": "abc"},
        {"product": "0"},
        {"product": "99999999999999999999"},
    ):
        response = client.get(URL, params)
        drill = client.get(RECORDS, {"measure": "opportunities", **params})
        assert response.status_code == 200, params
        assert "Some filters were not valid and were left out" in text(response), params
        assert figures(response, "campaigns")["Total"] == everyone, params
        assert records_totals(drill).startswith(f"{everyone[1]} records"), params


def test_the_filtered_page_costs_the_same_queries_for_few_or_many_campaigns(
    client, admin_user, rep, narrowing
):
    client.force_login(admin_user)
    chosen = {"rep": rep.pk, "product": narrowing["lamp"].pk}
    client.get(URL, chosen)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, chosen)
    for index in range(20):
        extra = CampaignFactory(name=f"Extra {index}", start_date=date(2026, 6, 1), actual_cost=Decimal(10))
        for lead in leads(extra, 2, local(2026, 6, 2)):
            won = deal(rep, "100", local(2026, 6, 3), source_lead=lead)
            close(won, "Won", date(2026, 6, 4))
            accept(won, (narrowing["lamp"], "1", "100", "0"))

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, chosen)

    assert len(figures(response, "campaigns")) == 1 + 3 + 20 + 1
    assert figures(response, "campaigns")["Total"][:4] == ["0", "43", "42", "5,220"]
    assert len(many.captured_queries) == len(few.captured_queries)


# --- drill-down, chart, exports ---------------------------------------------------------


def test_every_figure_links_to_the_records_behind_it(client, admin_user, campaigns):
    response = page(client, admin_user)
    autumn = links(response, "campaigns")["Correo de otoño"]
    total = links(response, "campaigns")["Total"]

    assert all(autumn)
    assert records_totals(client.get(autumn[0])) == "2 records"
    assert sorted(record_names(client.get(autumn[1]))) == sorted(
        [campaigns[key].name for key in ("won_autumn", "open_autumn", "both")]
    )
    assert records_totals(client.get(autumn[3])) == "1 record · Amount 800"
    assert record_names(client.get(autumn[4])) == ["Correo de otoño"]
    assert records_totals(client.get(total[3])) == "3 records · Amount 5,300"
    assert records_totals(client.get(total[4])) == "4 records · Amount 4,000"


def test_drill_down_per_channel(client, admin_user, campaigns):
    email = links(page(client, admin_user, group="channel"), "campaigns")["Email"]

    assert sorted(record_names(client.get(email[4]))) == ["Correo de invierno", "Correo de otoño"]
    assert records_totals(client.get(email[1])).startswith("3 records")


def test_a_drill_down_link_that_names_no_figure_gets_a_message(client, admin_user, campaigns):
    client.force_login(admin_user)

    for params in (
        {"measure": "nope"},
        {"measure": "leads", "key": "campaign:abc"},
        {"measure": "leads", "key": "channel:carrier_pigeon"},
        {"measure": "leads", "key": "rep:1"},
    ):
        response = client.get(RECORDS, params)
        assert response.status_code == 400, params
        assert "This link does not name a figure of the report." in text(response)


def test_the_chart_compares_cost_and_revenue(client, admin_user, campaigns):
    response = page(client, admin_user)

    data = chart(response)
    assert data["labels"] == ["Correo de invierno", "Correo de otoño", "Feria Bogotá", "Lista comprada"]
    assert data["datasets"][0]["data"] == [500.0, 500.0, 1000.0, 2000.0]
    assert data["datasets"][1]["data"] == [0.0, 800.0, 3000.0, 1500.0]
    assert "<script>" not in response.content.decode()


def test_bad_filters_are_reported_and_the_rest_still_shows(client, admin_user, campaigns):
    client.force_login(admin_user)

    for params in ({"campaign": "abc"}, {"team": "0"}, {"group": "colour"}, {"period": "someday"}):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert "Some filters were not valid and were left out" in text(response), params
        assert "Total" in text(response)


def test_exports_are_formula_safe_and_keep_numbers(client, admin_user, campaigns):
    Campaign.objects.filter(pk=campaigns["fair"].pk).update(name='=HYPERLINK("http://x")')
    client.force_login(admin_user)

    response = client.get(reverse("insights:reports:export_csv", args=["campaigns"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    workbook = client.get(reverse("insights:reports:export_xlsx", args=["campaigns"]))
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == [
        "Campaign", "Leads", "Opportunities", "Won deals", "Revenue won", "Cost", "Cost per lead",
        "Return on investment (%)",
    ]  # fmt: skip
    assert ['\'=HYPERLINK("http://x")', "3", "2", "1", "3000.00", "1000.00", "333.33", "200.0"] in rows
    assert rows[-1] == ["Total", "5", "5", "3", "5300.00", "4000.00", "800.00", "32.5"]
    assert values[-1][:5] == ["Total", 5, 5, 3, 5300]
    assert '\'=HYPERLINK("http://x")' in [row[0] for row in values]


def test_the_page_costs_the_same_queries_for_few_or_many_campaigns(client, admin_user, rep, campaigns):
    client.force_login(admin_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(20):
        extra = CampaignFactory(name=f"Extra {index}", start_date=date(2026, 6, 1), actual_cost=Decimal(10))
        leads(extra, 2, local(2026, 6, 2))
        won = deal(rep, "100", local(2026, 6, 3), campaign=extra)
        close(won, "Won", date(2026, 6, 4))
    CustomerFactory()

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert len(figures(response, "campaigns")) == 1 + 4 + 20 + 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_report_renders_in_spanish_under_the_strict_csp(client, admin_user):
    admin_user.language = "es"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert 'lang="es"' in text(response)
    assert_strict_csp(response)
