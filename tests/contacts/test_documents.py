"""Files on a customer and its records: upload within limits, listed and served only to who may see them."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.documents import services
from contacts.documents.models import Document
from tests.factories import CustomerFactory
from tests.helpers import customer_page, text
from tests.sales.factories import OpportunityFactory, QuoteFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def files_url(customer) -> str:
    return reverse("contacts:customer_files", args=[customer.pk])


def upload(client, url: str, name: str, content: bytes, *, htmx: bool = False, **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/html"), **extra}
    return client.post(url, data, headers={"HX-Request": "true"} if htmx else {})


def stored(customer, *, name="contrato.pdf", content=PDF, by=None, target=None) -> Document:
    return services.add_document(
        customer=customer,
        target=target,
        file=io.BytesIO(content),
        name=name,
        size=len(content),
        content_type="application/pdf",
        by=by,
    )


def download(client, document):
    return client.get(reverse("contacts:document_download", args=[document.pk]))


# --- Uploading and downloading -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("contrato.pdf", PDF, "application/pdf"),
        ("logo.PNG", PNG, "image/png"),
        (
            "precios.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_a_rep_uploads_a_file_on_the_customer_and_a_teammate_downloads_it_safely(
    client, rep, teammate, customer, name, content, stored_type
):
    client.force_login(rep)
    response = upload(client, files_url(customer), name, content)
    assert response.status_code == 302
    assert response["Location"] == files_url(customer)
    document = Document.objects.get()
    assert (document.customer, document.target, document.uploaded_by) == (customer, None, rep)
    assert (document.name, document.size) == (name, len(content))
    assert document.content_type == stored_type  # ours, never the browser's "text/html"

    client.force_login(teammate)
    page = text(client.get(files_url(customer)))
    assert name in page
    assert document.get_absolute_url() in page
    response = download(client, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == stored_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_files_panel_on_the_customer_page_uploads_and_comes_back(client, rep, customer):
    client.force_login(rep)
    page = customer_page(client, customer)
    assert 'data-testid="all-files"' in page
    assert files_url(customer) in page

    response = upload(client, files_url(customer), "acta.pdf", PDF, next=customer.get_absolute_url())
    assert response["Location"] == customer.get_absolute_url()
    assert "acta.pdf" in customer_page(client, customer)


def test_a_next_address_elsewhere_is_ignored(client, rep, customer):
    client.force_login(rep)
    response = upload(client, files_url(customer), "acta.pdf", PDF, next="https://evil.example/")
    assert response["Location"] == files_url(customer)


def test_a_file_on_an_opportunity_is_uploaded_from_its_page_and_shown_on_the_customers_files(
    client, rep, customer
):
    opportunity = OpportunityFactory(customer=customer, name="Renovación 2027")
    client.force_login(rep)
    record_url = reverse("contacts:record_files", args=["sales.opportunity", opportunity.pk])
    assert record_url in client.get(opportunity.get_absolute_url()).text

    response = upload(client, record_url, "propuesta.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    document = Document.objects.get()
    assert (document.customer, document.target) == (customer, opportunity)

    fragment = client.get(record_url, headers={"HX-Request": "true"})
    assert "propuesta.pdf" in text(fragment)
    assert "<html" not in fragment.text
    page = text(client.get(files_url(customer)))
    assert "propuesta.pdf" in page
    assert "Renovación 2027" in page


def test_a_file_on_a_quote_is_uploaded_with_htmx_and_the_fragment_comes_back(client, rep, customer):
    quote = QuoteFactory(opportunity=OpportunityFactory(customer=customer))
    client.force_login(rep)
    record_url = reverse("contacts:record_files", args=["sales.quote", quote.pk])
    assert record_url in client.get(quote.get_absolute_url()).text

    response = upload(client, record_url, "anexo.pdf", PDF, htmx=True)
    assert response.status_code == 200
    assert "anexo.pdf" in text(response)
    assert "<html" not in response.text
    assert Document.objects.get().target == quote


def test_only_records_that_take_files_have_a_files_address(client, rep, customer):
    client.force_login(rep)
    for record, pk in [("contacts.customer", customer.pk), ("accounting.invoice", 1), ("nothing", 1)]:
        assert client.get(reverse("contacts:record_files", args=[record, pk])).status_code == 404


# --- Limits ----------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_the_limit(client, rep, customer, settings):
    settings.CRM_DOCUMENT_MAX_BYTES = 100
    client.force_login(rep)
    response = upload(client, files_url(customer), "grande.pdf", PDF + b"\x00" * 100)
    assert response.status_code == 400
    [error] = response.context["form"].errors["file"]
    assert error.startswith("The file is too big")
    assert "100" in error
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programa.exe", b"MZ\x90\x00", "Files of this type are not accepted."),
        ("pagina.html", b"<html></html>", "Files of this type are not accepted."),
        ("dibujo.svg", b"<svg onload=alert(1)>", "Files of this type are not accepted."),
        ("foto.png", b"<html><script>alert(1)</script></html>", "content is not that of a .png"),
        ("factura.pdf", PNG, "content is not that of a .pdf"),
        ("hoja.xlsx", b"PK\x03\x04 not a zip", "content is not that of a .xlsx"),
    ],
)
def test_a_file_of_the_wrong_type_or_disguised_is_refused(client, rep, customer, name, content, message):
    client.force_login(rep)
    response = upload(client, files_url(customer), name, content)
    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert not Document.objects.exists()


def test_an_empty_or_missing_file_says_why(client, rep, customer):
    client.force_login(rep)
    response = upload(client, files_url(customer), "vacio.pdf", b"")
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    response = client.post(files_url(customer))
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_a_bad_upload_on_a_record_is_shown_in_its_fragment(client, rep, customer):
    opportunity = OpportunityFactory(customer=customer)
    client.force_login(rep)
    record_url = reverse("contacts:record_files", args=["sales.opportunity", opportunity.pk])
    response = upload(client, record_url, "programa.exe", b"MZ", htmx=True)
    assert response.status_code == 200  # htmx swaps only successful answers
    assert "Files of this type are not accepted." in text(response)
    assert upload(client, record_url, "programa.exe", b"MZ").status_code == 400
    assert not Document.objects.exists()


def test_the_accepted_types_are_a_setting(client, rep, customer, settings):
    settings.CRM_DOCUMENT_TYPES = ["png"]
    client.force_login(rep)
    assert upload(client, files_url(customer), "contrato.pdf", PDF).status_code == 400
    assert upload(client, files_url(customer), "logo.png", PNG).status_code == 302


# --- Who may see what ------------------------------------------------------------------


def test_an_outsider_gets_404_for_the_page_the_file_and_the_upload(client, other_team_rep, customer, rep):
    document = stored(customer, by=rep)
    opportunity = OpportunityFactory(customer=customer)
    client.force_login(other_team_rep)
    assert client.get(files_url(customer)).status_code == 404
    assert download(client, document).status_code == 404
    assert upload(client, files_url(customer), "x.pdf", PDF).status_code == 404
    record_url = reverse("contacts:record_files", args=["sales.opportunity", opportunity.pk])
    assert client.get(record_url).status_code == 404
    assert upload(client, record_url, "x.pdf", PDF).status_code == 404
    delete_url = reverse("contacts:document_delete", args=[document.pk])
    assert client.post(delete_url).status_code == 404
    assert Document.objects.count() == 1


def test_a_file_on_a_record_follows_the_records_visibility(client, rep, teammate, other_team_rep, customer):
    """The rep sees the customer, but an opportunity owned by another team's rep is not theirs."""
    theirs = OpportunityFactory(customer=customer, owner=other_team_rep, name="Ajena")
    mine = OpportunityFactory(customer=customer, owner=rep, name="Propia")
    hidden = stored(customer, name="ajena.pdf", target=theirs, by=other_team_rep)
    shown = stored(customer, name="propia.pdf", target=mine, by=rep)

    client.force_login(teammate)
    page = text(client.get(files_url(customer)))
    assert "propia.pdf" in page
    assert "ajena.pdf" not in page
    assert download(client, shown).status_code == 200
    assert download(client, hidden).status_code == 404
    assert "ajena.pdf" not in customer_page(client, customer)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("rep", True),
        ("teammate", True),
        ("manager", True),
        ("admin_user", True),
        ("accountant", True),
        ("marketer", True),
        ("other_team_rep", False),
        ("telemarketer", True),  # on the rep's team
        ("service_agent", False),  # team South
    ],
    indirect=["persona"],
)
def test_visibility_per_role(client, persona, sees, customer, rep):
    document = stored(customer, by=rep)
    client.force_login(persona)
    assert download(client, document).status_code == (200 if sees else 404)
    assert client.get(files_url(customer)).status_code == (200 if sees else 404)


