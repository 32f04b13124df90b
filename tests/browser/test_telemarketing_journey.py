"""A telemarketer works the call queue in a real browser and converts a lead that lands on the rep's board."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Activity
from crm.accounts.roles import Role
from leads.models import Lead
from sales.models import Opportunity
from tests.factories import CustomerFactory, TeamFactory, UserFactory, user_with_role

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the roles, stages and
    # disqualification reasons the migrations created come back for each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.


def log_in(page, username: str) -> None:
    page.set_viewport_size({"width": 2200, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_telemarketer_works_the_queue_and_the_rep_finds_the_opportunity(page, page_problems):
    north = TeamFactory(name="North")
    telemarketer = user_with_role(Role.TELEMARKETER, team=north, username="tm")
    rep = UserFactory(role=Role.SALES_REP, team=north, username="rep", first_name="Rita", last_name="Rep")
    first = Lead.objects.create(
        customer=CustomerFactory(legal_name="Cerámicas del Valle S.A.S."),
        assigned_to=telemarketer,
        team=north,
        score=90,
    )
    second = Lead.objects.create(
        customer=CustomerFactory(legal_name="Hotel Mirador Ltda."),
        assigned_to=telemarketer,
        team=north,
        score=40,
    )

    # The queue opens the best-scored lead's call screen; nobody answers.
    log_in(page, "tm")
    page.get_by_role("navigation").get_by_role("link", name="Call queue").click()
    expect(page.get_by_role("heading", name="Call Cerámicas del Valle S.A.S.")).to_be_visible()
    page.get_by_label("Notes").fill("Sin respuesta, buzón lleno")
    page.get_by_role("button", name="No answer").click()
    expect(page.get_by_text("Call logged: No answer.")).to_be_visible()

    # The next lead follows at once; this one is interested.
    expect(page.get_by_role("heading", name="Call Hotel Mirador Ltda.")).to_be_visible()
    page.get_by_label("Duration (minutes)").fill("7")
    page.get_by_role("button", name="Interested", exact=True).click()

    # Qualify and hand it to the rep.
    expect(page.get_by_role("heading", name="Qualify the lead on Hotel Mirador Ltda.")).to_be_visible()
    page.get_by_label("Need").fill("Software de reservas para 40 habitaciones")
    page.get_by_label("Budget").fill("30 millones")
    page.get_by_label("Authority").fill("La gerente")
    page.get_by_label("Timeline").fill("Antes de temporada alta")
    page.get_by_label("Hand to sales rep").select_option(label="Rita Rep")
    page.get_by_label("Opportunity name").fill("Reservas hotel")
    page.get_by_label("Amount").fill("30000000")
    page.get_by_label("Expected close date").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Convert to opportunity").click()
    expect(page.get_by_text("Reservas hotel handed to Rita Rep.")).to_be_visible()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.call_count) == (Lead.Status.CONTACTING, 1)
    assert second.status == Lead.Status.CONVERTED
    assert Activity.objects.filter(customer=second.customer, kind="call", duration_minutes=7).exists()
    opportunity = Opportunity.objects.get(source_lead=second)
    assert (opportunity.customer_id, opportunity.owner) == (second.customer_id, rep)

    # The rep signs in and finds it on the board.
    page.context.clear_cookies()
    log_in(page, "rep")
    page.get_by_role("navigation").get_by_role("link", name="Pipeline").click()
    expect(page.locator(f"#opportunity-{opportunity.pk}")).to_contain_text("Reservas hotel")

    assert page_problems.page_errors == []
    assert page_problems.csp_violations() == []
