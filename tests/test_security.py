"""Security settings a user or an operator would notice: CSP, deploy checks, safe redirects."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from crm.accounts.models import Notification
from tests.factories import ActivityFactory, ContactFactory, TaskFactory

# --- Content-Security-Policy --------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (piece.strip() for piece in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_csp(response) -> None:
    directives = csp_directives(response)
    assert directives, "no Content-Security-Policy header"
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_login_page_has_a_strict_csp(client, db):
    assert_strict_csp(client.get(reverse("login")))


def test_customer_list_has_a_strict_csp(client, rep):
    client.force_login(rep)
    response = client.get(reverse("contacts:customer_list"))

    assert response.status_code == 200
    assert_strict_csp(response)


def test_error_page_has_a_strict_csp(client, rep):
    client.force_login(rep)
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_strict_csp(response)


def test_htmx_fragments_have_a_strict_csp(client, rep, customer):
    client.force_login(rep)
    response = client.get(reverse("contacts:activity_create", args=[customer.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert_strict_csp(response)


class InlineCodeFinder(HTMLParser):
    """Collects what the CSP would block: inline scripts, style attributes, on* handlers."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


@pytest.fixture
def busy_customer(customer, rep):
    """A customer whose page shows every section: contacts, activities, tasks."""
    contact = ContactFactory(customer=customer, is_legal_representative=True)
    ActivityFactory(customer=customer, contact=contact, notes="Pidió cotización", duration_minutes=5)
    TaskFactory(customer=customer, assignee=rep)
    Notification.objects.create(recipient=rep, message="Nuevo cliente asignado", url="/customers/")
    return customer


MAIN_PAGES = [
    ("home", []),
    ("contacts:customer_list", []),
    ("contacts:customer_create", []),
    ("contacts:customer_detail", ["pk"]),
    ("contacts:customer_update", ["pk"]),
    ("contacts:activity_create", ["pk"]),
    ("contacts:task_create", ["pk"]),
    ("contacts:contact_create", ["pk"]),
    ("contacts:customer_import", []),
    ("accounts:preferences", []),
    ("accounts:notifications", []),
    ("password_change", []),
]


@pytest.mark.parametrize(("name", "args"), MAIN_PAGES)
def test_main_pages_carry_no_inline_code(client, rep, busy_customer, name, args):
    client.force_login(rep)
    url = reverse(name, args=[busy_customer.pk for _ in args])

    response = client.get(url)

    assert response.status_code == 200, url
    assert inline_code(response.text) == []


def test_customer_form_with_errors_carries_no_inline_code(client, rep):
    client.force_login(rep)

    response = client.post(reverse("contacts:customer_create"), {"legal_name": ""})

    assert response.status_code == 200
    assert inline_code(response.text) == []


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_anonymous_pages_carry_no_inline_code(client, db, name):
    assert inline_code(client.get(reverse(name)).text) == []


def test_error_pages_carry_no_inline_code(client, no_role):
    client.force_login(no_role)

    assert inline_code(client.get("/no-such-page/").text) == []
    assert inline_code(client.get(reverse("contacts:customer_list")).text) == []


def test_no_template_carries_inline_code():
    """The rendered pages above cover the common paths; this covers every template's text."""
    problems = {}
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        found = inline_code(template.read_text(encoding="utf-8"))
        if found:
            problems[str(template.relative_to(settings.BASE_DIR))] = found
    assert problems == {}


# --- Other headers ------------------------------------------------------------------------


def test_pages_forbid_framing_and_sniffing(client, db):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_not_readable_by_scripts(client, rep):
    response = client.post(reverse("login"), {"username": "rep", "password": "secret-pass-123"})

    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


# --- Health check -------------------------------------------------------------------------


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("login")).status_code == 301
    assert client.get(reverse("healthz")).status_code == 200


# --- Redirects after a form ---------------------------------------------------------------


OFF_SITE = ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com/"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_marking_notifications_read_never_redirects_off_site(client, rep, target):
    client.force_login(rep)

    response = client.post(reverse("accounts:notifications_read"), {"next": target})

    assert response.status_code == 302
    assert response.url == reverse("accounts:notifications")


def test_marking_notifications_read_returns_to_a_local_page(client, rep):
    client.force_login(rep)

    response = client.post(reverse("accounts:notifications_read"), {"next": "/customers/?page=2"})

    assert response.url == "/customers/?page=2"


@pytest.mark.parametrize("garbled", ["²", "abc", "9" * 30, "-1"])
def test_garbled_notification_ids_change_nothing(client, rep, garbled):
    note = Notification.objects.create(recipient=rep, message="Hola")
    client.force_login(rep)

    response = client.post(reverse("accounts:notifications_read"), {"id": garbled})

    assert response.status_code == 302
    note.refresh_from_db()
    assert not note.is_read


def test_marking_one_notification_read_leaves_the_others(client, rep):
    first = Notification.objects.create(recipient=rep, message="Uno")
    second = Notification.objects.create(recipient=rep, message="Dos")
    client.force_login(rep)

    client.post(reverse("accounts:notifications_read"), {"id": str(first.pk)})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_read, second.is_read) == (True, False)


def test_nobody_marks_another_users_notifications(client, rep, teammate):
    theirs = Notification.objects.create(recipient=teammate, message="Privado")
    client.force_login(rep)

    client.post(reverse("accounts:notifications_read"), {"id": str(theirs.pk)})
    client.post(reverse("accounts:notifications_read"))

    theirs.refresh_from_db()
    assert not theirs.is_read


# --- Deployment checks --------------------------------------------------------------------


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="crm.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="crm.example.com",
        CRM_VAR_DIR=str(tmp_path),  # The SQLite default writes here, not into the checkout.
    )
    assert "DATABASE_URL" not in env

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output