def test_anonymous_and_roleless_users_get_nothing(client, no_role, customer, rep):
    document = stored(customer, by=rep)
    assert download(client, document).status_code == 302  # to the login page
    assert client.get(files_url(customer)).status_code == 302
    client.force_login(no_role)
    assert download(client, document).status_code == 403
    assert client.get(files_url(customer)).status_code == 403


def test_a_file_missing_from_disk_answers_404(client, rep, customer):
    document = stored(customer, by=rep)
    document.file.delete(save=False)
    client.force_login(rep)
    assert download(client, document).status_code == 404


def test_wrong_methods_are_refused(client, rep, customer):
    document = stored(customer, by=rep)
    client.force_login(rep)
    assert client.post(reverse("contacts:document_download", args=[document.pk])).status_code == 405
    assert client.get(reverse("contacts:document_delete", args=[document.pk])).status_code == 405


# --- Removing --------------------------------------------------------------------------


def test_the_uploader_or_a_manager_removes_a_file_and_others_may_not(
    client, rep, teammate, manager, customer, django_capture_on_commit_callbacks
):
    mine = stored(customer, name="mio.pdf", by=rep)
    other = stored(customer, name="otro.pdf", by=rep)
    storage, name = mine.file.storage, mine.file.name

    client.force_login(teammate)
    assert client.post(reverse("contacts:document_delete", args=[mine.pk])).status_code == 403
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("contacts:document_delete", args=[mine.pk]), {"next": customer.get_absolute_url()}
        )
    assert response["Location"] == customer.get_absolute_url()
    assert not storage.exists(name)
    client.force_login(manager)
    assert client.post(reverse("contacts:document_delete", args=[other.pk])).status_code == 302
    assert not Document.objects.exists()


