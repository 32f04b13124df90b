"""Mailings against a real SMTP server on 127.0.0.1: test send, batches, failures, unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from marketing import mailing as services
from marketing.models import EmailOptOut, Mailing, MailingRecipient
from marketing.tasks import send_mailing_task
from tests.factories import ContactFactory, CustomerFactory
from tests.marketing.factories import CampaignFactory, CampaignMemberFactory, MailingFactory

Status = MailingRecipient.Status


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Feria Andina")


@pytest.fixture
def members(campaign, rep):
    """25 members: 22 reachable, 2 who opted out, 1 without an email address."""
    customers = []
    for number in range(25):
        customer = CustomerFactory(
            owner=rep,
            legal_name=f"Cliente {number:02d} S.A.S.",
            city="Medellín",
            email="" if number == 24 else f"cliente{number:02d}@example.com",
        )
        ContactFactory(customer=customer, name=f"Contacto {number:02d}", is_legal_representative=True)
        CampaignMemberFactory(campaign=campaign, customer=customer)
        customers.append(customer)
    EmailOptOut.objects.create(customer=customers[22])
    EmailOptOut.objects.create(customer=customers[23])
    return customers


@pytest.fixture
def mailing(campaign, marketer):
    return MailingFactory(
        campaign=campaign,
        created_by=marketer,
        subject="Novedades para {{ name }}",
        body="Hola {{ contact_name }},\nle escribimos a {{ legal_name }} en {{ city }}.\n{{ owner_name }}",
    )


def send(client, mailing, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("marketing:mailing_send", args=[mailing.pk]), **kwargs)


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def unsubscribe_link(message) -> str:
    text = plain(message)
    return re.search(r"https?://\S+/unsubscribe/\S+/", text).group(0)


def test_test_send_arrives_marked_test_with_the_first_recipients_fields(
    client, marketer, mailing, members, smtp_server
):
    client.force_login(marketer)
    response = client.post(reverse("marketing:mailing_test", args=[mailing.pk]), follow=True)

    assert "Test sent to marketer@example.com" in response.content.decode()
    [message] = smtp_server.messages
    assert message["To"] == "marketer@example.com"
    assert message["Subject"] == "[TEST] Novedades para Cliente 00 S.A.S."
    assert "Hola Contacto 00" in plain(message)
    assert not MailingRecipient.objects.exists()
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.DRAFT


def test_test_link_changes_nothing(client, marketer, mailing, members, smtp_server):
    client.force_login(marketer)
    client.post(reverse("marketing:mailing_test", args=[mailing.pk]))
    client.logout()
    link = unsubscribe_link(smtp_server.messages[0])

    response = client.post(link)

    assert "test email" in response.content.decode()
    assert EmailOptOut.objects.count() == 2


def test_send_delivers_to_every_reachable_member_with_fields_and_unsubscribe(
    client, marketer, mailing, members, smtp_server, rep, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    response = send(client, mailing, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert len(smtp_server.messages) == 22
    message = smtp_server.to("cliente05@example.com")[0]
    assert message["Subject"] == "Novedades para Cliente 05 S.A.S."
    text = plain(message)
    assert "Hola Contacto 05,\nle escribimos a Cliente 05 S.A.S. en Medellín." in text
    assert rep.get_full_name() in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/unsubscribe/" in html
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe_link(message)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not smtp_server.to("cliente22@example.com")  # opted out

    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.finished_at is not None
    assert services.status_counts(mailing) | {"percent": 0} == {
        "total": 25, "queued": 0, "sent": 22, "failed": 0, "skipped": 3, "percent": 0,
    }  # fmt: skip
    no_email = MailingRecipient.objects.get(customer=members[24])
    assert (no_email.status, no_email.error) == (Status.SKIPPED, "No email address.")


def test_running_the_task_again_sends_nothing_more(
    client, marketer, mailing, members, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    send(client, mailing, django_capture_on_commit_callbacks)

    assert send_mailing_task.delay(mailing_id=mailing.pk).get() == 0
    assert len(smtp_server.messages) == 22
    response = send(client, mailing, django_capture_on_commit_callbacks, follow=True)
    assert "This mailing has already been sent." in response.content.decode()
    assert len(smtp_server.messages) == 22


def test_a_run_after_a_crash_sends_only_what_was_not_sent(mailing, members, marketer, smtp_server):
    # A crash left the mailing half done: the first ten went out and were marked sent.
    services.queue_mailing(mailing=mailing, by=marketer)  # outside a test transaction's commit
    first_ten = MailingRecipient.objects.filter(status=Status.QUEUED).order_by("pk")[:10]
    MailingRecipient.objects.filter(pk__in=[r.pk for r in first_ten]).update(status=Status.SENT)

    handled = services.send_mailing(mailing_id=mailing.pk, size=5)

    assert handled == 12
    assert len(smtp_server.messages) == 12
    assert MailingRecipient.objects.filter(status=Status.SENT).count() == 22


def test_a_refused_address_fails_with_the_servers_reason_and_the_rest_are_sent(
    client, marketer, mailing, members, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.reject.add("cliente03@example.com")
    client.force_login(marketer)
    send(client, mailing, django_capture_on_commit_callbacks)

    failed = MailingRecipient.objects.get(status=Status.FAILED)
    assert failed.email == "cliente03@example.com"
    assert "550" in failed.error
    assert "Mailbox unavailable" in failed.error
    assert MailingRecipient.objects.filter(status=Status.SENT).count() == 21
    assert len(smtp_server.messages) == 21
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_batches_use_one_connection_each(mailing, members, marketer, smtp_server):
    services.queue_mailing(mailing=mailing, by=marketer)

    services.send_mailing(mailing_id=mailing.pk, size=10)

    assert len(smtp_server.messages) == 22
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_an_unreachable_server_leaves_recipients_queued(mailing, members, marketer, settings):
    from tests.marketing.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    services.queue_mailing(mailing=mailing, by=marketer)

    with pytest.raises(OSError):
        services.send_mailing(mailing_id=mailing.pk)

    assert MailingRecipient.objects.filter(status=Status.QUEUED).count() == 22
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENDING


def test_unsubscribe_link_opts_out_and_the_next_mailing_skips_the_customer(
    client, marketer, campaign, mailing, members, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    send(client, mailing, django_capture_on_commit_callbacks)
    link = unsubscribe_link(smtp_server.to("cliente07@example.com")[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert not EmailOptOut.objects.filter(customer=members[7]).exists()
    done = client.post(link)
    assert "You are unsubscribed" in done.content.decode()
    assert EmailOptOut.objects.filter(customer=members[7]).exists()

    smtp_server.messages.clear()
    second = MailingFactory(campaign=campaign, created_by=marketer)
    client.force_login(marketer)
    send(client, second, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 21
    assert not smtp_server.to("cliente07@example.com")
    assert MailingRecipient.objects.get(mailing=second, customer=members[7]).status == Status.SKIPPED


def test_one_click_post_from_a_mail_client_opts_out(client, mailing, members):
    token = services.unsubscribe_token(members[3].pk, mailing.pk)

    response = client.post(
        reverse("marketing:unsubscribe", args=[token]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert EmailOptOut.objects.filter(customer=members[3]).exists()
    # A second click changes nothing and still answers kindly.
    assert client.post(reverse("marketing:unsubscribe", args=[token])).status_code == 200
    assert EmailOptOut.objects.filter(customer=members[3]).count() == 1


def test_opting_out_after_queueing_skips_the_customer_at_send_time(mailing, members, marketer, smtp_server):
    services.queue_mailing(mailing=mailing, by=marketer)
    EmailOptOut.objects.create(customer=members[0])

    services.send_mailing(mailing_id=mailing.pk)

    assert len(smtp_server.messages) == 21
    assert MailingRecipient.objects.get(customer=members[0]).status == Status.SKIPPED
