"""Quote PDFs: a real A4 document in the customer's language, that fetches only our static files."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from sales.pdf import PDF_BASE_URL, RefusedURL, html_to_pdf, render_quote_pdf, static_only_fetcher
from sales.services import quotes as services
from sales.services.quotes import LineInput
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, ProductFactory

D = Decimal
IMG = '<img src="http://example.com/x.png">'
LINK = '<link rel="stylesheet" href="file:///etc/passwd">'


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Thin and non-breaking spaces in grouped numbers read as plain spaces.
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ").replace("\u202f", " ")


def formatted(amount: Decimal, language: str) -> str:
    with translation.override(language):
        return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True).replace(
            "\xa0", " "
        )


def make_quote(rep, *, language="en", description="", notes="", lines=1, tax_id="900123456-8"):
    customer = CustomerFactory(
        owner=rep, legal_name="Distribuidora Andina S.A.S.", tax_id=tax_id, language=language
    )
    opportunity = OpportunityFactory(customer=customer, owner=rep)
    product = ProductFactory(name=description or "Licencia ERP", unit_price=D("1000000.00"), tax_rate=D(19))
    quote = services.create_quote(opportunity=opportunity, by=rep)
    return services.update_quote(
        quote=quote,
        by=rep,
        valid_until=quote.valid_until,
        notes=notes,
        terms="Pago a 30 días.",
        lines=[LineInput(product=product, quantity=D(1)) for _ in range(lines)],
    )


def test_the_pdf_is_a_real_pdf_with_the_customer_and_the_total(rep, settings):
    settings.CRM_COMPANY_NAME = "Soluciones Contables S.A.S."
    settings.CRM_COMPANY_TAX_ID = "901555444-1"
    quote = make_quote(rep)

    content = render_quote_pdf(quote)

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)  # A4 in millimetres
    text = pdf_text(content)
    assert "Distribuidora Andina S.A.S." in text
    assert "900123456-8" in text
    assert "Soluciones Contables S.A.S." in text
    assert "901555444-1" in text
    assert quote.number in text
    assert f"{formatted(D('1190000.00'), 'en')}" in text  # 1,190,000.00
    assert "Pago a 30 días." in text


def test_the_pdf_speaks_the_customers_language(rep):
    spanish = pdf_text(render_quote_pdf(make_quote(rep, language="es")))
    english = pdf_text(render_quote_pdf(make_quote(rep, language="en", tax_id="800111222-3")))

    # Headings are set in capitals by the stylesheet, so compare without case.
    assert "cliente" in spanish.lower()
    assert "válida hasta" in spanish.lower()
    assert "customer" not in spanish.lower()
    assert formatted(D("1190000.00"), "es") in spanish  # Spanish separators: 1.190.000,00
    assert "customer" in english.lower()
    assert "1,190,000.00" in english
    assert "valid until" in english.lower()


def test_the_fetcher_serves_our_static_files_and_data_urls():
    fetcher = static_only_fetcher()

    stylesheet = fetcher(PDF_BASE_URL + "static/css/quote_pdf.css")
    pixel = fetcher("data:text/plain;base64,aGVsbG8=")

    assert b"@page" in stylesheet.read()
    assert stylesheet.content_type == "text/css"
    assert pixel.read() == b"hello"


@pytest.mark.parametrize(
    "address",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/quote_pdf.css",
        "file:///etc/passwd",
        "ftp://example.com/file",
        PDF_BASE_URL + "static/../../../etc/passwd",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        PDF_BASE_URL + "media/quotes/secret.pdf",
        PDF_BASE_URL + "static/does-not-exist.css",
    ],
)
def test_the_fetcher_refuses_everything_else(address):
    fetcher = static_only_fetcher()
    with pytest.raises((RefusedURL, ValueError)):
        fetcher(address)
    assert fetcher.served == []


def test_markup_in_user_text_is_printed_not_fetched(rep):
    quote = make_quote(rep, description=f"Licencia {IMG}", notes=f"Ver {LINK} adjunto")
    fetcher = static_only_fetcher()

    content = render_quote_pdf(quote, url_fetcher=fetcher)

    text = pdf_text(content)
    assert "example.com/x.png" in text  # shown as text, escaped by the template
    assert "file:///etc/passwd" in text
    assert all(url.startswith(PDF_BASE_URL + "static/") for url in fetcher.served)
    assert fetcher.refused == []


def test_even_unescaped_markup_fetches_nothing_remote_or_local():
    fetcher = static_only_fetcher()

    content = html_to_pdf(
        f"<html><head>{LINK}</head><body><p>Hola</p>{IMG}</body></html>", url_fetcher=fetcher
    )

    assert content.startswith(b"%PDF")
    assert fetcher.served == []
    assert sorted(fetcher.refused) == ["file:///etc/passwd", "http://example.com/x.png"]


# --- The download ------------------------------------------------------------------------


def test_a_draft_downloads_as_a_fresh_preview(rep_client, rep):
    quote = make_quote(rep)

    response = rep_client.get(reverse("sales:quote_pdf", args=[quote.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")


def test_a_sent_quote_downloads_the_pdf_it_was_sent_with(
    rep_client, rep, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    quote = make_quote(rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_quote(quote=quote, by=rep)
    quote.refresh_from_db()

    response = rep_client.get(reverse("sales:quote_pdf", args=[quote.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == (tmp_path / quote.pdf.name).read_bytes()


def test_a_missing_stored_file_is_rendered_again(rep_client, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    quote = make_quote(rep)
    services.send_quote(quote=quote, by=rep)
    type(quote).objects.filter(pk=quote.pk).update(pdf="quotes/gone.pdf")

    response = rep_client.get(reverse("sales:quote_pdf", args=[quote.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
