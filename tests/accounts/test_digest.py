"""Notification emails as each user chose them: at once, in one daily digest, or never;
and the navbar's unread count, which refreshes itself without a reload."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse

from crm.accounts.models import Notification
from crm.accounts.services import notify
from crm.accounts.tasks import email_daily_digest_task

BADGE_URL = reverse("accounts:notification_badge")


@pytest.fixture
def daily(teammate):
    teammate.email_frequency = "daily"
    teammate.save()
    return teammate


def test_a_daily_reader_gets_no_email_at_once(daily, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=daily, message="Te asignaron Panadería La Espiga", url="/customers/1/")
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_the_digest_sends_one_email_with_everything_and_only_once(daily, rep, settings):
    settings.CRM_BASE_URL = "https://crm.example.com/"
    notify(recipient=daily, message="Te asignaron Panadería La Espiga", url="/customers/1/")
    notify(recipient=daily, message="Licencia por vencer: Ferretería Central")
    notify(recipient=rep, message="Para el representante, que quiere cada correo al momento")
    mail.outbox.clear()

    assert email_daily_digest_task.delay().get() == 1
    assert email_daily_digest_task.delay().get() == 0

    [email] = mail.outbox
    assert email.to == [daily.email]
    assert email.subject == "CRM: 2 notifications"
    assert "Te asignaron Panadería La Espiga\n  https://crm.example.com/customers/1/" in email.body
    assert "Licencia por vencer: Ferretería Central" in email.body
    assert "Para el representante" not in email.body


def test_what_arrives_after_a_digest_goes_in_the_next_one(daily):
    notify(recipient=daily, message="Primera alerta")
    email_daily_digest_task.delay()
    notify(recipient=daily, message="Segunda alerta")
    email_daily_digest_task.delay()

    assert [email.subject for email in mail.outbox] == ["CRM: 1 notification", "CRM: 1 notification"]
    assert "Primera" not in mail.outbox[1].body


def test_the_digest_is_written_in_the_readers_language(daily):
    daily.language = "es"
    daily.save()
    notify(recipient=daily, message="Alerta")
    notify(recipient=daily, message="Otra alerta")
    email_daily_digest_task.delay()
    assert mail.outbox[0].subject == "CRM: 2 notificaciones"


def test_a_failed_digest_gives_its_notifications_back(daily, settings):
    notify(recipient=daily, message="Alerta que no debe perderse")
    settings.EMAIL_BACKEND = "tests.accounts.test_digest.DisconnectedBackend"

    with pytest.raises(Retry, match="Connection unexpectedly closed"):  # tried again later, with backoff
        email_daily_digest_task.apply(throw=True)
    assert Notification.objects.get().emailed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_daily_digest_task.delay().get() == 1
    assert "Alerta que no debe perderse" in mail.outbox[0].body


def test_never_means_in_the_crm_only(teammate, django_capture_on_commit_callbacks):
    teammate.email_frequency = "never"
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=teammate, message="Solo en el CRM")
    assert email_daily_digest_task.delay().get() == 0
    assert mail.outbox == []


class DisconnectedBackend:
    """A mail server that hangs up: the world's edge, faked."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


# -- The badge ------------------------------------------------------------------------------------


def test_the_badge_answers_the_current_unread_count(client, rep):
    client.force_login(rep)
    assert 'data-testid="unread-count"' not in client.get(BADGE_URL).text
    notify(recipient=rep, message="Nueva alerta")
    notify(recipient=rep, message="Otra")
    response = client.get(BADGE_URL)
    assert response.status_code == 200
    assert 'data-testid="unread-count">2<' in response.text
    assert "<html" not in response.text
    assert response["Cache-Control"] == "no-store"


def test_every_page_polls_the_badge(client, rep):
    client.force_login(rep)
    page = client.get(reverse("home")).text
    assert f'hx-get="{BADGE_URL}" hx-trigger="every 30s"' in page


def test_the_badge_is_for_signed_in_users_only_and_shows_only_their_own(client, rep, teammate, no_role):
    notify(recipient=teammate, message="Para el compañero")
    assert client.get(BADGE_URL).status_code == 302
    client.force_login(rep)
    assert 'data-testid="unread-count"' not in client.get(BADGE_URL).text
    client.force_login(no_role)
    assert client.get(BADGE_URL).status_code == 200


def test_the_badge_costs_the_same_queries_for_1_and_50_notifications(client, rep, django_assert_num_queries):
    client.force_login(rep)
    notify(recipient=rep, message="Una")
    client.get(BADGE_URL)
    with django_assert_num_queries(2):  # user, count (the session is read from the cache)
        client.get(BADGE_URL)
    for index in range(49):
        notify(recipient=rep, message=f"Alerta {index}")
    with django_assert_num_queries(2):
        client.get(BADGE_URL)
