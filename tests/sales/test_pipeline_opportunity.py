"""Opening and editing an opportunity, its page, and the visits logged about it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from sales.models import LostReason, Opportunity, StageChange
from sales.services import pipeline as services
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory, UserFactory
from tests.helpers import customer_page, text
from tests.sales.factories import OpportunityFactory, QuoteFactory, stage

CREATE = reverse("sales:opportunity_create")


def detail(opportunity) -> str:
    return reverse("sales:opportunity_detail", args=[opportunity.pk])


def edit(opportunity) -> str:
    return reverse("sales:opportunity_update", args=[opportunity.pk])


def log(opportunity) -> str:
    return reverse("sales:opportunity_activity", args=[opportunity.pk])


@pytest.fixture
def opportunity(customer):
    return OpportunityFactory(customer=customer, name="Licencias ERP", amount=Decimal("8000000"))


def form_data(customer=None, **overrides) -> dict:
    data = {
        "name": "Renovación soporte",
        "amount": "4500000",
        "expected_close_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "stage": stage("Qualification").pk,
        "probability": "",
        "owner": "",
        "next_step": "Llamar al gerente",
        "lost_reason": "",
    }
    if customer is not None:
        data["customer"] = customer.pk
    return data | overrides


# -- Creating ------------------------------------------------------------------------------------


def test_the_customer_page_offers_a_new_opportunity(rep_client, customer):
    content = customer_page(rep_client, customer)
    assert f"{CREATE}?customer={customer.pk}" in content


def test_the_form_is_preselected_for_the_customer(rep_client, customer, rep):
    response = rep_client.get(CREATE, {"customer": customer.pk})
    assert response.status_code == 200
    content = text(response)
    assert "Distribuidora Andina S.A.S." in content
    assert f'name="customer" value="{customer.pk}"' in content


def test_a_rep_opens_an_opportunity_for_their_customer(rep_client, customer, rep, north):
    response = rep_client.post(CREATE, form_data(customer))
    opportunity = Opportunity.objects.get()
    assert response["Location"] == detail(opportunity)
    assert (opportunity.customer, opportunity.owner, opportunity.team) == (customer, rep, north)
    assert opportunity.probability == 20
    assert opportunity.amount == Decimal("4500000")
    assert StageChange.objects.get().to_stage == stage("Qualification")


def test_an_explicit_probability_is_kept(rep_client, customer):
    rep_client.post(CREATE, form_data(customer, probability="35"))
    assert Opportunity.objects.get().probability == 35


def test_the_owner_may_be_a_teammate(rep_client, customer, teammate):
    rep_client.post(CREATE, form_data(customer, owner=teammate.pk))
    assert Opportunity.objects.get().owner == teammate


def test_giving_it_to_another_team_returns_the_rep_to_the_board(rep_client, customer, other_team_rep, south):
    response = rep_client.post(CREATE, form_data(customer, owner=other_team_rep.pk))
    assert response["Location"] == reverse("sales:board")
    opportunity = Opportunity.objects.get()
    assert (opportunity.owner, opportunity.team) == (other_team_rep, south)


def test_without_a_customer_the_rep_chooses_one_of_theirs(rep_client, customer, other_team_rep):
    CustomerFactory(owner=other_team_rep, legal_name="Ajena Ltda.")
    response = rep_client.get(CREATE)
    assert response.status_code == 200
    content = text(response)
    assert f"{CREATE}?customer={customer.pk}" in content
    assert "Ajena" not in content


def test_the_customer_search_finds_only_visible_customers(rep_client, customer, other_team_rep):
    CustomerFactory(owner=other_team_rep, legal_name="Distribuidora Ajena")
    content = text(rep_client.get(CREATE, {"q": "distribuidora"}))
    assert "Distribuidora Andina" in content
    assert "Ajena" not in content


def test_a_customer_the_rep_cannot_see_is_404(rep_client, other_team_rep):
    hidden = CustomerFactory(owner=other_team_rep)
    assert rep_client.get(CREATE, {"customer": hidden.pk}).status_code == 404
    assert rep_client.get(CREATE, {"customer": "abc"}).status_code == 404


def test_posting_a_customer_the_rep_cannot_see_is_refused(rep_client, other_team_rep):
    hidden = CustomerFactory(owner=other_team_rep)
    response = rep_client.post(CREATE, form_data(hidden))
    assert response.status_code == 200
    assert "Choose a customer you can see." in text(response)
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "-5"}, "The amount cannot be negative."),
        ({"amount": "mucho"}, "Enter a number."),
        ({"amount": "1" * 20}, "Ensure that there are no more than 14 digits in total."),
        ({"expected_close_date": ""}, "This field is required."),
        ({"expected_close_date": "2026-02-30"}, "Enter a valid date."),
        ({"probability": "101"}, "Ensure this value is less than or equal to 100."),
        ({"probability": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"name": ""}, "This field is required."),
        ({"stage": "999999"}, "Select a valid choice."),
        ({"stage": "Lost"}, "Say why the opportunity was lost."),
    ],
)
def test_bad_input_is_explained_and_kept(rep_client, customer, change, message):
    if change.get("stage") == "Lost":  # stages exist only once the database does
        change = {"stage": stage("Lost").pk}
    response = rep_client.post(CREATE, form_data(customer, **change))
    assert response.status_code == 200
    assert message in text(response)
    assert "Llamar al gerente" in text(response)
    assert not Opportunity.objects.exists()


def test_a_lost_opportunity_with_its_reason_is_closed(rep_client, customer):
    price = LostReason.objects.get(name="Price")
    rep_client.post(CREATE, form_data(customer, stage=stage("Lost").pk, lost_reason=price.pk))
    opportunity = Opportunity.objects.get()
    assert (opportunity.lost_reason, opportunity.closed_on) == (price, timezone.localdate())


def test_a_retired_lost_reason_cannot_be_chosen(rep_client, customer):
    LostReason.objects.filter(name="Timing").update(is_active=False)
    timing = LostReason.objects.get(name="Timing")
    response = rep_client.post(CREATE, form_data(customer, stage=stage("Lost").pk, lost_reason=timing.pk))
    assert "Select a valid choice." in text(response)


def test_creating_is_refused_without_role(client, customer, no_role):
    assert client.get(CREATE)["Location"].startswith(reverse("login"))
    client.force_login(no_role)
    assert client.post(CREATE, form_data(customer)).status_code == 403


# -- Editing -------------------------------------------------------------------------------------


def test_changing_the_stage_takes_its_probability(rep_client, opportunity):
    response = rep_client.get(edit(opportunity))
    assert response.status_code == 200
    data = form_data(name="Licencias ERP", stage=stage("Negotiation").pk, probability="10")
    rep_client.post(edit(opportunity), data)
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stage("Negotiation"), 80)
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_a_probability_typed_with_the_stage_change_is_kept(rep_client, opportunity):
    rep_client.post(edit(opportunity), form_data(stage=stage("Negotiation").pk, probability="55"))
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stage("Negotiation"), 55)


def test_an_overridden_probability_survives_other_edits(rep_client, opportunity):
    opportunity.probability = 33
    opportunity.save()
    rep_client.post(edit(opportunity), form_data(stage=opportunity.stage.pk, probability="33", name="Otro"))
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.probability) == ("Otro", 33)


def test_an_empty_owner_keeps_the_owner(rep_client, opportunity, rep):
    rep_client.post(edit(opportunity), form_data(stage=opportunity.stage.pk, owner=""))
    opportunity.refresh_from_db()
    assert opportunity.owner == rep


def test_editing_bad_input_changes_nothing(rep_client, opportunity):
    response = rep_client.post(edit(opportunity), form_data(stage=opportunity.stage.pk, amount="-1"))
    assert "The amount cannot be negative." in text(response)
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("8000000")


def test_the_customer_cannot_be_changed_by_editing(rep_client, opportunity, customer):
    other = CustomerFactory(owner=customer.owner)
    rep_client.post(edit(opportunity), form_data(other, stage=opportunity.stage.pk))
    opportunity.refresh_from_db()
    assert opportunity.customer == customer


@pytest.mark.parametrize("page", [detail, edit, log])
def test_other_teams_rep_gets_404(client, opportunity, other_team_rep, page):
    client.force_login(other_team_rep)
    assert client.get(page(opportunity)).status_code == 404
    assert client.post(page(opportunity), form_data(stage=stage("Won").pk)).status_code == 404


# -- The page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager", "admin_user"], indirect=True)
def test_owner_teammates_and_managers_see_it(client, opportunity, persona):
    client.force_login(persona)
    content = text(client.get(detail(opportunity)))
    assert "Licencias ERP" in content
    assert "Distribuidora Andina S.A.S." in content
    assert "8,000,000" in content


def test_the_page_shows_the_stage_history(rep_client, opportunity, rep, teammate):
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    services.move_opportunity(opportunity=opportunity, stage=stage("Negotiation"), by=teammate)
    history = text(rep_client.get(detail(opportunity))).split('data-testid="stage-history"')[1]
    assert history.index("Proposal → Negotiation") < history.index("Prospecting → Proposal")
    assert str(teammate) in history


def test_the_page_moves_the_opportunity(rep_client, opportunity):
    response = rep_client.post(
        reverse("sales:opportunity_move", args=[opportunity.pk]),
        {"stage": stage("Won").pk, "next": detail(opportunity)},
    )
    assert response["Location"] == detail(opportunity)
    content = text(rep_client.get(detail(opportunity)))
    assert 'data-testid="stage">Won<' in content
    assert 'data-testid="probability">100%<' in content
    assert 'data-testid="closed-on">' in content


def test_the_page_lists_the_opportunity_quotes(rep_client, opportunity):
    QuoteFactory(opportunity=opportunity, number="COT-2026-00042")
    assert "COT-2026-00042 v1" in text(rep_client.get(detail(opportunity)))


def test_renders_in_spanish(rep_client, opportunity, rep):
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    response = rep_client.get(detail(opportunity), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    # Seeded stage names are translated.
    assert "Prospección → Propuesta" in text(response)


def test_the_form_renders_in_spanish(rep_client, opportunity):
    assert rep_client.get(edit(opportunity), HTTP_ACCEPT_LANGUAGE="es").status_code == 200


# -- Visits and meetings -------------------------------------------------------------------------


def test_a_visit_shows_on_the_opportunity_and_the_customer_timeline(rep_client, opportunity, customer):
    contact = ContactFactory(customer=customer, name="Marta Gómez")
    response = rep_client.post(
        log(opportunity),
        {
            "kind": "visit",
            "subject": "Visita a planta",
            "contact": contact.pk,
            "duration_minutes": "90",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "notes": "Interesados en el módulo de nómina",
        },
    )
    assert response["Location"] == detail(opportunity)
    activity = Activity.objects.get(subject="Visita a planta")
    assert (activity.kind, activity.related, activity.customer) == ("visit", opportunity, customer)
    assert "Visita a planta" in text(rep_client.get(detail(opportunity)))
    assert "Visita a planta" in text(rep_client.get(customer.get_absolute_url()))


def test_other_activities_of_the_customer_are_not_on_the_opportunity(rep_client, opportunity, customer):
    ActivityFactory(customer=customer, subject="Llamada sin relación")
    assert "Llamada sin relación" not in text(rep_client.get(detail(opportunity)))


def test_logging_with_htmx_answers_the_activities(rep_client, opportunity):
    form = rep_client.get(log(opportunity), HTTP_HX_REQUEST="true")
    assert "<html" not in form.content.decode()
    assert 'value="visit" selected' in text(form)
    response = rep_client.post(
        log(opportunity),
        {"kind": "meeting", "subject": "Reunión de cierre", "occurred_at": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Reunión de cierre" in text(response)


def test_a_bad_activity_is_explained(rep_client, opportunity):
    response = rep_client.post(log(opportunity), {"kind": "teleport", "subject": ""}, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#activity-form"
    assert "This field is required." in text(response)
    assert "Select a valid choice." in text(response)
    assert not Activity.objects.exists()


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def _grow(opportunity, count: int) -> None:
    stages = ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Prospecting"]
    for number in range(count):
        someone = UserFactory(team=opportunity.team)
        contact = ContactFactory(customer=opportunity.customer)
        services.log_opportunity_activity(
            opportunity=opportunity, by=someone, kind="visit", subject=f"Visita {number}", contact=contact
        )
        services.move_opportunity(opportunity=opportunity, stage=stage(stages[number % 5]), by=someone)
        QuoteFactory(opportunity=opportunity, created_by=someone)


def test_page_queries_do_not_grow_with_history_activities_or_quotes(rep_client, opportunity):
    _grow(opportunity, 2)
    _queries(rep_client, detail(opportunity))
    few = _queries(rep_client, detail(opportunity))
    _grow(opportunity, 20)
    assert _queries(rep_client, detail(opportunity)) == few
