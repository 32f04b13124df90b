"""Log-in throttling: five failures pause one username from one address, for a while only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import UserFactory

PASSWORD = "secret-pass-123"  # The factories' password.
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def log_in(client, username: str, password: str, address: str, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail_five_times(client, username: str, address: str = ATTACKER) -> None:
    for _ in range(4):
        response = log_in(client, username, "wrong-password", address)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    # The failure that reaches the limit already answers with the locked-out page.
    assert is_locked_out(log_in(client, username, "wrong-password", address))


def is_locked_out(response) -> bool:
    return response.status_code in {403, 429} and 'data-testid="locked-out"' in response.text


def wait_message_in_spanish(minutes: int) -> str:
    sentence = (
        "For your security, logging in with this user from this address is paused. "
        "Try again in %(minutes)s minute{}, or reset your password. "
        "Each attempt before then starts the wait again."
    )
    with translation.override("es"):
        text = translation.ngettext(sentence.format(""), sentence.format("s"), minutes)
    return text % {"minutes": minutes}


def is_logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("home")


@pytest.fixture
def victim(db):
    return UserFactory(username="victim")


def test_four_failures_do_not_lock_the_user_out(client, victim):
    for _ in range(4):
        log_in(client, "victim", "wrong-password", ATTACKER)

    assert is_logged_in(log_in(client, "victim", PASSWORD, ATTACKER))


def test_sixth_attempt_is_refused_even_with_the_right_password(client, victim):
    fail_five_times(client, "victim")

    response = log_in(client, "victim", PASSWORD, ATTACKER)

    assert is_locked_out(response)
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes" in response.text
    assert "Each attempt before then starts the wait again" in response.text
    assert reverse("password_reset") in response.text


def test_the_same_user_can_still_log_in_from_another_address(client, victim):
    fail_five_times(client, "victim")

    assert is_logged_in(log_in(client, "victim", PASSWORD, ELSEWHERE))


def test_another_user_can_still_log_in_from_the_same_address(client, victim, rep):
    fail_five_times(client, "victim")

    assert is_logged_in(log_in(client, "rep", PASSWORD, ATTACKER))


def test_lockout_ends_after_the_cool_off(client, victim):
    fail_five_times(client, "victim")

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert is_logged_in(log_in(client, "victim", PASSWORD, ATTACKER))


def test_trying_during_the_lockout_starts_the_wait_again(client, victim):
    """As the locked-out page says, so that guessing on never gets through."""
    fail_five_times(client, "victim")
    start = timezone.now()

    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert is_locked_out(log_in(client, "victim", PASSWORD, ATTACKER))
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert is_locked_out(log_in(client, "victim", PASSWORD, ATTACKER))
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        assert is_logged_in(log_in(client, "victim", PASSWORD, ATTACKER))


def test_a_successful_log_in_resets_the_count(client, victim):
    for _ in range(4):
        log_in(client, "victim", "wrong-password", ATTACKER)
    assert is_logged_in(log_in(client, "victim", PASSWORD, ATTACKER))
    client.post(reverse("logout"))

    for _ in range(4):
        log_in(client, "victim", "wrong-password", ATTACKER)

    assert is_logged_in(log_in(client, "victim", PASSWORD, ATTACKER))


def test_unknown_usernames_are_throttled_too(client, db):
    fail_five_times(client, "nobody")

    assert is_locked_out(log_in(client, "nobody", "anything", ATTACKER))


def test_locked_out_page_follows_the_browser_language(client, victim):
    fail_five_times(client, "victim")

    response = log_in(client, "victim", PASSWORD, ATTACKER, HTTP_ACCEPT_LANGUAGE="es")

    assert is_locked_out(response)
    assert '<html lang="es">' in response.text
    assert response["Content-Language"] == "es"
    with translation.override("es"):
        heading = translation.gettext("Too many failed log-in attempts")
    assert heading != "Too many failed log-in attempts", "the Spanish catalogue is compiled"
    assert heading in response.text
    assert wait_message_in_spanish(15) in response.text
    assert "For your security" not in response.text


def test_locked_out_page_names_the_configured_wait(client, victim, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail_five_times(client, "victim")

    response = log_in(client, "victim", PASSWORD, ATTACKER)

    assert is_locked_out(response)
    assert "Try again in 1 minute," in response.text


def test_choosing_a_new_password_lifts_the_lockout(client, victim):
    """The locked-out page offers a password reset as the way back in: it has to work."""
    fail_five_times(client, "victim")
    client.post(reverse("password_reset"), {"email": victim.email}, REMOTE_ADDR=ATTACKER)
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(
        set_password_url,
        {"new_password1": "Colibri-azul-2031", "new_password2": "Colibri-azul-2031"},
        REMOTE_ADDR=ATTACKER,
    )

    assert is_logged_in(log_in(client, "victim", "Colibri-azul-2031", ATTACKER))


def test_someone_elses_lockout_is_not_lifted_by_my_reset(client, victim, rep):
    fail_five_times(client, "victim")
    client.post(reverse("password_reset"), {"email": rep.email}, REMOTE_ADDR=ATTACKER)
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        set_password_url,
        {"new_password1": "Colibri-azul-2031", "new_password2": "Colibri-azul-2031"},
        REMOTE_ADDR=ATTACKER,
    )

    assert is_locked_out(log_in(client, "victim", PASSWORD, ATTACKER))
