"""The pipeline board: who sees which cards, columns with totals, moves by drag (htmx) or select."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import LostReason, Opportunity, StageChange
from sales.views.pipeline_board import CARDS_PER_COLUMN
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import text
from tests.sales.factories import OpportunityFactory, stage

URL = reverse("sales:board")


def columns(response) -> dict[str, list[str]]:
    """Card names per column heading, as shown."""
    content = text(response)
    result = {}
    for section in content.split('<section class="board-column')[1:]:
        heading = re.search(r'<h2 class="h6 mb-0"[^>]*>([^<]+)</h2>', section).group(1)
        result[heading] = re.findall(r'class="fw-semibold" draggable="false">([^<]+)</a>', section)
    return result


def move_url(opportunity) -> str:
    return reverse("sales:opportunity_move", args=[opportunity.pk])


@pytest.fixture
def team_board(customer, rep, teammate, other_team_rep):
    """One opportunity each for rep, teammate and another team's rep."""
    OpportunityFactory(customer=customer, owner=rep, name="De Rep", stage=stage("Proposal"))
    OpportunityFactory(customer=customer, owner=teammate, name="De Teammate")
    other = CustomerFactory(owner=other_team_rep)
    OpportunityFactory(customer=other, name="De Otro Equipo", stage=stage("Negotiation"))


# -- Who sees what -------------------------------------------------------------------------------


