"""Fetching users' mailboxes from a real IMAP server (Dovecot) and filing mail on customers."""

from __future__ import annotations

import datetime
import imaplib

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.documents.models import Document
from contacts.mail.models import EmailMessage, Mailbox
from contacts.models import Activity
from contacts.tasks import fetch_all_mailboxes_task, fetch_mailbox_task
from tests.contacts.mail_servers import message
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import customer_page

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@pytest.fixture
def ana(customer):
    return ContactFactory(customer=customer, name="Ana Pérez", email="Ana.Perez@Andina.example")


@pytest.fixture
def mailbox(connect_mailbox, rep):
    return connect_mailbox(rep)


def fetch(mailbox: Mailbox) -> Mailbox:
    fetch_mailbox_task.delay(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    return mailbox


def test_a_message_from_a_known_contact_lands_on_its_customer_with_its_attachment(
    client, deliver, mailbox, customer, ana, rep, teammate
):
    deliver(
        mailbox,
        message(
            sender="Ana Pérez <ana.perez@andina.example>",
            to=mailbox.email_address,
            subject="Pedido de repuestos",
            body="Necesitamos 20 filtros para el lunes.",
            attachments=[("orden.pdf", PDF, "application/pdf")],
        ),
    )
    fetch_all_mailboxes_task.delay()

    email = EmailMessage.objects.get()
    assert (email.customer, email.contact, email.status) == (customer, ana, EmailMessage.Status.FILED)
    assert email.direction == EmailMessage.Direction.RECEIVED
    activity = email.activity
    assert (activity.customer, activity.kind, activity.user, activity.contact) == (
        customer,
        Activity.Kind.EMAIL,
        rep,
        ana,
    )
    assert activity.subject == "Pedido de repuestos"
    assert "20 filtros" in activity.notes
    [document] = email.documents.all()
    assert (document.name, document.customer, document.content_type) == (
        "orden.pdf",
        customer,
        "application/pdf",
    )

    client.force_login(teammate)
    page = customer_page(client, customer)
    assert "Pedido de repuestos" in page
    assert "Received from ana.perez@andina.example" in page
    assert email.get_absolute_url() in page
    assert document.get_absolute_url() in page
    response = client.get(document.get_absolute_url())
    assert b"".join(response.streaming_content) == PDF
    assert "20 filtros" in client.get(email.get_absolute_url()).text


def test_a_message_to_the_customers_address_is_filed_by_its_recipient(deliver, mailbox, customer):
    customer.email = "Compras@Andina.example"
    customer.save()
    deliver(
        mailbox,
        message(sender=mailbox.email_address, to="otra@persona.example", cc=["COMPRAS@andina.example"]),
    )
    fetch(mailbox)
    email = EmailMessage.objects.get()
    assert (email.customer, email.contact) == (customer, None)
    assert email.cc_addresses == ["compras@andina.example"]


def test_the_sender_is_matched_before_the_recipients(deliver, mailbox, customer, ana, rep):
    other = CustomerFactory(owner=rep, email="ventas@otra.example")
    deliver(
        mailbox, message(sender="ventas@otra.example", to=[mailbox.email_address, "ana.perez@andina.example"])
    )
    fetch(mailbox)
    assert EmailMessage.objects.get().customer == other


def test_the_same_message_is_not_filed_twice_however_often_the_task_runs(
    deliver, mailbox, connect_mailbox, teammate, customer, ana
):
    raw = message(
        sender="ana.perez@andina.example", to=mailbox.email_address, message_id="<dup-1@andina.example>"
    )
    deliver(mailbox, raw)
    fetch(mailbox)
    fetch(mailbox)
    # The same message again at a new UID (copied back in), and in a colleague's mailbox too.
    deliver(mailbox, raw)
    colleague = connect_mailbox(teammate)
    deliver(colleague, raw)
    fetch_all_mailboxes_task.delay()
    fetch_all_mailboxes_task.delay()

    assert EmailMessage.objects.count() == 1
    assert Activity.objects.filter(kind=Activity.Kind.EMAIL).count() == 1
    mailbox.refresh_from_db()
    assert (mailbox.fetched_count, mailbox.filed_count) == (1, 1)


def test_a_renumbered_folder_is_fetched_again_without_filing_anything_twice(deliver, mailbox, customer, ana):
    deliver(mailbox, message(sender="ana.perez@andina.example", to=mailbox.email_address, subject="Uno"))
    mailbox = fetch(mailbox)
    # The server says the folder's UIDs changed (UIDVALIDITY), as after a rebuild of its index.
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=mailbox.uidvalidity + 1, last_uid=99)
    deliver(mailbox, message(sender="ana.perez@andina.example", to=mailbox.email_address, subject="Dos"))
    mailbox = fetch(mailbox)

    assert sorted(EmailMessage.objects.values_list("subject", flat=True)) == ["Dos", "Uno"]
    assert mailbox.last_uid == 2
    assert mailbox.last_error == ""


