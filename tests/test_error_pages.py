"""Errors look like the rest of the CRM and say what to do next."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import path, reverse

from crm import views
from tests.factories import CustomerFactory


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def test_unknown_address_shows_our_404_with_the_navbar(client, rep, settings):
    settings.DEBUG = False
    client.force_login(rep)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "We could not find that page" in response.text
    assert 'class="navbar' in response.text
    assert reverse("contacts:customer_list") in response.text
    assert str(rep) in response.text


def test_anonymous_404_has_no_personal_menu(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert reverse("logout") not in response.text


def test_a_customer_that_is_not_yours_is_a_404_not_a_500(client, other_team_rep, customer):
    client.force_login(other_team_rep)

    response = client.get(customer.get_absolute_url())

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert customer.legal_name not in response.text


def test_user_without_a_role_gets_our_403_on_the_customer_list(client, no_role):
    CustomerFactory(legal_name="Secreta S.A.S.")
    client.force_login(no_role)

    response = client.get(reverse("contacts:customer_list"))

    assert response.status_code == 403
    assert "403.html" in template_names(response)
    assert "You may not open this page" in response.text
    assert "Secreta" not in response.text
    assert 'class="navbar' in response.text


def test_a_stale_form_gets_a_page_that_explains_it(rep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)

    typed = f"{rep.first_name} (changed)"  # never the name the factory happened to pick
    response = client.post(reverse("accounts:preferences"), {"first_name": typed})

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "reload the page" in response.text
    rep.refresh_from_db()
    assert rep.first_name != typed


def test_500_page_renders_without_the_database():
    """No ``db`` fixture: any query here would fail the test."""
    request = RequestFactory().get("/boom/")

    response = views.error_500(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "nothing you saved before was lost" in page
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
    assert '<html lang="en">' in page


def test_500_page_follows_the_active_language():
    from django.utils import translation

    with translation.override("es"):
        response = views.error_500(RequestFactory().get("/boom/"))

    assert '<html lang="es">' in response.content.decode()


def crash(request):
    raise RuntimeError("a bug")


# This module doubles as a URLconf for the crash test below.
urlpatterns = [path("crash/", crash)]
handler500 = "crm.views.error_500"


@pytest.mark.urls(__name__)
def test_a_crash_answers_with_our_500_page(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/crash/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
