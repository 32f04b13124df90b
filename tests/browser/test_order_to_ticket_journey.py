"""From a sale to service in a real browser: the rep's quote is accepted, accounting invoices it
and records the payment, and service opens a ticket about the product that was sold."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from accounting.models import Invoice, Order
from crm.accounts.roles import Role
from sales.models import Quote
from service.models import Ticket
from tests.factories import CustomerFactory, TeamFactory, user_with_role
from tests.sales.factories import OpportunityFactory, ProductFactory, QuoteFactory, QuoteLineFactory

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.


@pytest.fixture
def people():
    north = TeamFactory(name="North")
    return {
        "rep": user_with_role(Role.SALES_REP, team=north, username="rep"),
        "accountant": user_with_role(Role.ACCOUNTING, username="accountant"),
        "agent": user_with_role(Role.SERVICE_AGENT, team=north, username="agent"),
    }


@pytest.fixture
def sent_quote(people):
    customer = CustomerFactory(owner=people["rep"], team=people["rep"].team, legal_name="Panadería La Espiga")
    opportunity = OpportunityFactory(customer=customer, owner=people["rep"], name="Punto de venta")
    quote = QuoteFactory(opportunity=opportunity, status=Quote.Status.SENT)
    product = ProductFactory(
        code="POS-1", name="Terminal punto de venta", unit_price=Decimal("1500000"), tax_rate=Decimal(19)
    )
    QuoteLineFactory(quote=quote, product=product, quantity=Decimal("2"))
    quote.subtotal, quote.tax_total, quote.total = Decimal("3000000"), Decimal("570000"), Decimal("3570000")
    quote.save()
    return quote


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_an_accepted_quote_is_invoiced_paid_and_supported(page, page_problems, people, sent_quote):
    customer = sent_quote.customer

    # Sales: the customer said yes.
    log_in(page, "rep")
    page.goto(sent_quote.get_absolute_url())
    page.get_by_role("button", name="Mark as accepted").click()
    expect(page.get_by_role("button", name="Mark as accepted")).to_have_count(0)

    # Accounting: order and invoice without typing the customer again, then the payment.
    log_in(page, "accountant")
    page.goto(sent_quote.get_absolute_url())
    page.get_by_test_id("create-order").click()
    expect(page).to_have_url(re.compile(r"/accounting/orders/\d+/$"))
    order = Order.objects.get()
    expect(page).to_have_url(re.compile(rf"{order.get_absolute_url()}$"))
    expect(page.get_by_text("Panadería La Espiga").first).to_be_visible()
    page.get_by_role("button", name="Create invoice").click()
    expect(page).to_have_url(re.compile(r"/accounting/invoices/\d+/$"))
    invoice = Invoice.objects.get()
    expect(page).to_have_url(re.compile(rf"{invoice.get_absolute_url()}$"))
    expect(page.get_by_test_id("invoice-balance")).to_contain_text("3,570,000.00")
    page.get_by_label("Amount").first.fill("3570000")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_test_id("invoice-balance")).to_have_text(re.compile(r"Balance: 0\.00 "))
    invoice.refresh_from_db()
    assert invoice.is_paid

    # Service: the customer calls about the terminal; the agent sees it among the products owned.
    log_in(page, "agent")
    page.goto(customer.get_absolute_url())
    expect(page.locator("#panel-installed-base")).to_contain_text("Terminal punto de venta")
    page.get_by_role("link", name=re.compile("New ticket")).first.click()
    page.get_by_label("Subject").fill("La terminal no enciende")
    terminal = sent_quote.lines.get().product
    page.get_by_label("Product", exact=True).select_option(value=str(terminal.pk))
    page.get_by_role("button", name="Open ticket").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    expect(page).to_have_url(re.compile(rf"{ticket.get_absolute_url()}$"))
    assert (ticket.customer, ticket.product) == (customer, terminal)
    expect(page.get_by_test_id("installed-products")).to_contain_text("Terminal punto de venta")

    assert not page_problems.page_errors
    assert not page_problems.failed_requests
    assert not page_problems.csp_violations()
