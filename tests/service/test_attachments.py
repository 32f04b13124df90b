"""Attachments on a ticket: limits by size and by real type, served only to who may see the ticket."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service.models import Attachment
from tests.factories import CustomerFactory, user_with_role
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def ticket(service_agent, south):
    return TicketFactory(
        customer=CustomerFactory(team=south), assignee=service_agent, subject="Pantalla rota"
    )


@pytest.fixture
def agent_client(client, service_agent):
    client.force_login(service_agent)
    return client


def upload(client, ticket, name: str, content: bytes, content_type: str = "application/octet-stream"):
    return client.post(
        reverse("service:attachment_upload", args=[ticket.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("captura.png", PNG, "image/png"),
        ("registro.log", "Error en línea 4\r\n".encode(), "text/plain"),
        (
            "informe.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("factura.PDF", b"%PDF-1.7\n%...", "application/pdf"),
    ],
)
def test_an_agent_attaches_a_file_and_anyone_who_sees_the_ticket_downloads_it(
    agent_client, ticket, service_agent, name, content, stored_type
):
    response = upload(agent_client, ticket, name, content, content_type="text/html")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == (name, len(content), service_agent)
    assert attachment.content_type == stored_type  # ours, not the browser's "text/html"
    assert attachment.file.name.startswith(f"ticket-attachments/{ticket.pk}/")

    page = agent_client.get(ticket.get_absolute_url()).text
    download_url = reverse("service:attachment_download", args=[ticket.pk, attachment.pk])
    assert download_url in page
    response = agent_client.get(download_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == stored_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_over_the_limit_is_refused(agent_client, ticket, settings):
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 100
    response = upload(agent_client, ticket, "grande.png", PNG + b"\x00" * 100)
    assert response.status_code == 400
    [error] = response.context["attachment_form"].errors["file"]
    assert error.startswith("The file is too big")
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["programa.exe", "pagina.html", "sin_extension", "script.svg"])
def test_a_type_not_on_the_list_is_refused(agent_client, ticket, name):
    response = upload(agent_client, ticket, name, b"MZ\x90\x00 binary")
    assert response.status_code == 400
    [error] = response.context["attachment_form"].errors["file"]
    assert error.startswith("Files of this type are not accepted.")
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.png", b"<html><script>alert(1)</script></html>"),  # a web page dressed as an image
        ("factura.pdf", PNG),
        ("notas.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # a program dressed as text
        ("informe.docx", b"PK\x03\x04 not really a zip"),
        ("hoja.xlsx", docx_bytes()),  # a Word file is not a spreadsheet
    ],
)
def test_a_disguised_file_is_refused(agent_client, ticket, name, content):
    response = upload(agent_client, ticket, name, content, content_type="image/png")
    assert response.status_code == 400
    [error] = response.context["attachment_form"].errors["file"]
    assert "content is not that of a" in error
    assert not Attachment.objects.exists()


def test_an_empty_or_missing_file_says_why(agent_client, ticket):
    assert upload(agent_client, ticket, "vacio.txt", b"").status_code == 400
    response = agent_client.post(reverse("service:attachment_upload", args=[ticket.pk]))
    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"]


def test_the_allow_list_is_a_setting(agent_client, ticket, settings):
    settings.SERVICE_ATTACHMENT_TYPES = ["pdf"]
    assert upload(agent_client, ticket, "captura.png", PNG).status_code == 400
    assert upload(agent_client, ticket, "doc.pdf", b"%PDF-1.4").status_code == 302


def test_who_cannot_see_the_ticket_gets_404(client, ticket, north, service_agent):
    attachment = Attachment.objects.create(ticket=ticket, name="a.txt", content_type="text/plain", size=1)
    attachment.file.save("a.txt", io.BytesIO(b"x"))
    client.force_login(user_with_role("Service agent", team=north, username="norte"))
    url = reverse("service:attachment_download", args=[ticket.pk, attachment.pk])
    assert client.get(url).status_code == 404
    assert upload(client, ticket, "b.txt", b"hola").status_code == 404
    # Nor can an attachment be reached through another ticket's address.
    other = TicketFactory(assignee=service_agent)
    client.force_login(service_agent)
    assert (
        client.get(reverse("service:attachment_download", args=[other.pk, attachment.pk])).status_code == 404
    )


def test_a_rep_reads_but_cannot_attach(client, rep, customer):
    ticket = TicketFactory(customer=customer)
    client.force_login(rep)
    assert (
        reverse("service:attachment_upload", args=[ticket.pk])
        not in client.get(ticket.get_absolute_url()).text
    )
    assert upload(client, ticket, "a.txt", b"hola").status_code == 403


def test_anonymous_and_roleless_users_get_nothing(client, no_role, ticket):
    attachment = Attachment.objects.create(ticket=ticket, name="a.txt", content_type="text/plain", size=1)
    attachment.file.save("a.txt", io.BytesIO(b"x"))
    url = reverse("service:attachment_download", args=[ticket.pk, attachment.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(no_role)
    assert client.get(url).status_code == 403


def test_a_file_missing_from_disk_answers_404(agent_client, ticket):
    attachment = Attachment.objects.create(
        ticket=ticket,
        name="perdido.txt",
        content_type="text/plain",
        size=1,
        file="ticket-attachments/0/no.txt",
    )
    url = reverse("service:attachment_download", args=[ticket.pk, attachment.pk])
    assert agent_client.get(url).status_code == 404


def test_wrong_methods_are_refused(agent_client, ticket):
    assert agent_client.get(reverse("service:attachment_upload", args=[ticket.pk])).status_code == 405


def test_the_ticket_page_costs_the_same_queries_for_2_and_12_attachments(agent_client, ticket):
    counts = []
    for total in (2, 12):
        for index in range(total - ticket.attachments.count()):
            assert upload(agent_client, ticket, f"log{index}.txt", b"linea").status_code == 302
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(ticket.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