def test_a_broken_mailbox_shows_its_error_and_does_not_stop_the_others(
    client, deliver, connect_mailbox, rep, teammate, customer, ana
):
    refused = connect_mailbox(rep)
    unreachable = connect_mailbox(rep, imap_port=1)  # nothing listens there
    working = connect_mailbox(teammate)
    deliver(working, message(sender="ana.perez@andina.example", to=working.email_address, subject="Llega"))
    Mailbox.objects.filter(pk=refused.pk).update(
        password_encrypted=Mailbox.objects.get(pk=working.pk).password_encrypted,
        username="nadie@empresa.example",
    )

    fetch_all_mailboxes_task.delay()

    refused.refresh_from_db()
    unreachable.refresh_from_db()
    assert "refused the user name or app password" in refused.last_error
    assert refused.last_error_at is not None
    assert "Could not connect to 127.0.0.1:1" in unreachable.last_error
    assert EmailMessage.objects.get().subject == "Llega"
    working.refresh_from_db()
    assert working.last_error == ""

    client.force_login(rep)
    page = client.get(reverse("mail:mailbox_list")).text
    assert "refused the user name or app password" in page
    assert "Could not connect to 127.0.0.1:1" in page


def test_a_password_that_can_no_longer_be_read_asks_for_it_again(mailbox, settings):
    settings.CRM_MAILBOX_KEY = "a-new-key-nobody-encrypted-with"
    assert "enter it again" in fetch(mailbox).last_error


def test_a_fixed_mailbox_clears_its_error(deliver, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="old trouble", last_error_at=timezone.now())
    assert fetch(mailbox).last_error == ""


def test_mail_matching_no_customer_waits_for_review(client, deliver, mailbox, rep, customer):
    deliver(
        mailbox, message(sender="desconocido@nuevo.example", to=mailbox.email_address, subject="¿Precios?")
    )
    mailbox = fetch(mailbox)
    email = EmailMessage.objects.get()
    assert (email.customer, email.status, email.activity) == (None, EmailMessage.Status.UNMATCHED, None)
    assert (mailbox.fetched_count, mailbox.filed_count, mailbox.unmatched_count) == (1, 0, 1)
    client.force_login(rep)
    assert "¿Precios?" in client.get(reverse("mail:review_list")).text


def test_only_customers_the_owner_may_see_are_matched(deliver, mailbox, other_team_rep):
    theirs = CustomerFactory(owner=other_team_rep)
    ContactFactory(customer=theirs, email="gerente@ajena.example")
    deliver(mailbox, message(sender="gerente@ajena.example", to=mailbox.email_address))
    fetch(mailbox)
    assert EmailMessage.objects.get().status == EmailMessage.Status.UNMATCHED