def test_a_rep_sees_their_own_and_their_teams_cards(rep_client, team_board):
    shown = columns(rep_client.get(URL))
    assert list(shown) == [
        "Prospecting",
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert shown["Prospecting"] == ["De Teammate"]
    assert shown["Proposal"] == ["De Rep"]
    assert shown["Negotiation"] == []


@pytest.mark.parametrize("persona", ["manager", "admin_user", "accountant", "marketer"], indirect=True)
def test_people_who_see_everything_see_every_team(client, team_board, persona):
    client.force_login(persona)
    assert columns(client.get(URL))["Negotiation"] == ["De Otro Equipo"]


def test_a_user_without_a_role_is_refused(client, no_role):
    client.force_login(no_role)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_mine_shows_only_my_cards(rep_client, team_board):
    shown = columns(rep_client.get(URL, {"owner": "mine"}))
    assert shown["Proposal"] == ["De Rep"]
    assert shown["Prospecting"] == []


def test_a_manager_filters_by_team_and_owner(client, manager, team_board, south, teammate):
    client.force_login(manager)
    by_team = columns(client.get(URL, {"team": south.pk}))
    assert by_team["Negotiation"] == ["De Otro Equipo"]
    assert by_team["Proposal"] == []
    by_owner = columns(client.get(URL, {"owner": teammate.pk}))
    assert by_owner["Prospecting"] == ["De Teammate"]
    assert by_owner["Negotiation"] == []


def test_a_filter_value_that_makes_no_sense_is_ignored(rep_client, team_board):
    response = rep_client.get(URL, {"owner": "nobody", "team": "x"})
    assert response.status_code == 200
    assert columns(response)["Proposal"] == ["De Rep"]


# -- Columns -------------------------------------------------------------------------------------


def test_columns_show_count_and_total(rep_client, customer, rep):
    OpportunityFactory(customer=customer, stage=stage("Proposal"), amount=Decimal("1500000"))
    OpportunityFactory(customer=customer, stage=stage("Proposal"), amount=Decimal("2500000"))
    content = text(rep_client.get(URL))
    proposal = content.split('<section class="board-column')[4]
    assert "2 opportunities" in proposal
    assert "4,000,000" in proposal


def test_cards_show_customer_name_amount_and_close_date(rep_client, customer):
    OpportunityFactory(
        customer=customer, name="Licencias ERP", amount=Decimal("7250000"), expected_close_date="2031-03-15"
    )
    content = text(rep_client.get(URL))
    card = content.split('<article class="board-card')[1]
    assert "Distribuidora Andina S.A.S." in card
    assert "Licencias ERP" in card
    assert "7,250,000" in card
    assert "03/15/2031" in card


def test_card_text_is_escaped(rep_client, rep):
    customer = CustomerFactory(owner=rep, legal_name='Comillas "dobles" & <b>negrita</b>')
    OpportunityFactory(customer=customer, name="<script>alert('x')</script>")
    content = rep_client.get(URL).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "Comillas &quot;dobles&quot; &amp; &lt;b&gt;negrita&lt;/b&gt;" in content


def test_a_column_shows_a_bounded_number_of_cards_soonest_first_and_links_to_the_rest(rep_client, customer):
    today = timezone.localdate()
    for days in range(CARDS_PER_COLUMN + 5, 0, -1):
        OpportunityFactory(
            customer=customer, name=f"Cierra en {days:02d}", expected_close_date=today + timedelta(days)
        )
    response = rep_client.get(URL)
    shown = columns(response)["Prospecting"]
    assert shown == [f"Cierra en {days:02d}" for days in range(1, CARDS_PER_COLUMN + 1)]
    assert "25 opportunities" in text(response)
    more = re.search(r'<a href="([^"]+)" class="small">5 more…</a>', text(response))
    assert more
    listed = rep_client.get(more.group(1))
    assert "25" in text(listed).split('data-testid="total-count">')[1][:10]


def test_won_and_lost_columns_show_recent_closes(rep_client, customer):
    today = timezone.localdate()
    OpportunityFactory(customer=customer, name="Ganada hoy", stage=stage("Won"), closed_on=today)
    OpportunityFactory(
        customer=customer, name="Ganada hace meses", stage=stage("Won"), closed_on=today - timedelta(90)
    )
    OpportunityFactory(
        customer=customer,
        name="Perdida ayer",
        stage=stage("Lost"),
        closed_on=today - timedelta(1),
        lost_reason=LostReason.objects.first(),
    )
    shown = columns(rep_client.get(URL))
    assert shown["Won"] == ["Ganada hoy"]
    assert shown["Lost"] == ["Perdida ayer"]


def test_an_inactive_stage_has_no_column(rep_client, customer):
    stage("Needs analysis").__class__.objects.filter(name="Needs analysis").update(is_active=False)
    assert "Needs analysis" not in columns(rep_client.get(URL))


def test_the_filtered_board_is_an_htmx_fragment(rep_client, team_board):
    response = rep_client.get(URL, {"owner": "mine"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert columns(response)["Proposal"] == ["De Rep"]
    assert "HX-Request" in response["Vary"]


def test_renders_in_spanish(rep_client, team_board):
    response = rep_client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, address, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, **extra)
    assert response.status_code == 200
    return len(captured)


def _grow(customer, per_stage: int) -> None:
    for name in ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won"]:
        for _number in range(per_stage):
            owner = UserFactory(team=customer.team)
            OpportunityFactory(
                customer=CustomerFactory(owner=owner),
                owner=owner,
                stage=stage(name),
                closed_on=timezone.localdate() if name == "Won" else None,
            )


@pytest.mark.parametrize("persona", ["rep", "manager"], indirect=True)
def test_board_queries_do_not_grow_with_opportunities(client, customer, persona):
    client.force_login(persona)
    _grow(customer, 1)
    cold = _queries(client, URL)
    few = _queries(client, URL)  # dropdown options from the cache
    _grow(customer, CARDS_PER_COLUMN + 3)
    assert _queries(client, URL) == cold
    assert _queries(client, URL) == few


# -- Moving a card -------------------------------------------------------------------------------


@pytest.fixture
def opportunity(customer):
    return OpportunityFactory(customer=customer, name="Licencias ERP")


def test_moving_with_the_card_select_goes_back_to_the_board(rep_client, opportunity):
    response = rep_client.post(
        move_url(opportunity), {"stage": stage("Proposal").pk, "next": f"{URL}?owner=mine"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?owner=mine"
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Proposal")
    assert opportunity.probability == 60
    assert "Licencias ERP is now in Proposal." in text(rep_client.get(response["Location"]))


def test_a_move_never_sends_people_to_another_site(rep_client, opportunity):
    response = rep_client.post(
        move_url(opportunity), {"stage": stage("Proposal").pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == opportunity.get_absolute_url()


def test_dragging_a_card_answers_the_board_with_new_totals(rep_client, opportunity):
    response = rep_client.post(
        move_url(opportunity) + "?owner=mine", {"stage": stage("Negotiation").pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    shown = columns(response)
    assert shown["Negotiation"] == ["Licencias ERP"]
    assert shown["Prospecting"] == []
    negotiation = text(response).split('<section class="board-column')[5]
    assert "1 opportunity" in negotiation
    assert "5,000,000" in negotiation
    # The board's filters travel with the move, so the cards' forms come back to the same board.
    assert f'name="next" value="{URL}?owner=mine"' in text(response)
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_dragging_to_lost_with_a_reason(rep_client, opportunity):
    price = LostReason.objects.get(name="Price")
    rep_client.post(
        move_url(opportunity), {"stage": stage("Lost").pk, "lost_reason": price.pk}, HTTP_HX_REQUEST="true"
    )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.lost_reason) == (stage("Lost"), price)
    assert opportunity.closed_on == timezone.localdate()


def test_lost_without_a_reason_asks_for_it_and_changes_nothing(rep_client, opportunity):
    response = rep_client.post(move_url(opportunity), {"stage": stage("Lost").pk, "next": URL})
    assert response.status_code == 200
    assert "Say why the opportunity was lost." in text(response)
    assert 'name="lost_reason"' in text(response)
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Prospecting")
    # Choosing the reason on that page finishes the move and returns to the board.
    price = LostReason.objects.get(name="Price")
    response = rep_client.post(
        move_url(opportunity), {"stage": stage("Lost").pk, "lost_reason": price.pk, "next": URL}
    )
    assert response["Location"] == URL
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Lost")


def test_an_htmx_move_without_a_reason_shows_the_board_unchanged_with_the_reason(rep_client, opportunity):
    response = rep_client.post(move_url(opportunity), {"stage": stage("Lost").pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Say why the opportunity was lost." in text(response)
    assert columns(response)["Prospecting"] == ["Licencias ERP"]
    assert not StageChange.objects.exists()


@pytest.mark.parametrize("stage_value", ["", "abc", "999999"])
def test_a_bad_stage_is_refused_with_a_message(rep_client, opportunity, stage_value):
    response = rep_client.post(move_url(opportunity), {"stage": stage_value})
    assert response.status_code == 200
    assert "alert" in text(response) or "invalid-feedback" in text(response)
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Prospecting")


def test_an_inactive_stage_cannot_be_chosen(rep_client, opportunity):
    proposal = stage("Proposal")
    proposal.is_active = False
    proposal.save()
    rep_client.post(move_url(opportunity), {"stage": proposal.pk})
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Prospecting")


def test_move_is_post_only(rep_client, opportunity):
    assert rep_client.get(move_url(opportunity)).status_code == 405


def test_someone_who_cannot_see_it_gets_404(client, opportunity, other_team_rep):
    client.force_login(other_team_rep)
    response = client.post(move_url(opportunity), {"stage": stage("Won").pk})
    assert response.status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Prospecting")


def test_a_teammate_may_move_it(client, opportunity, teammate):
    client.force_login(teammate)
    client.post(move_url(opportunity), {"stage": stage("Qualification").pk})
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Qualification")
    assert StageChange.objects.get().changed_by == teammate


def test_moves_are_refused_to_users_without_role_and_anonymous(client, opportunity, no_role):
    response = client.post(move_url(opportunity), {"stage": stage("Won").pk})
    assert response.status_code == 302
    client.force_login(no_role)
    assert client.post(move_url(opportunity), {"stage": stage("Won").pk}).status_code == 403
    assert Opportunity.objects.get().stage == stage("Prospecting")