# --- The customer's files page lists everything -----------------------------------------


def test_the_files_page_links_sent_quote_pdfs_invoices_and_ticket_attachments(client, rep, customer):
    from service.models import Attachment
    from tests.accounting.factories import invoice_for
    from tests.service.factories import TicketFactory

    sent = QuoteFactory(opportunity=OpportunityFactory(customer=customer), number="COT-2026-00042")
    sent.pdf.save("COT-2026-00042-v1.pdf", ContentFile(PDF))
    QuoteFactory(opportunity=OpportunityFactory(customer=customer), number="COT-2026-00043")  # a draft
    invoice = invoice_for(customer, by=rep)
    ticket = TicketFactory(customer=customer, assignee=rep, team=rep.team)
    attachment = Attachment.objects.create(
        ticket=ticket, name="pantalla.png", content_type="image/png", size=3
    )
    attachment.file.save("pantalla.png", ContentFile(PNG))
    elsewhere = CustomerFactory(owner=rep)
    invoice_for(elsewhere, by=rep)

    client.force_login(rep)
    page = text(client.get(files_url(customer)))
    assert reverse("sales:quote_pdf", args=[sent.pk]) in page
    assert "COT-2026-00042-v1.pdf" in page
    assert "COT-2026-00043" not in page
    assert reverse("accounting:invoice_pdf", args=[invoice.pk]) in page
    assert f"{invoice.number}.pdf" in page
    assert reverse("service:attachment_download", args=[ticket.pk, attachment.pk]) in page
    assert page.count("Invoice PDF") == 1


def test_the_files_page_costs_the_same_queries_for_3_and_30_files(
    client, rep, customer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accounting.factories import invoice_for

    client.force_login(rep)
    counts = []
    for extra in (1, 10):
        opportunity = OpportunityFactory(customer=customer)
        quote = QuoteFactory(opportunity=opportunity)
        for index in range(extra):
            stored(customer, name=f"c{index}.pdf", by=rep)
            stored(customer, name=f"o{index}.pdf", by=rep, target=opportunity)
            stored(customer, name=f"q{index}.pdf", by=rep, target=quote)
        invoice_for(customer, by=rep)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(files_url(customer)).status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            panel_url = reverse("contacts:customer_panel", args=[customer.pk, "files"])
            assert client.get(panel_url, headers={"HX-Request": "true"}).status_code == 200
        counts.append(len(queries))
        record_url = reverse("contacts:record_files", args=["sales.quote", quote.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(record_url, headers={"HX-Request": "true"}).status_code == 200
        counts.append(len(queries))
    assert counts[:3] == counts[3:]
    with django_assert_max_num_queries(20):
        client.get(files_url(customer))


def test_the_files_page_renders_in_spanish(client, rep, customer, settings):
    stored(customer, by=rep)
    settings.LANGUAGE_CODE = "es"
    client.force_login(rep)
    response = client.get(files_url(customer), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert 'lang="es"' in response.text


def test_a_merge_moves_the_duplicates_files_with_it(client, rep, customer):
    from contacts.merging import merge_customers

    duplicate = CustomerFactory(owner=rep, legal_name="Andina (duplicado)")
    on_customer = stored(duplicate, name="rut.pdf", by=rep)
    on_record = stored(duplicate, name="oferta.pdf", by=rep, target=OpportunityFactory(customer=duplicate))
    merge_customers(survivor=customer, duplicate=duplicate, by=rep)
    client.force_login(rep)
    page = text(client.get(files_url(customer)))
    assert "rut.pdf" in page
    assert "oferta.pdf" in page
    assert download(client, on_customer).status_code == 200
    assert download(client, on_record).status_code == 200