def test_attachments_of_a_refused_kind_are_noted_not_kept(deliver, mailbox, customer, ana):
    deliver(
        mailbox,
        message(
            sender="ana.perez@andina.example",
            to=mailbox.email_address,
            attachments=[
                ("programa.exe", b"MZ\x90\x00", "application/octet-stream"),
                ("foto.png", b"<html>not a png</html>", "image/png"),
                ("acta.pdf", PDF, "application/pdf"),
            ],
        ),
    )
    fetch(mailbox)
    email = EmailMessage.objects.get()
    assert [d.name for d in email.documents.all()] == ["acta.pdf"]
    assert "programa.exe was not kept: Files of this type are not accepted." in email.body_text
    assert "foto.png was not kept" in email.body_text


def test_state_moves_past_what_was_fetched_and_reading_marks_nothing_as_read(imap_server, deliver, mailbox):
    for index in range(3):
        deliver(mailbox, message(sender="x@nuevo.example", to=mailbox.email_address, subject=f"M{index}"))
    mailbox = fetch(mailbox)
    assert mailbox.uidvalidity
    assert mailbox.last_uid == 3
    assert mailbox.last_synced_at is not None
    connection = imaplib.IMAP4(imap_server.host, imap_server.port)
    connection.login(mailbox.username, mailbox.password)
    connection.select("INBOX", readonly=True)
    _typ, data = connection.search(None, "UNSEEN")
    connection.logout()
    assert len(data[0].split()) == 3  # still unread in the user's own mail client


def test_a_big_backlog_comes_over_several_runs(deliver, mailbox, settings):
    settings.CRM_MAIL_FETCH_LIMIT = 2
    for index in range(3):
        deliver(mailbox, message(sender="x@nuevo.example", to=mailbox.email_address, subject=f"M{index}"))
    assert fetch(mailbox).fetched_count == 2
    assert fetch(mailbox).fetched_count == 3
    assert fetch(mailbox).fetched_count == 3


def test_a_new_mailbox_starts_with_recent_mail_only(imap_server, deliver, mailbox, settings):
    settings.CRM_MAIL_FIRST_FETCH_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=90)
    connection = imaplib.IMAP4(imap_server.host, imap_server.port)
    connection.login(mailbox.username, mailbox.password)
    connection.append(
        "INBOX",
        None,
        imaplib.Time2Internaldate(old.timestamp()),
        message(sender="a@b.example", to="c@d.example"),
    )
    connection.logout()
    mailbox = fetch(mailbox)
    assert mailbox.fetched_count == 0
    assert mailbox.last_uid == 1  # the old message is behind us, not waiting
    deliver(mailbox, message(sender="a@b.example", to="c@d.example", subject="Nuevo"))
    fetch(mailbox)
    assert list(EmailMessage.objects.values_list("subject", flat=True)) == ["Nuevo"]


def test_a_message_without_message_id_or_date_is_still_filed_once(deliver, mailbox, customer, ana):
    raw = b"From: ana.perez@andina.example\r\nTo: yo@empresa.example\r\nSubject: Sin id\r\n\r\nHola\r\n"
    deliver(mailbox, raw)
    deliver(mailbox, raw)
    fetch(mailbox)
    email = EmailMessage.objects.get()
    assert email.message_id.endswith("@crm.generated>")
    assert email.customer == customer


def test_an_html_only_message_keeps_its_text(deliver, mailbox):
    raw = (
        b"From: x@nuevo.example\r\nTo: y@empresa.example\r\nSubject: HTML\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hola <b>mundo</b></p>\r\n"
    )
    deliver(mailbox, raw)
    fetch(mailbox)
    assert EmailMessage.objects.get().body_text == "Hola mundo"


def test_a_paused_mailbox_is_not_fetched(deliver, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    deliver(mailbox, message(sender="x@nuevo.example", to=mailbox.email_address))
    fetch_all_mailboxes_task.delay()
    assert not EmailMessage.objects.exists()
    assert not Document.objects.exists()
