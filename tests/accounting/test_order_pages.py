from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting import services
from accounting.models import Invoice, Order
from sales.models import Quote
from tests.accounting.factories import accepted_quote, order_for
from tests.factories import CustomerFactory
from tests.helpers import customer_page
from tests.sales.factories import QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer):
    return order_for(customer)


def test_the_accountant_sees_the_orders_with_their_total(client, accountant, customer):
    first, second = order_for(customer), order_for(customer)
    client.force_login(accountant)
    response = client.get(reverse("accounting:order_list"))
    assert response.status_code == 200
    assert first.number in response.text and second.number in response.text
    assert response.context["totals"] == {"count": 2, "total": first.total + second.total}


def test_the_list_filters_by_status_and_search(client, accountant, customer):
    kept, cancelled = order_for(customer), order_for(customer)
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)
    client.force_login(accountant)
    response = client.get(reverse("accounting:order_list"), {"status": "confirmed", "q": kept.number})
    assert [o.pk for o in response.context["page_obj"]] == [kept.pk]


def test_bad_filters_show_a_message_and_no_error(client, accountant, order):
    client.force_login(accountant)
    response = client.get(
        reverse("accounting:order_list"), {"status": "nonsense", "since": "2026-13-45", "until": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    response = client.get(reverse("accounting:order_list"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert "The start date is after the end date." in response.text


def test_a_rep_sees_only_the_orders_of_customers_they_may_see(client, rep, other_team_rep, order):
    other = order_for(CustomerFactory(owner=other_team_rep))
    client.force_login(rep)
    response = client.get(reverse("accounting:order_list"))
    assert order.number in response.text
    assert other.number not in response.text


def test_the_list_costs_the_same_queries_with_more_orders(
    client, accountant, customer, django_assert_max_num_queries
):
    invoiced = order_for(customer)
    services.create_invoice(order=invoiced, by=None)
    client.force_login(accountant)
    url = reverse("accounting:order_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # Read now: every request clears the connection's query log.
    baseline = len(few.captured_queries)
    for _ in range(5):
        services.create_invoice(order=order_for(CustomerFactory(owner=customer.owner)), by=None)
        order_for(CustomerFactory(owner=customer.owner))
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_order_page_shows_lines_and_a_create_invoice_button(client, accountant, order):
    client.force_login(accountant)
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    assert order.lines.get().description in response.text
    assert "Create invoice" in response.text


def test_a_rep_reads_their_customers_order_without_buttons(client, rep, order):
    client.force_login(rep)
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    assert "Create invoice" not in response.text
    assert client.post(reverse("accounting:order_invoice", args=[order.pk])).status_code == 403


def test_a_rep_of_another_team_gets_404(client, other_team_rep, order):
    client.force_login(other_team_rep)
    assert client.get(order.get_absolute_url()).status_code == 404


def test_no_role_gets_403(client, no_role, order):
    client.force_login(no_role)
    assert client.get(order.get_absolute_url()).status_code == 403
    assert client.get(reverse("accounting:order_list")).status_code == 403


def test_an_unknown_order_is_404(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("accounting:order_detail", args=[999999])).status_code == 404


def test_the_order_page_costs_a_bounded_number_of_queries(
    client, accountant, customer, django_assert_max_num_queries
):
    order = order_for(customer)
    client.force_login(accountant)
    with django_assert_max_num_queries(12):
        client.get(order.get_absolute_url())


def test_create_invoice_from_the_order_page(client, accountant, order):
    client.force_login(accountant)
    response = client.post(reverse("accounting:order_invoice", args=[order.pk]))
    invoice = Invoice.objects.get(order=order)
    assert response.status_code == 302
    assert response.url == invoice.get_absolute_url()
    assert client.get(reverse("accounting:order_invoice", args=[order.pk])).status_code == 405


def test_a_cancelled_order_is_not_invoiced_and_says_why(client, accountant, order):
    client.force_login(accountant)
    client.post(reverse("accounting:order_cancel", args=[order.pk]))
    response = client.post(reverse("accounting:order_invoice", args=[order.pk]), follow=True)
    assert "A cancelled order cannot be invoiced." in response.text
    assert not Invoice.objects.exists()


def test_the_accepted_quote_page_offers_create_order(client, accountant, customer):
    quote = accepted_quote(customer=customer)
    client.force_login(accountant)
    response = client.get(quote.get_absolute_url())
    assert "Create order" in response.text

    response = client.post(reverse("accounting:order_from_quote", args=[quote.pk]))
    order = Order.objects.get(quote=quote)
    assert response.url == order.get_absolute_url()
    # Posting again (a double click) makes no second order.
    client.post(reverse("accounting:order_from_quote", args=[quote.pk]))
    assert Order.objects.count() == 1
    response = client.get(quote.get_absolute_url())
    assert "Create order" not in response.text
    assert order.number in response.text


def test_a_quote_that_is_not_accepted_makes_no_order(client, accountant, customer):
    quote = QuoteFactory(opportunity__customer=customer, status=Quote.Status.SENT)
    client.force_login(accountant)
    assert "Create order" not in client.get(quote.get_absolute_url()).text
    response = client.post(reverse("accounting:order_from_quote", args=[quote.pk]), follow=True)
    assert "Only an accepted quote becomes an order." in response.text
    assert not Order.objects.exists()


def test_order_from_quote_permissions(client, rep, other_team_rep, no_role, accountant, customer):
    quote = accepted_quote(customer=customer)
    url = reverse("accounting:order_from_quote", args=[quote.pk])
    client.force_login(rep)
    assert client.post(url).status_code == 403
    client.force_login(no_role)
    assert client.post(url).status_code == 403
    client.force_login(accountant)
    assert client.get(url).status_code == 405
    assert client.post(reverse("accounting:order_from_quote", args=[999999])).status_code == 404
    assert not Order.objects.exists()


def test_the_customer_page_shows_orders_and_invoice_status(client, rep, customer):
    order = order_for(customer)
    client.force_login(rep)
    page = customer_page(client, customer)
    assert "Orders and invoices" in page
    assert order.number in page
    assert "Not invoiced" in page


def test_the_orders_page_renders_in_spanish(client, accountant, order, settings):
    settings.LANGUAGE_CODE = "es"
    client.force_login(accountant)
    response = client.get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert order.number in response.text


def test_cancelling_from_the_order_page(client, accountant, rep, order):
    url = reverse("accounting:order_cancel", args=[order.pk])
    client.force_login(rep)
    assert client.post(url).status_code == 403
    client.force_login(accountant)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    order.refresh_from_db()
    assert order.is_cancelled
    assert f"Order {order.number} cancelled." in response.text


def test_cancelling_an_invoiced_order_from_its_page_issues_a_credit_note(client, accountant, order):
    invoice = services.create_invoice(order=order, by=accountant)
    client.force_login(accountant)
    page = client.get(order.get_absolute_url())
    assert "Cancel order and credit the invoice" in page.text

    response = client.post(reverse("accounting:order_cancel", args=[order.pk]), follow=True)

    order.refresh_from_db()
    assert order.is_cancelled
    note = invoice.credit_notes.get()
    assert note.amount == invoice.total
    assert (
        f"Credit note {note.number} issued for the open balance of invoice {invoice.number}." in response.text
    )
    assert "Credited" in response.text  # the invoice's status on the order page


def test_cancelling_a_partly_paid_order_warns_that_paid_money_needs_a_refund(client, accountant, order):
    invoice = services.create_invoice(order=order, by=accountant)
    services.record_payment(
        invoice=invoice, amount=Decimal("1.00"), paid_on=timezone.localdate(), method="cash", by=accountant
    )
    client.force_login(accountant)
    response = client.post(reverse("accounting:order_cancel", args=[order.pk]), follow=True)
    assert f"1.00 was already paid on invoice {invoice.number}; give it back by a refund." in response.text
    assert invoice.credit_notes.get().amount == invoice.total - Decimal("1.00")


def test_navbar_offers_orders_and_invoices_to_accounting_only(client, accountant, rep):
    from django.urls import reverse

    client.force_login(accountant)
    content = client.get(reverse("home")).content.decode()
    assert reverse("accounting:order_list") in content
    assert reverse("accounting:invoice_list") in content
    client.force_login(rep)
    assert reverse("accounting:order_list") not in client.get(reverse("home")).content.decode()
