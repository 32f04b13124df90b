"""The mailbox pages: connect, change, test, fetch now, review unmatched mail and file it by hand."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from contacts.mail.models import EmailMessage, Mailbox
from contacts.mail.secrets import decrypt_password, encrypt_password
from contacts.models import Activity
from tests.contacts.mail_servers import message
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
LIST = reverse("mail:mailbox_list")
REVIEW = reverse("mail:review_list")


def mailbox_data(imap_server, smtp_server, **changes) -> dict:
    return {
        "email_address": "rep@empresa.example",
        "username": "",
        "password": "app-pass-123",
        "imap_host": imap_server.host,
        "imap_port": imap_server.port,
        "imap_security": "none",
        "imap_folder": "INBOX",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_server.port,
        "smtp_security": "none",
        "is_active": "on",
        **changes,
    }


@pytest.fixture
def mailbox(connect_mailbox, rep):
    return connect_mailbox(rep)


@pytest.fixture
def unmatched(deliver, mailbox):
    deliver(
        mailbox,
        message(
            sender="Luis <luis@nuevo.example>",
            to=mailbox.email_address,
            subject="Quiero una cotización",
            attachments=[("requisitos.pdf", PDF, "application/pdf")],
        ),
    )
    from contacts.tasks import fetch_mailbox_task

    fetch_mailbox_task.delay(mailbox_id=mailbox.pk)
    return EmailMessage.objects.get()


# --- Connecting a mailbox ---------------------------------------------------------------


def test_a_user_connects_a_mailbox_and_the_password_is_stored_encrypted(
    client, rep, imap_server, smtp_server
):
    imap_server.add_user("rep@empresa.example", "app-pass-123")
    client.force_login(rep)
    assert client.get(reverse("mail:mailbox_create")).status_code == 200
    response = client.post(reverse("mail:mailbox_create"), mailbox_data(imap_server, smtp_server))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert (mailbox.user, mailbox.email_address, mailbox.username) == (
        rep,
        "rep@empresa.example",
        "rep@empresa.example",
    )
    assert "app-pass-123" not in mailbox.password_encrypted
    assert decrypt_password(mailbox.password_encrypted) == "app-pass-123"
    assert "rep@empresa.example" in client.get(LIST).text


@pytest.mark.parametrize(
    ("changes", "field", "message_start"),
    [
        ({"imap_host": "https://imap.example.com"}, "imap_host", "Type only the server's name"),
        ({"smtp_port": "0"}, "smtp_port", "A port is a number from 1 to 65535"),
        ({"imap_port": "70000"}, "imap_port", "A port is a number from 1 to 65535"),
        ({"password": ""}, "password", "Type the app password"),
        ({"email_address": "no es correo"}, "email_address", "Enter a valid email address"),
        ({"imap_security": "plain"}, "imap_security", "Select a valid choice"),
    ],
)
def test_bad_mailbox_settings_say_why(client, rep, imap_server, smtp_server, changes, field, message_start):
    client.force_login(rep)
    response = client.post(reverse("mail:mailbox_create"), mailbox_data(imap_server, smtp_server, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(message_start)
    assert not Mailbox.objects.exists()


def test_the_same_address_twice_is_refused(client, rep, mailbox, imap_server, smtp_server):
    client.force_login(rep)
    data = mailbox_data(imap_server, smtp_server, email_address=mailbox.email_address.upper())
    response = client.post(reverse("mail:mailbox_create"), data)
    assert response.status_code == 400
    assert "already connected" in response.context["form"].errors["email_address"][0]


def test_editing_keeps_the_password_when_left_empty_and_a_new_folder_starts_afresh(
    client, rep, mailbox, imap_server, smtp_server
):
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=7, last_uid=40)
    url = reverse("mail:mailbox_update", args=[mailbox.pk])
    client.force_login(rep)
    assert 'value="app-pass-123"' not in client.get(url).text  # never sent back to the browser
    data = mailbox_data(
        imap_server, smtp_server, email_address=mailbox.email_address, username=mailbox.username, password=""
    )
    assert client.post(url, data).status_code == 302
    mailbox.refresh_from_db()
    assert decrypt_password(mailbox.password_encrypted) == "app-pass-123"
    assert (mailbox.uidvalidity, mailbox.last_uid) == (7, 40)

    assert client.post(url, {**data, "imap_folder": "Clientes"}).status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid, mailbox.imap_folder) == (None, 0, "Clientes")


def test_test_connection_reports_each_server(client, rep, mailbox, smtp_server):
    client.force_login(rep)
    page = text(client.post(reverse("mail:mailbox_check", args=[mailbox.pk]), follow=True))
    assert "Receiving (IMAP): connected." in page
    assert "Sending (SMTP): connected." in page

    Mailbox.objects.filter(pk=mailbox.pk).update(password_encrypted=encrypt_password("wrong"))
    page = text(client.post(reverse("mail:mailbox_check", args=[mailbox.pk]), follow=True))
    assert "Receiving (IMAP): 127.0.0.1:" in page
    assert "refused the user name or app password" in page
    assert page.count("refused the user name or app password") == 2


def test_fetch_now_fetches_after_the_request_and_shows_the_state(
    client, rep, mailbox, deliver, customer, django_capture_on_commit_callbacks
):
    ContactFactory(customer=customer, email="ana@andina.example")
    deliver(mailbox, message(sender="ana@andina.example", to=mailbox.email_address))
    deliver(mailbox, message(sender="otro@nuevo.example", to=mailbox.email_address))
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("mail:mailbox_fetch", args=[mailbox.pk]))
    assert len(callbacks) == 1
    assert response["Location"] == LIST
    mailbox.refresh_from_db()
    assert (mailbox.fetched_count, mailbox.filed_count, mailbox.unmatched_count) == (2, 1, 1)
    page = text(client.get(LIST))
    assert "1 waiting for review" in page
    assert "UID 2 in INBOX" in page


def test_disconnecting_keeps_the_filed_mail(client, rep, mailbox, deliver, customer):
    ContactFactory(customer=customer, email="ana@andina.example")
    deliver(mailbox, message(sender="ana@andina.example", to=mailbox.email_address))
    from contacts.tasks import fetch_mailbox_task

    fetch_mailbox_task.delay(mailbox_id=mailbox.pk)
    client.force_login(rep)
    url = reverse("mail:mailbox_delete", args=[mailbox.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Mailbox.objects.exists()
    assert EmailMessage.objects.get().customer == customer


def test_a_mailbox_is_its_owners_alone(client, teammate, manager, mailbox):
    for user in (teammate, manager):
        client.force_login(user)
        assert mailbox.email_address not in client.get(LIST).text
        for name in ("mailbox_update", "mailbox_delete"):
            assert client.get(reverse(f"mail:{name}", args=[mailbox.pk])).status_code == 404
        for name in ("mailbox_fetch", "mailbox_check", "mailbox_delete"):
            assert client.post(reverse(f"mail:{name}", args=[mailbox.pk])).status_code == 404
    assert Mailbox.objects.exists()


def test_wrong_methods_anonymous_and_roleless(client, rep, no_role, mailbox):
    assert client.get(LIST).status_code == 302
    client.force_login(no_role)
    assert client.get(LIST).status_code == 403
    assert client.get(REVIEW).status_code == 403
    client.force_login(rep)
    assert client.get(reverse("mail:mailbox_fetch", args=[mailbox.pk])).status_code == 405
    assert client.get(reverse("mail:mailbox_check", args=[mailbox.pk])).status_code == 405


def test_the_navbar_links_the_mailboxes(client, rep):
    client.force_login(rep)
    assert LIST in client.get(reverse("contacts:customer_list")).text


def test_the_periodic_fetch_is_seeded():
    call_command("setup_periodic_tasks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PeriodicTask.objects.filter(task="contacts.tasks.fetch_all_mailboxes_task").exists()


# --- Reviewing unmatched mail -------------------------------------------------------------


def test_the_owner_files_unmatched_mail_on_a_customer_by_hand(client, rep, unmatched, mailbox):
    target = CustomerFactory(owner=rep, legal_name="Nuevo Cliente S.A.S.", email="compras@nuevo.example")
    luis = ContactFactory(customer=target, name="Luis", email="LUIS@nuevo.example")
    client.force_login(rep)
    page = text(client.get(REVIEW))
    assert "Quiero una cotización" in page

    choose = reverse("mail:message_file", args=[unmatched.pk])
    assert "Nuevo Cliente S.A.S." in text(client.get(choose))  # suggested by the sender's domain
    assert "Nuevo Cliente S.A.S." in text(client.get(choose, {"q": "nuevo cliente"}))
    response = client.post(choose, {"customer": target.pk})
    assert response["Location"] == REVIEW

    unmatched.refresh_from_db()
    assert (unmatched.customer, unmatched.contact, unmatched.status) == (target, luis, "filed")
    assert unmatched.filed_by == rep
    assert unmatched.activity.kind == Activity.Kind.EMAIL
    assert [d.customer for d in unmatched.documents.all()] == [target]
    mailbox.refresh_from_db()
    assert mailbox.filed_count == 1
    assert "Quiero una cotización" not in text(client.get(REVIEW))
    assert client.post(choose, {"customer": target.pk}).status_code == 404  # filed once


def test_the_message_page_says_where_and_by_whom_mail_was_filed(client, rep, unmatched):
    client.force_login(rep)
    page = client.get(unmatched.get_absolute_url())
    assert " ".join(text(page).split()).count("Waiting for review") == 1

    target = CustomerFactory(owner=rep, legal_name="Nuevo Cliente S.A.S.")
    luis = ContactFactory(customer=target, name="Luis", email="luis@nuevo.example")
    client.post(reverse("mail:message_file", args=[unmatched.pk]), {"customer": target.pk})
    page = " ".join(text(client.get(unmatched.get_absolute_url())).split())
    link = f'<a href="{target.get_absolute_url()}">Nuevo Cliente S.A.S.</a>'
    assert f"Filed on a customer: {link} · {luis} (by {rep})" in page


def test_mail_cannot_be_filed_on_a_customer_the_user_does_not_see(client, rep, unmatched, other_team_rep):
    theirs = CustomerFactory(owner=other_team_rep)
    client.force_login(rep)
    response = client.post(reverse("mail:message_file", args=[unmatched.pk]), {"customer": theirs.pk})
    assert response.status_code == 400
    assert "Choose one of the customers listed." in text(response)
    unmatched.refresh_from_db()
    assert unmatched.customer is None


def test_mail_not_about_a_customer_leaves_the_list(client, rep, unmatched):
    client.force_login(rep)
    assert client.post(reverse("mail:message_ignore", args=[unmatched.pk])).status_code == 302
    unmatched.refresh_from_db()
    assert unmatched.status == EmailMessage.Status.IGNORED
    assert not client.get(REVIEW).context["page_obj"]
    assert client.get(reverse("mail:message_ignore", args=[unmatched.pk])).status_code == 405


def test_unmatched_mail_is_its_owners_alone(client, teammate, manager, unmatched):
    for user in (teammate, manager):
        client.force_login(user)
        assert "Quiero una cotización" not in text(client.get(REVIEW))
        assert client.get(unmatched.get_absolute_url()).status_code == 404
        assert client.get(reverse("mail:message_file", args=[unmatched.pk])).status_code == 404
        assert client.post(reverse("mail:message_ignore", args=[unmatched.pk])).status_code == 404
        [document] = unmatched.documents.all()
        assert client.get(document.get_absolute_url()).status_code == 404


def test_filed_mail_is_read_by_whoever_sees_its_customer(
    client, rep, teammate, other_team_rep, manager, deliver, mailbox, customer
):
    ContactFactory(customer=customer, email="ana@andina.example")
    deliver(mailbox, message(sender="ana@andina.example", to=mailbox.email_address, body="Texto completo"))
    from contacts.tasks import fetch_mailbox_task

    fetch_mailbox_task.delay(mailbox_id=mailbox.pk)
    email = EmailMessage.objects.get()
    for user, status in ((rep, 200), (teammate, 200), (manager, 200), (other_team_rep, 404)):
        client.force_login(user)
        assert client.get(email.get_absolute_url()).status_code == status


def test_the_review_list_costs_the_same_queries_for_2_and_12_messages(client, rep, mailbox):
    client.force_login(rep)
    counts = []
    for total in (2, 12):
        for index in range(EmailMessage.objects.count(), total):
            EmailMessage.objects.create(
                message_id=f"<m{index}@x>",
                mailbox=mailbox,
                direction="received",
                status="unmatched",
                from_address="x@nuevo.example",
                subject=f"M{index}",
                sent_at="2026-03-03T10:00:00Z",
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(REVIEW)
        assert len(response.context["page_obj"]) == total
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            client.get(LIST)
        counts.append(len(queries))
    assert counts[:2] == counts[2:]


def test_the_pages_render_in_spanish(client, rep, unmatched, settings):
    settings.LANGUAGE_CODE = "es"
    client.force_login(rep)
    for url in (LIST, REVIEW, unmatched.get_absolute_url(), reverse("mail:mailbox_create")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        assert 'lang="es"' in response.text
