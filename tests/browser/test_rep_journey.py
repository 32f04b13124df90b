"""A sales rep's day in a real browser: log in, add a customer, log a call, find it again."""

from __future__ import annotations

import re

import pytest

from contacts.models import Activity, Customer
from crm.accounts.roles import Role
from tests.factories import CustomerFactory, TeamFactory, user_with_role

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the roles and
    # relationship types the migrations created come back for each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.
CUSTOMER = "Ferretería El Tornillo Feliz S.A.S."
SUBJECT = "Llamada de presentación: interesados en tornillería"


@pytest.fixture
def rep():
    return user_with_role(Role.SALES_REP, team=TeamFactory(name="North"), username="rep")


def test_rep_adds_a_customer_logs_a_call_and_finds_it_again(page, page_problems, rep):
    CustomerFactory(owner=rep, legal_name="Panadería La Espiga S.A.S.")

    # Log in through the form.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=str(rep))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))

    # Static files load and the vendored scripts run (the live server runs with DEBUG off).
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    stylesheet_rules = page.evaluate("[...document.styleSheets].map(sheet => sheet.cssRules.length)")
    assert len(stylesheet_rules) >= 3
    assert all(rules > 0 for rules in stylesheet_rules)

    # Create a customer through the New customer form.
    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Legal name").fill(CUSTOMER)
    page.get_by_label("City").fill("Medellín")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
    customer = Customer.objects.get(legal_name=CUSTOMER)
    assert customer.owner == rep
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))

    # Log a call from the customer page, without a page reload.
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Log a call, visit, meeting, email or note").click()
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_role("button", name="Save activity").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(SUBJECT)
    expect(timeline).not_to_contain_text("Nothing has happened with this customer yet.")
    assert page.evaluate("window.sameDocument") is True, "the page reloaded"
    assert Activity.objects.filter(customer=customer, subject=SUBJECT, kind=Activity.Kind.CALL).exists()
    # The form is ready for the next entry.
    expect(page.get_by_label("Subject")).to_have_value("")

    # Find the customer with the live search on the customer list.
    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Panadería La Espiga")
    page.evaluate("window.sameDocument = true")
    page.get_by_role("searchbox", name="Search").press_sequentially("tornillo")
    expect(results).not_to_contain_text("Panadería La Espiga")
    expect(results).to_contain_text("1 customer")
    assert page.evaluate("window.sameDocument") is True, "the search reloaded the page"
    expect(page).to_have_url(re.compile(r"[?&]q=tornillo"))

    # ... and the call is on its timeline.
    results.get_by_role("link", name=CUSTOMER).click()
    expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text(SUBJECT)

    assert page_problems.csp_violations() == []
    assert page_problems.console_errors == []
    assert page_problems.page_errors == []
    assert page_problems.failed_requests == []
