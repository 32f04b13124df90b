"""Accounting records in the admin: listed, searchable, shown, and never edited by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounting.factories import invoice_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


@pytest.mark.parametrize("model", ["order", "invoice", "payment", "numbersequence"])
def test_every_accounting_model_is_listed_and_searchable(admin_client, customer, model):
    invoice_for(customer)
    url = reverse(f"admin:accounting_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "FAC"}).status_code == 200


def test_an_order_and_an_invoice_are_shown_read_only(admin_client, customer):
    invoice = invoice_for(customer)
    response = admin_client.get(reverse("admin:accounting_order_change", args=[invoice.order.pk]))
    assert response.status_code == 200
    assert invoice.order.lines.get().description in response.text
    assert admin_client.get(reverse("admin:accounting_invoice_change", args=[invoice.pk])).status_code == 200
    assert admin_client.get(reverse("admin:accounting_order_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:accounting_order_delete", args=[invoice.order.pk])).status_code
        == 403
    )
