"""Messages between employees: direct and team conversations, unread counts, polling, who may read."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts import messaging
from crm.accounts.models import Conversation, Message
from crm.accounts.roles import Role
from tests.factories import user_with_role
from tests.helpers import text

LIST = reverse("accounts:conversations")
START = reverse("accounts:conversation_start")
BADGE = reverse("accounts:message_badge")


def conversation_url(conversation) -> str:
    return reverse("accounts:conversation", args=[conversation.pk])


def poll_url(conversation, after: int) -> str:
    return reverse("accounts:conversation_new_messages", args=[conversation.pk]) + f"?after={after}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unread_in_navbar(client) -> str | None:
    """The unread message count in the navbar (of a page that reads nothing), or None."""
    content = client.get(reverse("accounts:notifications")).content.decode()
    match = re.search(r'data-testid="unread-messages">(\d+)<', content)
    return match.group(1) if match else None


def shown_messages(response) -> list[str]:
    return re.findall(r'<div class="message-body">(.*?)</div>', text(response), re.DOTALL)


def test_a_direct_message_is_unread_for_the_colleague_until_they_open_it(rep_client, rep, teammate):
    response = rep_client.post(START, {"user": teammate.pk})
    conversation = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
    assert response.status_code == 302
    assert response.url == conversation_url(conversation)

    rep_client.post(conversation_url(conversation), {"body": "  ¿Viste la cotización de Andina?  "})

    assert Message.objects.get().body == "¿Viste la cotización de Andina?"
    colleague = client_for(teammate)
    assert unread_in_navbar(colleague) == "1"
    assert unread_in_navbar(rep_client) is None  # one's own message is not unread
    assert "1" in colleague.get(BADGE).content.decode()

    page = colleague.get(conversation_url(conversation))

    assert shown_messages(page) == ["¿Viste la cotización de Andina?"]
    assert str(rep) in text(page)
    assert unread_in_navbar(colleague) is None


def test_starting_a_conversation_twice_opens_the_same_one(rep_client, rep, teammate):
    rep_client.post(START, {"user": teammate.pk})
    client_for(teammate).post(START, {"user": rep.pk})

    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().memberships.count() == 2


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1"])
def test_starting_a_conversation_with_nobody_says_so(rep_client, value):
    response = rep_client.post(START, {"user": value})

    assert response.status_code == 400
    assert "Select a valid choice" in text(response) or "This field is required" in text(response)
    assert not Conversation.objects.exists()


def test_one_cannot_write_to_oneself(rep_client, rep):
    response = rep_client.post(START, {"user": rep.pk})

    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_the_team_conversation_reaches_teammates_who_never_opened_their_messages(
    rep, teammate, other_team_rep
):
    rep_client = client_for(rep)
    rep_client.get(LIST)
    team_conversation = Conversation.objects.get(team=rep.team)

    rep_client.post(conversation_url(team_conversation), {"body": "Reunión de equipo a las 3"})

    assert unread_in_navbar(client_for(teammate)) == "1"
    assert client_for(teammate).get(conversation_url(team_conversation)).status_code == 200
    # Another team's rep cannot read it, nor post to it.
    outsider = client_for(other_team_rep)
    assert unread_in_navbar(outsider) is None
    assert outsider.get(conversation_url(team_conversation)).status_code == 404
    assert outsider.post(conversation_url(team_conversation), {"body": "Hola"}).status_code == 404
    assert Message.objects.count() == 1


def test_someone_who_moved_team_no_longer_sees_the_old_teams_conversation(rep, teammate, south):
    conversation = messaging.join_team_conversation(user=teammate)
    messaging.post_message(conversation=conversation, author=rep, body="Solo para North")
    teammate.team = south
    teammate.save()

    colleague = client_for(teammate)
    assert colleague.get(conversation_url(conversation)).status_code == 404
    assert unread_in_navbar(colleague) is None


def test_a_direct_conversation_is_private_to_its_two_people(rep, teammate, manager):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    messaging.post_message(conversation=conversation, author=rep, body="Entre nosotros")

    # Not even a manager reads other people's direct messages.
    assert client_for(manager).get(conversation_url(conversation)).status_code == 404
    assert client_for(manager).get(poll_url(conversation, 0)).status_code == 404


def test_who_may_open_the_messages_pages(client, no_role, rep):
    assert client.get(LIST).status_code == 302  # to the log-in page
    client.force_login(no_role)
    assert client.get(LIST).status_code == 403
    assert client.get(BADGE).status_code == 403
    assert "message-badge" not in client.get(reverse("accounts:notifications")).content.decode()
    client.force_login(rep)
    assert client.get(LIST).status_code == 200
    assert 'data-testid="message-badge"' in client.get(reverse("accounts:notifications")).content.decode()


@pytest.mark.parametrize("body", ["", "   ", "x" * (messaging.MAX_MESSAGE_LENGTH + 1)])
def test_an_empty_or_huge_message_is_refused_with_a_reason(rep_client, rep, teammate, body):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)

    plain = rep_client.post(conversation_url(conversation), {"body": body})
    htmx = rep_client.post(conversation_url(conversation), {"body": body}, headers={"HX-Request": "true"})

    assert plain.status_code == 400
    assert htmx.status_code == 200  # htmx swaps only 2xx answers: the form shows its error
    assert "This field is required" in text(htmx) or "at most" in text(htmx)
    assert "<html" not in htmx.content.decode()
    assert not Message.objects.exists()


def test_sending_with_htmx_gives_a_fresh_form_and_wakes_the_poller(rep_client, rep, teammate):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)

    response = rep_client.post(
        conversation_url(conversation), {"body": "Ya la envié"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "message-sent"
    assert 'id="message-form"' in response.content.decode()
    assert "Ya la envié" not in response.content.decode()  # the form is empty again
    assert Message.objects.get().body == "Ya la envié"


def test_polling_brings_new_messages_only_and_moves_its_mark(rep, teammate):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    first = messaging.post_message(conversation=conversation, author=rep, body="Primero").message
    colleague = client_for(teammate)

    assert colleague.get(poll_url(conversation, first.pk)).status_code == 204
    assert unread_in_navbar(colleague) == "1"  # polling an unchanged page reads nothing

    second = messaging.post_message(conversation=conversation, author=rep, body="Segundo").message
    response = colleague.get(poll_url(conversation, first.pk), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert shown_messages(response) == ["Segundo"]
    # The poller is swapped out of band with the new mark, so the next poll starts after it.
    assert f"?after={second.pk}" in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert unread_in_navbar(colleague) is None


@pytest.mark.parametrize("after", ["abc", "-5", "9" * 30, "²"])
def test_polling_with_a_garbled_mark_answers_without_error(rep, teammate, after):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    messaging.post_message(conversation=conversation, author=rep, body="Hola")

    response = client_for(teammate).get(
        reverse("accounts:conversation_new_messages", args=[conversation.pk]), {"after": after}
    )

    assert response.status_code == 200
    assert shown_messages(response) == ["Hola"]


def test_a_long_conversation_shows_its_latest_page_and_loads_older_ones(rep, teammate):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    for number in range(messaging.PAGE_SIZE + 5):
        messaging.post_message(conversation=conversation, author=rep, body=f"Mensaje {number}")
    colleague = client_for(teammate)

    page = colleague.get(conversation_url(conversation))
    shown = shown_messages(page)
    assert len(shown) == messaging.PAGE_SIZE
    assert shown[-1] == f"Mensaje {messaging.PAGE_SIZE + 4}"
    older_url = re.search(r'href="([^"]*/older/\?before=\d+)"', page.content.decode())[1]

    older = colleague.get(older_url, headers={"HX-Request": "true"})

    assert shown_messages(older) == [f"Mensaje {number}" for number in range(5)]
    assert "/older/" not in older.content.decode()  # nothing older left


def test_the_list_shows_each_conversations_unread_count(rep, teammate, manager):
    with_teammate = messaging.start_direct_conversation(user=rep, other=teammate)
    with_manager = messaging.start_direct_conversation(user=rep, other=manager)
    messaging.post_message(conversation=with_teammate, author=teammate, body="Uno")
    messaging.post_message(conversation=with_teammate, author=teammate, body="Dos")
    messaging.post_message(conversation=with_manager, author=rep, body="Mío")

    page = client_for(rep).get(LIST)

    assert re.findall(r'data-testid="conversation-unread">(\d+)<', page.content.decode()) == ["2"]
    assert str(teammate) in text(page)
    assert str(manager) in text(page)
    assert "Team North" in text(page)


def test_the_list_costs_the_same_for_more_conversations(rep, django_assert_max_num_queries):
    def talk_to(count: int) -> None:
        for _ in range(count):
            colleague = user_with_role(Role.SALES_REP, team=rep.team)
            conversation = messaging.start_direct_conversation(user=rep, other=colleague)
            messaging.post_message(conversation=conversation, author=colleague, body="Hola")

    talk_to(2)
    client = client_for(rep)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    talk_to(15)
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)
    assert len(re.findall(r'data-testid="conversation-unread"', response.content.decode())) == 17


def test_a_conversation_costs_the_same_for_more_messages(rep, teammate, django_assert_max_num_queries):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    messaging.post_message(conversation=conversation, author=rep, body="Hola")
    client = client_for(teammate)
    with CaptureQueriesContext(connection) as few:
        client.get(conversation_url(conversation))
    for number in range(30):
        author = rep if number % 2 else teammate
        messaging.post_message(conversation=conversation, author=author, body=f"Mensaje {number}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(conversation_url(conversation))
    assert len(shown_messages(response)) == 31


def test_the_messages_pages_render_in_spanish(rep, teammate):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)
    client = client_for(rep)

    for url in (LIST, conversation_url(conversation)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        assert '<html lang="es"' in response.content.decode()
