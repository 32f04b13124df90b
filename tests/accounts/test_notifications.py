"""Owner assignment alerts: an in-app notification, the navbar count, and one email after commit."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.forms import CustomerForm
from crm.accounts.models import Notification
from crm.accounts.services import notify
from crm.accounts.tasks import email_notification_task

NOTIFICATIONS_URL = reverse("accounts:notifications")


def assign_url(customer) -> str:
    return reverse("contacts:customer_assign", args=[customer.pk])


def unread_badge(client) -> str | None:
    """The unread count shown in the navbar, or None when there is no badge."""
    content = client.get(reverse("home")).content.decode()
    match = re.search(r'data-testid="unread-count">(\d+)<', content)
    return match.group(1) if match else None


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_assigning_an_owner_notifies_them_in_the_app_and_by_email_once(
    rep_client, customer, teammate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(assign_url(customer), {"owner": teammate.pk})

    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert notification.message == "You are now the owner of Distribuidora Andina S.A.S.."
    assert notification.url == customer.get_absolute_url()
    assert notification.emailed_at is not None

    [email] = mail.outbox
    assert email.to == [teammate.email]
    assert email.subject == "CRM: You are now the owner of Distribuidora Andina S.A.S.."
    assert settings.CRM_BASE_URL.rstrip("/") + customer.get_absolute_url() in email.body

    # The task is safe to run twice (a redelivered message sends nothing more).
    assert email_notification_task.delay(notification_id=notification.pk).get() is False
    assert len(mail.outbox) == 1


def test_the_email_waits_for_the_commit(rep_client, customer, teammate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rep_client.post(assign_url(customer), {"owner": teammate.pk})
    assert Notification.objects.count() == 1
    assert mail.outbox == []  # nothing is sent for a transaction that might still roll back
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_the_navbar_shows_the_new_owners_unread_count(rep_client, customer, teammate, rep):
    assert unread_badge(client_for(teammate)) is None
    rep_client.post(assign_url(customer), {"owner": teammate.pk})
    assert unread_badge(client_for(teammate)) == "1"
    assert unread_badge(rep_client) is None
    notify(recipient=teammate, message="Otra cosa")
    assert unread_badge(client_for(teammate)) == "2"


def test_reading_notifications_clears_the_badge(rep_client, customer, teammate):
    rep_client.post(assign_url(customer), {"owner": teammate.pk})
    theirs = client_for(teammate)
    page = theirs.get(NOTIFICATIONS_URL).content.decode()
    assert "You are now the owner of Distribuidora Andina S.A.S.." in page
    assert f'href="{customer.get_absolute_url()}"' in page
    theirs.post(reverse("accounts:notifications_read"))
    assert unread_badge(theirs) is None


def test_marking_one_notification_read_keeps_the_others_unread(teammate):
    first = notify(recipient=teammate, message="Uno")
    notify(recipient=teammate, message="Dos")
    theirs = client_for(teammate)
    theirs.post(reverse("accounts:notifications_read"), {"id": first.pk, "next": NOTIFICATIONS_URL})
    assert unread_badge(theirs) == "1"


def test_nobody_reads_someone_elses_notifications(rep, teammate):
    theirs = notify(recipient=teammate, message="Privado")
    mine = client_for(rep)
    assert "Privado" not in mine.get(NOTIFICATIONS_URL).content.decode()
    mine.post(reverse("accounts:notifications_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_assigning_yourself_notifies_nobody(client, customer, teammate, django_capture_on_commit_callbacks):
    client.force_login(teammate)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(assign_url(customer), {"owner": teammate.pk})
    customer.refresh_from_db()
    assert customer.owner == teammate
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_reassigning_through_the_edit_form_also_alerts(
    rep_client, customer, teammate, django_capture_on_commit_callbacks
):
    form = CustomerForm(instance=customer)
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data["owner"] = teammate.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(reverse("contacts:customer_update", args=[customer.pk]), data)
    assert response.status_code == 302
    assert Notification.objects.get().recipient == teammate
    assert [email.to for email in mail.outbox] == [[teammate.email]]


def test_someone_who_turned_email_off_gets_the_in_app_alert_only(
    rep_client, customer, teammate, django_capture_on_commit_callbacks
):
    teammate.email_frequency = "never"
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(assign_url(customer), {"owner": teammate.pk})
    assert Notification.objects.get().recipient == teammate
    assert mail.outbox == []


def test_someone_without_an_email_address_gets_the_in_app_alert_only(
    rep_client, customer, teammate, django_capture_on_commit_callbacks
):
    teammate.email = ""
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(assign_url(customer), {"owner": teammate.pk})
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_the_email_task_does_nothing_for_a_deleted_notification(teammate):
    notification = Notification.objects.create(recipient=teammate, message="Borrada")
    notification_id = notification.pk
    notification.delete()
    assert email_notification_task.delay(notification_id=notification_id).get() is False
    assert mail.outbox == []


def test_the_alert_is_written_in_the_recipients_language(
    rep_client, customer, teammate, django_capture_on_commit_callbacks
):
    teammate.language = "es"
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(assign_url(customer), {"owner": teammate.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        Notification.objects.get().message == "Ahora usted es el responsable de Distribuidora Andina S.A.S.."
    )
    assert mail.outbox[0].subject.startswith("CRM: Ahora usted es el responsable")


def test_without_a_chosen_language_the_alert_uses_the_senders(rep_client, customer, teammate):
    rep_client.post(assign_url(customer), {"owner": teammate.pk}, HTTP_ACCEPT_LANGUAGE="es")
    assert Notification.objects.get().message.startswith("Ahora usted es el responsable")


# -- The notifications page ----------------------------------------------------------------------


def test_mark_read_is_post_only(rep_client):
    assert rep_client.get(reverse("accounts:notifications_read")).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(NOTIFICATIONS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_mark_read_only_follows_local_next_addresses(rep_client, rep):
    notify(recipient=rep, message="Uno")
    response = rep_client.post(reverse("accounts:notifications_read"), {"next": "https://evil.example/"})
    assert response["Location"] == NOTIFICATIONS_URL


def test_renders_in_spanish(rep_client, rep):
    notify(recipient=rep, message="Hola")
    response = rep_client.get(NOTIFICATIONS_URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_query_count_does_not_grow_with_the_notifications(rep_client, rep):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert rep_client.get(NOTIFICATIONS_URL).status_code == 200
        return len(captured)

    notify(recipient=rep, message="Uno", url="/customers/1/")
    queries()
    few = queries()
    for number in range(30):
        notify(recipient=rep, message=f"Aviso {number}", url=f"/customers/{number}/")
    assert queries() == few
