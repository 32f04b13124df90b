"""Invoice PDFs: a real A4 document in the customer's language, that fetches only our static files."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from accounting import services
from accounting.pdf import render_invoice_html, render_invoice_pdf
from sales.pdf import PDF_BASE_URL, static_only_fetcher
from tests.accounting.factories import invoice_for
from tests.factories import CustomerFactory
from tests.sales.factories import ProductFactory
from tests.sales.test_quote_pdf import IMG, LINK, formatted, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def long_date(day) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


def make_invoice(rep, *, language="en", description="Licencia ERP", tax_id="900123456-8"):
    customer = CustomerFactory(
        owner=rep,
        legal_name="Distribuidora Andina S.A.S.",
        tax_id=tax_id,
        address="Calle 80 # 11-42",
        city="Bogotá",
        language=language,
    )
    product = ProductFactory(name="Licencia ERP", unit_price=D("1000000.00"), tax_rate=D(19))
    return invoice_for(
        customer,
        lines=[
            {"product": product, "description": description, "quantity": D(2), "discount_percent": D(10)},
        ],
    )


def test_the_pdf_is_an_a4_invoice_with_company_customer_lines_and_totals(rep, settings):
    settings.CRM_COMPANY_NAME = "Soluciones Contables S.A.S."
    settings.CRM_COMPANY_TAX_ID = "901555444-1"
    invoice = make_invoice(rep)

    content = render_invoice_pdf(invoice)

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)  # A4 in millimetres
    text = pdf_text(content)
    for expected in [
        "Soluciones Contables S.A.S.",
        "901555444-1",
        invoice.number,
        invoice.order.number,
        "Distribuidora Andina S.A.S.",
        "900123456-8",
        "Calle 80 # 11-42, Bogotá",
        "Licencia ERP",
        formatted(D("2000000.00"), "en"),  # subtotal
        formatted(D("200000.00"), "en"),  # discount
        formatted(D("342000.00"), "en"),  # tax: 19 % of 1,800,000
        formatted(D("2142000.00"), "en"),  # total
        long_date(invoice.issue_date),
        long_date(invoice.due_date),
    ]:
        assert expected in text, expected


def test_the_pdf_shows_payments_and_the_balance_left(rep, accountant):
    invoice = make_invoice(rep)
    services.record_payment(
        invoice=invoice,
        amount=D("142000.00"),
        paid_on=timezone.localdate(),
        method="transfer",
        reference="TRX-778",
        by=accountant,
    )

    text = pdf_text(render_invoice_pdf(invoice))

    assert "TRX-778" in text
    assert formatted(D("142000.00"), "en") in text
    assert "balance due" in text.lower()
    assert formatted(D("2000000.00"), "en") in text  # 2,142,000.00 less the payment


def test_the_pdf_shows_credit_notes(rep, accountant):
    invoice = make_invoice(rep)
    note = services.issue_credit_note(invoice, amount=D("42000.00"), reason="Entrega tardía", by=accountant)

    text = pdf_text(render_invoice_pdf(invoice))

    assert note.number in text
    assert "Entrega tardía" in text
    assert formatted(D("2100000.00"), "en") in text  # 2,142,000.00 less the credit


def test_the_pdf_speaks_the_customers_language(rep):
    spanish = pdf_text(render_invoice_pdf(make_invoice(rep, language="es")))
    english = pdf_text(render_invoice_pdf(make_invoice(rep, language="en", tax_id="800111222-3")))

    # Headings are set in capitals by the stylesheet, so compare without case.
    assert "factura" in spanish.lower()
    assert "cliente" in spanish.lower()
    assert "customer" not in spanish.lower()
    assert formatted(D("2142000.00"), "es") in spanish  # Spanish separators: 2.142.000,00
    assert "invoice" in english.lower()
    assert "customer" in english.lower()
    assert "2,142,000.00" in english


def test_the_invoice_fetches_only_our_static_files(rep):
    invoice = make_invoice(rep, description=f"Licencia {IMG} {LINK}")
    fetcher = static_only_fetcher()

    text = pdf_text(render_invoice_pdf(invoice, url_fetcher=fetcher))

    assert "example.com/x.png" in text  # printed as text, escaped by the template
    assert fetcher.served
    assert all(url.startswith(PDF_BASE_URL + "static/") for url in fetcher.served)
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "address", ["http://example.com/logo.png", "file:///etc/passwd", PDF_BASE_URL + "media/x.pdf"]
)
def test_the_invoice_renderer_refuses_outside_urls(rep, address, monkeypatch):
    """Even a stylesheet slipped into the HTML by a template change is refused, not opened."""
    invoice = make_invoice(rep)
    html = render_invoice_html(invoice).replace("</head>", f'<link rel="stylesheet" href="{address}"></head>')
    fetcher = static_only_fetcher()
    monkeypatch.setattr("accounting.pdf.render_invoice_html", lambda _invoice: html)

    content = render_invoice_pdf(invoice, url_fetcher=fetcher)

    assert content.startswith(b"%PDF")
    assert fetcher.refused == [address]
    assert address not in fetcher.served


# --- The download ------------------------------------------------------------------------


def test_the_owner_downloads_the_invoice_pdf(rep_client, rep):
    invoice = make_invoice(rep)

    response = rep_client.get(reverse("accounting:invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert invoice.number in pdf_text(response.content)


def test_the_invoice_page_links_to_the_pdf(rep_client, rep):
    invoice = make_invoice(rep)
    page = rep_client.get(invoice.get_absolute_url())
    assert reverse("accounting:invoice_pdf", args=[invoice.pk]) in page.text


@pytest.mark.parametrize(
    ("persona", "status"),
    [("rep", 200), ("teammate", 200), ("accountant", 200), ("manager", 200), ("other_team_rep", 404)],
)
def test_who_may_download_the_pdf(client, rep, persona, status, request):
    invoice = make_invoice(rep)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounting:invoice_pdf", args=[invoice.pk])).status_code == status


def test_no_role_gets_403_and_anonymous_is_sent_to_log_in(client, rep, no_role):
    url = reverse("accounting:invoice_pdf", args=[make_invoice(rep).pk])
    assert client.get(url).status_code == 302
    client.force_login(no_role)
    assert client.get(url).status_code == 403


def test_the_pdf_needs_get(rep_client, rep):
    invoice = make_invoice(rep)
    assert rep_client.post(reverse("accounting:invoice_pdf", args=[invoice.pk])).status_code == 405


def test_an_unknown_invoice_is_404(rep_client):
    assert rep_client.get(reverse("accounting:invoice_pdf", args=[999999])).status_code == 404
