"""The preferences page: name, email, language and notification emails."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.fixture
def signed_in(client, rep):
    client.force_login(rep)
    return client


def save(client, **changes):
    data = {
        "first_name": "Ana",
        "last_name": "Rojas",
        "email": "ana@example.com",
        "language": "",
        "email_frequency": "instant",
        **changes,
    }
    return client.post(reverse("accounts:preferences"), data)


def test_preferences_page_shows_the_users_values(signed_in, rep):
    response = signed_in.get(reverse("accounts:preferences"))

    assert response.status_code == 200
    assert f'value="{rep.email}"' in response.text
    assert 'name="language"' in response.text


def test_preferences_need_a_signed_in_user(client, db):
    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_users_without_a_role_can_still_set_their_preferences(client, no_role):
    client.force_login(no_role)

    assert save(client).status_code == 302
    no_role.refresh_from_db()
    assert no_role.first_name == "Ana"


def test_saving_preferences_keeps_them(signed_in, rep):
    response = save(signed_in, email_frequency="daily")

    assert response.status_code == 302
    assert response.url == reverse("accounts:preferences")
    rep.refresh_from_db()
    assert (rep.first_name, rep.last_name, rep.email) == ("Ana", "Rojas", "ana@example.com")
    assert rep.email_frequency == "daily"
    assert "Your preferences were saved." in signed_in.get(response.url).text


def test_choosing_spanish_switches_every_page(signed_in, rep):
    save(signed_in, language="es")

    response = signed_in.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    rep.refresh_from_db()
    assert rep.language == "es"
    assert '<html lang="es">' in response.text
    assert response["Content-Language"] == "es"


def test_the_confirmation_speaks_the_language_just_chosen(signed_in):
    with translation.override("es"):
        saved_in_spanish = translation.gettext("Your preferences were saved.")

    response = save(signed_in, language="es")
    page = signed_in.get(response.url, HTTP_ACCEPT_LANGUAGE="en").text

    assert saved_in_spanish in page


def test_emptying_the_language_follows_the_browser_again(signed_in, rep):
    rep.language = "es"
    rep.save(update_fields=["language"])

    save(signed_in, language="")

    rep.refresh_from_db()
    assert rep.language == ""
    assert '<html lang="en">' in signed_in.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"language": "xx"}, "Select a valid choice."),
        ({"first_name": "A" * 200}, "Ensure this value has at most 150 characters"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(signed_in, rep, changes, message):
    before = (rep.first_name, rep.email, rep.language)

    response = save(signed_in, **changes)

    assert response.status_code == 200
    assert message in response.text
    rep.refresh_from_db()
    assert (rep.first_name, rep.email, rep.language) == before


def test_preferences_cannot_grant_roles_or_staff(signed_in, rep):
    save(signed_in, is_staff="on", is_superuser="on", groups="1", team="")

    rep.refresh_from_db()
    assert not rep.is_staff
    assert not rep.is_superuser
    assert rep.team is not None


def test_an_unknown_email_frequency_is_refused_and_nothing_is_saved(signed_in, rep):
    response = save(signed_in, email_frequency="hourly", first_name="Otra")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    rep.refresh_from_db()
    assert (rep.first_name, rep.email_frequency) != ("Otra", "hourly")
