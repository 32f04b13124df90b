"""A rep moves cards on the pipeline board in a real browser: by dragging, and with the stage select."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from crm.accounts.roles import Role
from sales.models import LostReason, Opportunity, Stage
from tests.factories import CustomerFactory, TeamFactory, user_with_role
from tests.sales.factories import OpportunityFactory

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the stages and
    # lost reasons the migrations created come back for each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.


@pytest.fixture
def rep():
    return user_with_role(Role.SALES_REP, team=TeamFactory(name="North"), username="rep")


@pytest.fixture
def opportunity(rep):
    customer = CustomerFactory(owner=rep, legal_name="Ferretería El Tornillo Feliz S.A.S.")
    return OpportunityFactory(customer=customer, name="Licencias ERP", amount=Decimal("5000000"))


def log_in(page) -> None:
    # Wide enough for every column at once; narrower screens scroll the board sideways.
    page.set_viewport_size({"width": 2200, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def column(page, name: str):
    return page.locator("section.board-column").filter(has=page.get_by_role("heading", name=name, exact=True))


def test_a_rep_drags_a_card_to_another_stage_and_it_stays_there(page, page_problems, rep, opportunity):
    log_in(page)
    page.get_by_role("navigation").get_by_role("link", name="Pipeline").click()
    expect(column(page, "Prospecting")).to_contain_text("Licencias ERP")
    page.evaluate("window.sameDocument = true")

    page.locator(f"#opportunity-{opportunity.pk}").drag_to(column(page, "Proposal").locator(".board-cards"))

    # The server's board replaces the page's: the counts and totals follow the card.
    expect(column(page, "Proposal")).to_contain_text("1 opportunity")
    expect(column(page, "Proposal")).to_contain_text("5,000,000")
    expect(column(page, "Prospecting")).to_contain_text("0 opportunities")
    assert page.evaluate("window.sameDocument") is True, "the move reloaded the page"
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Proposal"
    assert opportunity.probability == 60

    page.reload()
    expect(column(page, "Proposal")).to_contain_text("Licencias ERP")
    expect(column(page, "Prospecting")).not_to_contain_text("Licencias ERP")

    # Dropping on Lost asks why; the reason is saved with the move.
    page.locator(f"#opportunity-{opportunity.pk}").drag_to(column(page, "Lost").locator(".board-cards"))
    dialog = page.get_by_role("dialog", name="Why was it lost?")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Lost reason").select_option(label="Competitor")
    dialog.get_by_role("button", name="Mark as lost").click()
    expect(column(page, "Lost")).to_contain_text("Licencias ERP")
    expect(column(page, "Lost")).to_contain_text("1 opportunity")
    opportunity.refresh_from_db()
    assert opportunity.stage.is_lost
    assert opportunity.lost_reason == LostReason.objects.get(name="Competitor")
    assert opportunity.closed_on is not None

    # The stage history is on the opportunity's page.
    column(page, "Lost").get_by_role("link", name="Licencias ERP").click()
    history = page.get_by_test_id("stage-history")
    expect(history).to_contain_text("Prospecting → Proposal")
    expect(history).to_contain_text("Proposal → Lost")

    # A visit logged there, without leaving the page, is on the customer's timeline too.
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Log a visit, meeting, call, email or note").click()
    page.get_by_label("Subject").fill("Visita de cierre con el gerente")
    page.get_by_role("button", name="Save activity").click()
    expect(page.locator("#activities")).to_contain_text("Visita de cierre con el gerente")
    assert page.evaluate("window.sameDocument") is True, "logging the visit reloaded the page"
    page.get_by_role("link", name="Ferretería El Tornillo Feliz S.A.S.").first.click()
    expect(page.locator("#timeline")).to_contain_text("Visita de cierre con el gerente")

    assert page_problems.csp_violations() == []
    assert page_problems.console_errors == []
    assert page_problems.page_errors == []
    assert page_problems.failed_requests == []


def test_cancelling_the_lost_reason_leaves_the_card_where_it_was(page, page_problems, rep, opportunity):
    log_in(page)
    page.goto("/sales/pipeline/")
    page.locator(f"#opportunity-{opportunity.pk}").drag_to(column(page, "Lost").locator(".board-cards"))
    dialog = page.get_by_role("dialog", name="Why was it lost?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Opportunity.objects.get().stage.name == "Prospecting"
    page.reload()
    expect(column(page, "Prospecting")).to_contain_text("Licencias ERP")
    assert page_problems.console_errors == []


def test_without_javascript_the_card_select_moves_it(browser, live_server, rep, opportunity):
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page)
        page.goto("/sales/pipeline/")
        card = page.locator(f"#opportunity-{opportunity.pk}")
        card.get_by_label("Stage of Licencias ERP").select_option(label="Negotiation")
        card.get_by_role("button", name="Move").click()
        expect(page.get_by_text("Licencias ERP is now in Negotiation.")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/sales/pipeline/$"))
        expect(column(page, "Negotiation")).to_contain_text("Licencias ERP")
        assert Opportunity.objects.get().stage == Stage.objects.get(name="Negotiation")

        # Lost through the select asks for the reason on its own page.
        card = page.locator(f"#opportunity-{opportunity.pk}")
        card.get_by_label("Stage of Licencias ERP").select_option(label="Lost")
        card.get_by_role("button", name="Move").click()
        expect(page.get_by_text("Say why the opportunity was lost.")).to_be_visible()
        page.get_by_label("Lost reason").select_option(label="Price")
        page.get_by_role("button", name="Move").click()
        expect(column(page, "Lost")).to_contain_text("Licencias ERP")
        assert Opportunity.objects.get().lost_reason == LostReason.objects.get(name="Price")
    finally:
        context.close()


def test_on_a_phone_the_columns_scroll_sideways(page, page_problems, rep, opportunity):
    log_in(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/sales/pipeline/")
    expect(column(page, "Prospecting")).to_contain_text("Licencias ERP")
    board = page.locator(".board")
    assert board.evaluate("element => element.scrollWidth > element.clientWidth")
    # The board scrolls inside itself; the page does not get wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    column(page, "Lost").scroll_into_view_if_needed()
    expect(column(page, "Lost")).to_be_in_viewport()
    # The card's own select still moves it, no dragging needed.
    card = page.locator(f"#opportunity-{opportunity.pk}")
    card.get_by_label("Stage of Licencias ERP").select_option(label="Qualification")
    card.get_by_role("button", name="Move").click()
    expect(column(page, "Qualification")).to_contain_text("Licencias ERP")
    assert page_problems.console_errors == []
