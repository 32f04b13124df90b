"""Writing to a customer from the CRM: sent through the user's own SMTP server, logged on the timeline."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.mail.models import EmailMessage, Mailbox
from contacts.mail.secrets import encrypt_password
from contacts.models import Activity
from contacts.tasks import fetch_mailbox_task
from tests.factories import ContactFactory
from tests.helpers import customer_page, text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@pytest.fixture
def ana(customer):
    return ContactFactory(customer=customer, name="Ana Pérez", email="Ana.Perez@andina.example")


@pytest.fixture
def mailbox(connect_mailbox, rep):
    return connect_mailbox(rep)


def compose_url(customer) -> str:
    return reverse("mail:email_compose", args=[customer.pk])


def send(client, customer, mailbox, **fields):
    data = {
        "mailbox": mailbox.pk,
        "to": "ana.perez@andina.example",
        "cc": "",
        "subject": "Su cotización",
        "body": "Adjunto la cotización que pidió.",
        **fields,
    }
    return client.post(compose_url(customer), data)


def test_a_rep_writes_to_a_contact_and_it_goes_through_their_smtp_and_onto_the_timeline(
    client, rep, teammate, customer, ana, mailbox, smtp_server
):
    client.force_login(rep)
    assert compose_url(customer) in client.get(customer.get_absolute_url()).text
    page = text(client.get(compose_url(customer)))
    assert "Ana Pérez <Ana.Perez@andina.example>" in page

    attachment = SimpleUploadedFile("cotizacion.pdf", PDF, content_type="text/html")
    response = send(client, customer, mailbox, cc="jefe@andina.example", attachment=attachment)
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()

    [sent] = smtp_server.messages
    assert sent["From"].addresses[0].addr_spec == mailbox.email_address
    assert sent["To"] == "ana.perez@andina.example"
    assert sent["Cc"] == "jefe@andina.example"
    assert sent["Subject"] == "Su cotización"
    [part] = list(sent.iter_attachments())
    assert (part.get_filename(), part.get_content()) == ("cotizacion.pdf", PDF)

    email = EmailMessage.objects.get()
    assert email.message_id == sent["Message-ID"]
    assert (email.direction, email.status, email.customer, email.contact) == ("sent", "filed", customer, ana)
    assert (email.activity.kind, email.activity.user, email.activity.customer) == (
        Activity.Kind.EMAIL,
        rep,
        customer,
    )
    [document] = email.documents.all()
    assert (document.name, document.content_type, document.customer) == (
        "cotizacion.pdf",
        "application/pdf",
        customer,
    )

    client.force_login(teammate)
    timeline = customer_page(client, customer)
    assert "Su cotización" in timeline
    assert "Sent to ana.perez@andina.example" in timeline
    assert document.get_absolute_url() in timeline


def test_the_sent_copy_fetched_back_is_not_filed_again(
    client, rep, customer, ana, mailbox, smtp_server, deliver
):
    client.force_login(rep)
    assert send(client, customer, mailbox).status_code == 302
    [sent] = smtp_server.messages
    deliver(mailbox, sent.as_bytes())  # the user had their own address in Bcc
    fetch_mailbox_task.delay(mailbox_id=mailbox.pk)
    assert EmailMessage.objects.count() == 1
    assert Activity.objects.count() == 1


def test_a_refused_password_is_shown_and_nothing_is_logged(client, rep, customer, ana, mailbox, smtp_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(password_encrypted=encrypt_password("wrong"))
    client.force_login(rep)
    response = send(client, customer, mailbox)
    assert response.status_code == 400
    assert "The email was not sent:" in text(response)
    assert "refused the user name or app password" in text(response)
    assert response.context["form"]["subject"].value() == "Su cotización"  # nothing typed is lost
    assert not smtp_server.messages
    assert not EmailMessage.objects.exists()


def test_an_unreachable_server_is_shown(client, rep, customer, ana, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=1)
    client.force_login(rep)
    response = send(client, customer, mailbox)
    assert response.status_code == 400
    assert "Could not connect to 127.0.0.1:1" in text(response)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"to": "someone@else.example"}, "to", "Select a valid choice"),
        ({"cc": "jefe@andina.example, no-es-correo"}, "cc", "These are not email addresses: no-es-correo"),
        ({"subject": ""}, "subject", "This field is required"),
        ({"body": ""}, "body", "This field is required"),
        (
            {"attachment": SimpleUploadedFile("virus.exe", b"MZ")},
            "attachment",
            "Files of this type are not accepted",
        ),
    ],
)
def test_bad_input_says_why_and_sends_nothing(
    client, rep, customer, ana, mailbox, smtp_server, fields, field, message
):
    client.force_login(rep)
    response = send(client, customer, mailbox, **fields)
    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(message)
    assert not smtp_server.messages


def test_only_the_users_own_mailboxes_send(
    client, rep, teammate, customer, ana, connect_mailbox, smtp_server
):
    theirs = connect_mailbox(teammate)
    client.force_login(rep)
    response = send(client, customer, theirs)
    assert response.status_code == 400
    assert "mailbox" in response.context["form"].errors
    assert not smtp_server.messages


def test_without_a_mailbox_the_page_says_how_to_connect_one(client, rep, customer, ana):
    client.force_login(rep)
    page = text(client.get(compose_url(customer)))
    assert reverse("mail:mailbox_create") in page


def test_an_outsider_cannot_write_from_the_customers_page(client, other_team_rep, customer, ana):
    client.force_login(other_team_rep)
    assert client.get(compose_url(customer)).status_code == 404


def test_the_timeline_costs_the_same_queries_for_2_and_12_emails(client, rep, customer, ana, mailbox):
    client.force_login(rep)
    counts = []
    for total in (2, 12):
        while EmailMessage.objects.count() < total:
            attachment = SimpleUploadedFile("a.pdf", PDF)
            assert send(client, customer, mailbox, attachment=attachment).status_code == 302
        with CaptureQueriesContext(connection) as queries:
            assert client.get(customer.get_absolute_url()).status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("contacts:timeline", args=[customer.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[:2] == counts[2:]
