"""Comments with @mentions on customers, opportunities, quotes and tickets."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts.comments import post_comment
from crm.accounts.mentions import mentioned_names
from crm.accounts.models import Comment, EmailFrequency, Mention, Notification
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import customer_page, text
from tests.sales.factories import OpportunityFactory, QuoteFactory
from tests.service.factories import TicketFactory


def comments_url(record) -> str:
    meta = record._meta
    return reverse("accounts:comments", args=[meta.app_label, meta.model_name, record.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx_post(client, record, body: str):
    return client.post(comments_url(record), {"body": body}, headers={"HX-Request": "true"})


def test_mentioning_a_colleague_notifies_them_in_the_app_and_by_email(
    rep, teammate, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = htmx_post(client_for(rep), customer, "@teammate ¿puedes llamar a Andina mañana?")

    assert response.status_code == 200
    assert "Notified:" in text(response)
    assert str(teammate) in text(response)
    comment = Comment.objects.get()
    assert comment.record == customer
    assert comment.author == rep
    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert notification.message.startswith(f"{rep} mentioned you on Distribuidora Andina S.A.S.:")
    assert "¿puedes llamar a Andina mañana?" in notification.message
    assert notification.url == f"{customer.get_absolute_url()}#comment-{comment.pk}"
    [email] = mail.outbox
    assert email.to == [teammate.email]
    # The mention is shown in bold in the comment.
    assert '<strong class="mention">@teammate</strong>' in response.content.decode()


def test_a_mention_follows_the_colleagues_email_preference(
    rep, teammate, customer, django_capture_on_commit_callbacks
):
    teammate.email_frequency = EmailFrequency.DAILY
    teammate.save()

    with django_capture_on_commit_callbacks(execute=True):
        post_comment(record=customer, author=rep, body="Revisa esto @teammate")

    assert Notification.objects.get().recipient == teammate  # in the app at once
    assert mail.outbox == []  # by email with tomorrow's digest


def test_someone_who_cannot_see_the_record_is_not_notified_and_the_writer_is_told(
    rep, other_team_rep, customer
):
    response = htmx_post(client_for(rep), customer, "@other_rep mira esto, y también @nadie")

    assert not Notification.objects.exists()
    report = text(response)
    assert f"Not notified, because they cannot see this record: {other_team_rep} (@other_rep)." in report
    assert "No active colleague has these usernames: @nadie." in report
    mention = Mention.objects.get()
    assert (mention.user, mention.notified) == (other_team_rep, False)


def test_inactive_and_roleless_people_and_the_writer_are_not_notified(rep, no_role, customer):
    UserFactory(username="exempleado", is_active=False)

    posted = post_comment(record=customer, author=rep, body="@rep @norole @exempleado")

    assert posted.notified == []
    assert posted.cannot_see == [no_role]
    assert posted.unknown == ["exempleado"]
    assert not Notification.objects.exists()


def test_mentions_are_found_as_people_type_them():
    body = "Hola @Ana.Gomez, y @luis_p. Escribe a ventas@empresa.com; @ana.gomez otra vez; @"
    assert mentioned_names(body) == ["Ana.Gomez", "luis_p"]


def test_a_username_is_matched_whatever_its_case(rep, teammate, customer):
    posted = post_comment(record=customer, author=rep, body="@TeamMate urgente")
    assert posted.notified == [teammate]


@pytest.mark.parametrize("make_record", ["opportunity", "quote", "ticket"])
def test_comments_work_on_opportunities_quotes_and_tickets(rep, teammate, customer, make_record):
    opportunity = OpportunityFactory(customer=customer)
    record = {
        "opportunity": lambda: opportunity,
        "quote": lambda: QuoteFactory(opportunity=opportunity),
        "ticket": lambda: TicketFactory(customer=customer, team=rep.team),
    }[make_record]()
    client = client_for(rep)

    page = client.get(record.get_absolute_url())
    assert page.status_code == 200
    assert f'hx-get="{comments_url(record)}"' in page.content.decode()  # the panel loads itself

    htmx_post(client, record, "@teammate revisa")

    assert Notification.objects.get().url.startswith(record.get_absolute_url())
    assert "revisa" in text(client.get(comments_url(record), headers={"HX-Request": "true"}))


def test_the_customer_page_shows_its_comments(rep, teammate, customer):
    post_comment(record=customer, author=teammate, body="Prefieren que los llamen en la tarde")

    page = customer_page(client_for(rep), customer)

    assert "Prefieren que los llamen en la tarde" in page
    assert str(teammate) in page


def test_records_the_user_cannot_see_answer_404(rep, other_team_rep, customer):
    outsider = client_for(other_team_rep)
    assert outsider.get(comments_url(customer)).status_code == 404
    assert htmx_post(outsider, customer, "Hola").status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "accounts/user/1/",  # not a department record
        "contacts/nosuchmodel/1/",
        "nosuchapp/customer/1/",
        "contacts/customer/999999/",
    ],
)
def test_unknown_or_uncommentable_records_answer_404(rep_client, customer, path):
    assert rep_client.get(f"/accounts/comments/{path}").status_code == 404


@pytest.mark.parametrize("persona", ["no_role"], indirect=True)
def test_people_without_a_role_get_403(client, persona, customer):
    client.force_login(persona)
    assert client.get(comments_url(customer)).status_code == 403


def test_managers_may_comment_on_any_customer(manager, teammate, customer):
    assert htmx_post(client_for(manager), customer, "@teammate buen trabajo").status_code == 200
    assert Notification.objects.get().recipient == teammate


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
def test_an_empty_or_huge_comment_is_refused_with_a_reason(rep_client, customer, body):
    htmx = rep_client.post(comments_url(customer), {"body": body}, headers={"HX-Request": "true"})
    plain = rep_client.post(comments_url(customer), {"body": body})

    assert htmx.status_code == 200  # htmx swaps only 2xx answers: the form shows its error
    assert plain.status_code == 400
    assert "This field is required" in text(htmx) or "at most 4000" in text(htmx)
    assert not Comment.objects.exists()


def test_without_javascript_the_comment_is_saved_and_the_writer_returns_to_the_record(
    rep_client, customer, other_team_rep
):
    response = rep_client.post(comments_url(customer), {"body": "@other_rep hola"}, follow=True)

    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Your comment was saved." in text(response)
    assert "Not notified, because they cannot see this record" in text(response)


def test_the_comment_text_is_escaped(rep_client, customer):
    htmx_post(rep_client, customer, "<script>alert(1)</script> & <b>")
    response = rep_client.get(comments_url(customer), headers={"HX-Request": "true"})
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in response.content.decode()


def test_mention_suggestions_list_colleagues_with_a_role(rep_client, rep, teammate, no_role):
    UserFactory(username="teamex", is_active=False)
    response = rep_client.get(reverse("accounts:mention_suggestions"), {"q": "@tea"})

    assert response.json() == {"users": [{"username": "teammate", "name": str(teammate)}]}
    assert rep_client.get(reverse("accounts:mention_suggestions"), {"q": ""}).json() == {"users": []}
    assert rep_client.get(reverse("accounts:mention_suggestions"), {"q": "norole"}).json() == {"users": []}


def test_comments_cost_the_same_for_more_comments(rep, teammate, customer, django_assert_max_num_queries):
    post_comment(record=customer, author=teammate, body="@rep uno")
    client = client_for(rep)
    url = comments_url(customer)
    with CaptureQueriesContext(connection) as few:
        client.get(url, headers={"HX-Request": "true"})
    for number in range(25):
        post_comment(record=customer, author=teammate if number % 2 else rep, body=f"@teammate @rep {number}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, headers={"HX-Request": "true"})
    assert len(re.findall(r'id="comment-\d+"', response.content.decode())) == 20  # one page
    older = client.get(url, {"page": 2}, headers={"HX-Request": "true"})
    assert len(re.findall(r'id="comment-\d+"', older.content.decode())) == 6


def test_the_comments_page_renders_in_spanish_without_javascript(rep_client, customer):
    response = rep_client.get(comments_url(customer), HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    assert "Distribuidora Andina" in text(response)
    assert "HX-Request" in response["Vary"]


def test_a_comment_on_another_customer_is_not_shown_here(rep, customer):
    other = CustomerFactory(owner=rep)
    post_comment(record=other, author=rep, body="Sobre el otro cliente")
    response = client_for(rep).get(comments_url(customer), headers={"HX-Request": "true"})
    assert "Sobre el otro cliente" not in text(response)
