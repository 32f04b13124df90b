"""Log in, log out, change and reset a password: Django's views, our pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

PASSWORD = "secret-pass-123"  # The factories' password.
NEW_PASSWORD = "Colibri-azul-2031"


@pytest.fixture
def signed_in(client, rep):
    client.force_login(rep)
    return client


# --- Log in -------------------------------------------------------------------------------


def test_login_page_renders_the_form(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "registration/login.html" in [template.name for template in response.templates]
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert reverse("password_reset") in response.text


def test_rep_logs_in_and_lands_on_the_start_page(client, rep):
    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_follows_a_local_next_address(client, rep):
    response = client.post(
        reverse("login") + "?next=/customers/",
        {"username": "rep", "password": PASSWORD, "next": "/customers/"},
    )

    assert response.url == "/customers/"


OFF_SITE = ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com/"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_ignores_a_next_address_on_another_site(client, rep, target):
    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_shows_a_clear_message(client, rep):
    response = client.post(reverse("login"), {"username": "rep", "password": "not-it"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_empty_login_form_asks_for_both_fields(client, db):
    response = client.post(reverse("login"), {})

    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2


def test_inactive_user_cannot_log_in(client, rep):
    rep.is_active = False
    rep.save(update_fields=["is_active"])

    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_pages_ask_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("contacts:customer_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


# --- Log out ------------------------------------------------------------------------------


def test_logout_by_post_signs_out(signed_in):
    response = signed_in.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in signed_in.session


def test_logout_by_get_is_refused_and_keeps_the_session(signed_in):
    response = signed_in.get(reverse("logout"))

    assert response.status_code == 405
    assert "_auth_user_id" in signed_in.session


def test_navbar_logs_out_with_a_form_not_a_link(signed_in):
    page = signed_in.get(reverse("home")).text

    assert f'<form method="post" action="{reverse("logout")}">' in page


# --- Change password ----------------------------------------------------------------------


def change_password(client, old: str, new1: str, new2: str | None = None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2},
    )


def test_password_change_page_renders(signed_in):
    response = signed_in.get(reverse("password_change"))

    assert response.status_code == 200
    assert 'name="old_password"' in response.text


def test_password_change_needs_a_signed_in_user(client, db):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_rep_changes_their_password_and_stays_signed_in(signed_in, rep):
    response = change_password(signed_in, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert signed_in.get(response.url).status_code == 200
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)


def test_wrong_old_password_is_explained(signed_in, rep):
    response = change_password(signed_in, "not-it", NEW_PASSWORD)

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_mismatched_new_passwords_are_explained(signed_in, rep):
    response = change_password(signed_in, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")

    assert response.status_code == 200
    assert "The two password fields didn" in response.text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_too_short_new_password_is_explained(signed_in, rep):
    response = change_password(signed_in, PASSWORD, "Ab1-x")

    assert response.status_code == 200
    assert "This password is too short" in response.text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_common_new_password_is_explained(signed_in):
    response = change_password(signed_in, PASSWORD, "password123")

    assert response.status_code == 200
    assert "This password is too common" in response.text


# --- Reset password -----------------------------------------------------------------------


def reset_link_from_outbox() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://\S+", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return urlsplit(match.group(0)).path


def test_password_reset_page_renders(client, db):
    response = client.get(reverse("password_reset"))

    assert response.status_code == 200
    assert 'name="email"' in response.text


def test_reset_email_link_lets_the_user_choose_a_new_password(client, rep):
    response = client.post(reverse("password_reset"), {"email": rep.email})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert client.get(response.url).status_code == 200

    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert message.subject == "Reset your CRM password"
    link = reset_link_from_outbox()

    # Django swaps the token for a session marker and redirects to the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert client.get(response.url).status_code == 200

    assert client.post(reverse("login"), {"username": "rep", "password": NEW_PASSWORD}).status_code == 302


def test_reset_link_works_only_once(client, rep):
    client.post(reverse("password_reset"), {"email": rep.email})
    link = reset_link_from_outbox()
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link, follow=True)

    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "This link was already used or has expired" in response.text


def test_reset_form_explains_mismatched_and_short_passwords(client, rep):
    client.post(reverse("password_reset"), {"email": rep.email})
    set_password_url = client.get(reset_link_from_outbox(), follow=True).redirect_chain[-1][0]

    mismatched = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    too_short = client.post(set_password_url, {"new_password1": "Ab1-x", "new_password2": "Ab1-x"})

    assert mismatched.status_code == 200
    assert "The two password fields didn" in mismatched.text
    assert too_short.status_code == 200
    assert "This password is too short" in too_short.text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_a_made_up_reset_link_is_refused_kindly(client, db):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "made-up-token"]))

    assert response.status_code == 200
    assert "This link was already used or has expired" in response.text


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_with_a_malformed_address_shows_a_message(client, db):
    response = client.post(reverse("password_reset"), {"email": "not an address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
