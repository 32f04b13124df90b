"""@mentions in direct and team messages: members are notified once, nobody else, and mentions stand out."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts import messaging
from crm.accounts.models import Message, MessageMention, Notification
from crm.accounts.roles import Role
from tests.factories import UserFactory, user_with_role
from tests.helpers import text

SUGGESTIONS = reverse("accounts:mention_suggestions")


def conversation_url(conversation) -> str:
    return reverse("accounts:conversation", args=[conversation.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx_post(client, conversation, body: str):
    return client.post(conversation_url(conversation), {"body": body}, headers={"HX-Request": "true"})


@pytest.fixture
def team_conversation(rep):
    return messaging.join_team_conversation(user=rep)


def test_a_teammate_mentioned_in_the_team_conversation_is_notified_once(
    rep, teammate, team_conversation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = htmx_post(
            client_for(rep), team_conversation, "@teammate ¿llamas a Andina? Gracias, @Teammate."
        )

    assert response.status_code == 200
    assert 'data-testid="mention-report"' not in response.content.decode()
    message = Message.objects.get()
    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert notification.message.startswith(f"{rep} mentioned you in the conversation of team North:")
    assert "¿llamas a Andina?" in notification.message
    assert notification.url == f"{conversation_url(team_conversation)}#message-{message.pk}"
    [email] = mail.outbox
    assert email.to == [teammate.email]

    # Going over the same message again (a retry, say) notifies nobody a second time.
    with django_capture_on_commit_callbacks(execute=True):
        again = messaging.notify_mentions(message=message, conversation=team_conversation, author=rep)
    assert again.notified == [teammate]
    assert Notification.objects.count() == 1
    assert MessageMention.objects.get().user == teammate
    assert len(mail.outbox) == 1


def test_a_mention_in_a_direct_conversation_notifies_the_other_person(rep, teammate):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)

    posted = messaging.post_message(
        conversation=conversation, author=rep, body="@teammate mira la cotización"
    )

    assert posted.notified == [teammate]
    notification = Notification.objects.get()
    assert notification.message.startswith(f"{rep} mentioned you in a direct message:")


def test_mentioning_oneself_notifies_nobody(rep, team_conversation):
    posted = messaging.post_message(conversation=team_conversation, author=rep, body="Nota para @rep")

    assert (posted.notified, posted.outsiders, posted.unknown) == ([], [], [])
    assert not Notification.objects.exists()


def test_an_outsider_mentioned_is_not_notified_and_the_writer_is_told(
    rep, teammate, other_team_rep, manager, team_conversation
):
    response = htmx_post(
        client_for(rep), team_conversation, "@other_rep y @manager: precio especial para Andina. @nadie"
    )

    assert not Notification.objects.exists()
    assert not MessageMention.objects.exists()
    reports = text(response)
    assert (
        f"Not notified, because they are not in this conversation: {other_team_rep} (@other_rep)" in reports
    )
    assert f"{manager} (@manager)" in reports
    assert "No active colleague has these usernames: @nadie." in reports
    # The outsider stays plain text in the conversation.
    page = client_for(teammate).get(conversation_url(team_conversation)).content.decode()
    assert "@other_rep y @manager" in page
    assert '<strong class="mention">' not in page


def test_a_plain_post_reports_outsiders_after_the_redirect(rep, other_team_rep, team_conversation):
    client = client_for(rep)

    response = client.post(conversation_url(team_conversation), {"body": "@other_rep hola"}, follow=True)

    assert "Not notified, because they are not in this conversation" in text(response)
    assert not Notification.objects.exists()


def test_a_manager_cannot_be_pulled_into_a_direct_conversation_by_a_mention(rep, teammate, manager):
    conversation = messaging.start_direct_conversation(user=rep, other=teammate)

    posted = messaging.post_message(conversation=conversation, author=rep, body="@manager @teammate")

    assert posted.outsiders == [manager]
    assert [n.recipient for n in Notification.objects.all()] == [teammate]


def test_someone_who_left_the_team_or_has_no_role_is_not_notified(
    rep, teammate, south, north, team_conversation
):
    messaging.join_team_conversation(user=teammate)
    teammate.team = south
    teammate.save()
    roleless = UserFactory(username="sinrol", team=north)
    retired = user_with_role(Role.SALES_REP, team=north, username="retirada")
    retired.is_active = False
    retired.save()

    posted = messaging.post_message(
        conversation=team_conversation, author=rep, body="@teammate @sinrol @retirada ¿quién sigue?"
    )

    assert posted.notified == []
    assert set(posted.outsiders) == {teammate, roleless}
    assert posted.unknown == ["retirada"]  # not an active colleague
    assert not Notification.objects.exists()


def test_mentions_are_shown_in_bold_and_the_rest_escaped(rep, teammate, team_conversation):
    messaging.post_message(
        conversation=team_conversation, author=rep, body="<b>@teammate</b> revisa\nel pedido de @TEAMMATE"
    )

    page = client_for(teammate).get(conversation_url(team_conversation)).content.decode()

    assert (
        '&lt;b&gt;<strong class="mention">@teammate</strong>&lt;/b&gt; revisa<br>'
        'el pedido de <strong class="mention">@TEAMMATE</strong>'
    ) in page


def test_polling_shows_new_mentions_in_bold(rep, teammate, team_conversation):
    first = messaging.post_message(conversation=team_conversation, author=rep, body="Hola").message
    messaging.post_message(conversation=team_conversation, author=rep, body="@teammate ¿vienes?")

    response = client_for(teammate).get(
        reverse("accounts:conversation_new_messages", args=[team_conversation.pk]) + f"?after={first.pk}"
    )

    assert '<strong class="mention">@teammate</strong> ¿vienes?' in response.content.decode()


def test_a_conversation_with_mentions_costs_the_same_for_more_messages(
    rep, teammate, team_conversation, django_assert_max_num_queries
):
    messaging.post_message(conversation=team_conversation, author=rep, body="@teammate hola")
    client = client_for(teammate)
    with CaptureQueriesContext(connection) as few:
        client.get(conversation_url(team_conversation))
    for number in range(20):
        colleague = user_with_role(Role.SALES_REP, team=rep.team, username=f"colega{number}")
        messaging.post_message(
            conversation=team_conversation, author=rep, body=f"@teammate y @colega{number}: tarea {number}"
        )
        messaging.post_message(conversation=team_conversation, author=colleague, body=f"Listo, @rep {number}")

    with django_assert_max_num_queries(len(few)):
        response = client.get(conversation_url(team_conversation))

    assert response.content.decode().count('<strong class="mention">') == 1 + 20 * 3


def test_suggestions_for_a_message_list_only_people_in_the_conversation(
    rep, teammate, other_team_rep, manager, team_conversation
):
    client = client_for(rep)
    team = client.get(SUGGESTIONS, {"q": "@", "conversation": team_conversation.pk})  # "@" alone: nothing
    assert team.json() == {"users": []}

    def suggested(conversation, typed: str) -> list[str]:
        answer = client.get(SUGGESTIONS, {"q": typed, "conversation": conversation})
        return [user["username"] for user in answer.json()["users"]]

    assert suggested(team_conversation.pk, "teamm") == ["teammate"]
    assert suggested(team_conversation.pk, "other_") == []
    assert suggested(team_conversation.pk, "manag") == []
    direct = messaging.start_direct_conversation(user=rep, other=manager)
    assert suggested(direct.pk, "manag") == ["manager"]
    assert suggested(direct.pk, "teamm") == []
    # Someone else's conversation, or a garbled one, suggests nobody.
    theirs = messaging.start_direct_conversation(user=teammate, other=other_team_rep)
    for conversation in (theirs.pk, "abc", "9" * 30, "²", ""):
        assert suggested(conversation, "other_") == []
    # Without a conversation (comments), every colleague with a role.
    assert [u["username"] for u in client.get(SUGGESTIONS, {"q": "other_"}).json()["users"]] == ["other_rep"]


def test_the_message_form_offers_suggestions_for_its_conversation(rep, team_conversation):
    page = client_for(rep).get(conversation_url(team_conversation)).content.decode()

    assert f'data-mention-url="{SUGGESTIONS}?conversation={team_conversation.pk}"' in page
    assert "mentions.js" in page
