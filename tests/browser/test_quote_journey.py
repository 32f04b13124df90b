"""A rep builds a quote in a real browser: two lines, totals that follow the typing, then sends it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from crm.accounts.roles import Role
from sales.models import Quote
from tests.factories import CustomerFactory, TeamFactory, user_with_role
from tests.sales.factories import OpportunityFactory, ProductFactory

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the stages the
    # migrations created come back for each test.
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


@pytest.fixture
def products(db):
    return (
        ProductFactory(
            code="ERP-1", name="Licencia ERP", unit_price=Decimal("1000000"), tax_rate=Decimal(19)
        ),
        ProductFactory(
            code="SOP-1",
            name="Soporte anual",
            unit_price=Decimal("200000"),
            unit_cost=Decimal("50000"),
            tax_rate=Decimal(0),
        ),
    )


def test_a_rep_builds_a_quote_with_live_totals_and_sends_it(
    page, page_problems, rep, opportunity, products, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # where the sent PDF is kept
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))

    # From the opportunity, start a quote: it gets its number and opens the editor.
    page.goto(opportunity.get_absolute_url())
    page.get_by_role("link", name="New quote").first.click()
    page.get_by_role("button", name="Create quote").click()
    quote = Quote.objects.get()
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.pk}/edit/$"))
    expect(page.get_by_role("heading", name=re.compile(quote.number))).to_be_visible()

    totals = page.locator("#quote-totals")
    page.evaluate("window.sameDocument = true")

    # First line: the licence, two of them. The totals follow without a reload.
    page.get_by_label("Product").nth(0).select_option(label="ERP-1 · Licencia ERP")
    page.get_by_label("Quantity").nth(0).fill("2")
    expect(totals.locator('[data-total="total"]')).to_have_text("2,380,000.00")

    # Second line, added in place: a year of support without VAT.
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Product")).to_have_count(2)
    expect(page.get_by_label("Quantity").nth(0)).to_have_value("2")  # the first row kept its input
    page.get_by_label("Product").nth(1).select_option(label="SOP-1 · Soporte anual")
    expect(totals.locator('[data-total="subtotal"]')).to_have_text("2,200,000.00")
    expect(totals.locator('[data-total="tax"]')).to_have_text("380,000.00")
    expect(totals.locator('[data-total="total"]')).to_have_text("2,580,000.00")
    assert page.evaluate("window.sameDocument") is True, "the page reloaded"
    assert quote.lines.count() == 0, "nothing is saved before Save"

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.pk}/$"))
    expect(page.get_by_text("Quote saved.")).to_be_visible()
    assert [line.description for line in quote.lines.all()] == ["Licencia ERP", "Soporte anual"]

    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("Sent")
    expect(page.get_by_text(f"Quote {quote.number} sent.")).to_be_visible()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert quote.sent_by == rep
    assert quote.total == Decimal("2580000.00")
    quote.refresh_from_db()
    assert quote.pdf.name.startswith("quotes/")  # kept once the send was committed

    assert page_problems.csp_violations() == []
    assert page_problems.page_errors == []
    assert page_problems.failed_requests == []
