"""Pages speak the user's chosen language, else the browser's; the navbar switch remembers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation


def speaks(response, language: str) -> bool:
    return f'<html lang="{language}">' in response.text and response["Content-Language"] == language


def spanish(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


@pytest.fixture
def signed_in(client, rep):
    client.force_login(rep)
    return client


def test_without_a_choice_the_page_follows_the_browser(signed_in):
    assert speaks(signed_in.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9"), "es")
    assert speaks(signed_in.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), "en")


def test_anonymous_visitors_get_the_browsers_language(client, db):
    assert speaks(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es"), "es")
    assert speaks(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"), "en")


def test_a_browser_language_we_do_not_ship_falls_back_to_the_default(client, db, settings):
    settings.LANGUAGE_CODE = "es"

    assert speaks(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"), "es")


@pytest.mark.parametrize(("chosen", "browser"), [("es", "en"), ("en", "es")])
def test_the_users_choice_wins_over_the_browser(signed_in, rep, chosen, browser):
    rep.language = chosen
    rep.save(update_fields=["language"])

    response = signed_in.get(reverse("contacts:customer_list"), HTTP_ACCEPT_LANGUAGE=browser)

    assert speaks(response, chosen)


def test_the_users_choice_also_applies_to_error_pages(signed_in, rep):
    rep.language = "es"
    rep.save(update_fields=["language"])

    response = signed_in.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert speaks(response, "es")


def test_navbar_switch_saves_the_choice_on_the_user(signed_in, rep):
    page = signed_in.get(reverse("home"))
    assert f'action="{reverse("accounts:set_language")}"' in page.text

    response = signed_in.post(reverse("accounts:set_language"), {"language": "es", "next": "/customers/"})

    assert response.status_code == 302
    assert response.url == "/customers/"
    rep.refresh_from_db()
    assert rep.language == "es"
    assert speaks(signed_in.get(response.url, HTTP_ACCEPT_LANGUAGE="en"), "es")


def test_the_saved_choice_follows_the_user_to_another_browser(client, rep):
    client.force_login(rep)
    client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"})
    client.logout()

    elsewhere = Client()
    elsewhere.force_login(rep)

    assert speaks(elsewhere.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"), "es")


def test_anonymous_switch_sets_a_cookie_only(client, db):
    response = client.post(reverse("accounts:set_language"), {"language": "es", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert speaks(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"), "es")


def test_an_unknown_language_changes_nothing(signed_in, rep):
    response = signed_in.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.language == ""


def test_switch_never_redirects_off_site(signed_in):
    response = signed_in.post(
        reverse("accounts:set_language"), {"language": "es", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert "evil.example.com" not in response.url


def test_switch_only_answers_post(signed_in, rep):
    response = signed_in.get(reverse("accounts:set_language"), {"language": "es"})

    assert response.status_code == 405
    rep.refresh_from_db()
    assert rep.language == ""


def test_spanish_pages_show_spanish_text(signed_in, rep):
    rep.language = "es"
    rep.save(update_fields=["language"])

    page = signed_in.get(reverse("home")).text

    assert spanish("Log out") != "Log out", "the Spanish catalogue is compiled"
    assert spanish("Log out") in page
    assert ">Log out<" not in page
