"""Every model is in the Django admin, and its list, search and add pages work."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ActivityFactory, ContactFactory, CustomerFactory, TaskFactory

OUR_APPS = {"accounts", "contacts", "sales", "marketing", "leads"}


def our_model_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


def test_every_model_of_ours_is_registered():
    from django.apps import apps

    registered = {model for model, _ in our_model_admins()}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue  # shown through each record's history page
            assert model in registered, f"{model.__name__} is missing from the admin"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.mark.parametrize(
    "model_admin", [pair[1] for pair in our_model_admins()], ids=lambda m: m.model.__name__
)
def test_changelist_search_and_add_pages_render(client, superuser, model_admin, rep):
    customer = CustomerFactory(owner=rep)
    ContactFactory(customer=customer)
    ActivityFactory(customer=customer)
    TaskFactory(customer=customer)
    client.force_login(superuser)
    opts = model_admin.model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    if model_admin.search_fields:
        assert client.get(changelist, {"q": "andina"}).status_code == 200
    assert model_admin.list_display != ("__str__",), "give the list useful columns"
    if model_admin.has_add_permission(type("Request", (), {"user": superuser})()):
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_a_sales_rep_cannot_open_the_admin(client, rep):
    client.force_login(rep)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]
