"""The sales records in the Django admin: stages edited in the list, one settings row, quotes with lines."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import SalesSettings, Stage, StageChange
from tests.helpers import text
from tests.sales.factories import OpportunityFactory, ProductFactory, QuoteLineFactory, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


def test_stages_are_reordered_and_reweighted_from_the_list(admin_client):
    stages = list(Stage.objects.order_by("order", "pk"))
    data = {
        "form-TOTAL_FORMS": str(len(stages)),
        "form-INITIAL_FORMS": str(len(stages)),
        "_save": "Save",
    }
    for index, row in enumerate(stages):
        data[f"form-{index}-id"] = str(row.pk)
        data[f"form-{index}-order"] = str(row.order)
        data[f"form-{index}-default_probability"] = str(row.default_probability)
    proposal = stages.index(stage("Proposal"))
    data[f"form-{proposal}-order"] = "1"
    data[f"form-{proposal}-default_probability"] = "55"
    response = admin_client.post(reverse("admin:sales_stage_changelist"), data)
    assert response.status_code == 302
    changed = stage("Proposal")
    assert (changed.order, changed.default_probability) == (1, 55)


def test_a_probability_above_100_is_refused_in_the_list(admin_client):
    row = stage("Proposal")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(row.pk),
        "form-0-order": str(row.order),
        "form-0-default_probability": "150",
        "_save": "Save",
    }
    response = admin_client.post(reverse("admin:sales_stage_changelist"), data)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in text(response)
    assert stage("Proposal").default_probability == 60


def test_sales_settings_are_one_row_that_cannot_be_deleted(admin_client):
    add = reverse("admin:sales_salessettings_add")
    assert admin_client.get(add).status_code == 200
    settings_row = SalesSettings.load()
    assert admin_client.get(add).status_code == 403
    changelist = text(admin_client.get(reverse("admin:sales_salessettings_changelist")))
    assert add not in changelist
    change = reverse("admin:sales_salessettings_change", args=[settings_row.pk])
    response = admin_client.post(
        change,
        {"quote_validity_days": "45", "margin_warning_percent": "25", "default_terms": "Pago a 30 días."},
    )
    assert response.status_code == 302
    settings_row.refresh_from_db()
    assert settings_row.quote_validity_days == 45
    assert (
        admin_client.get(reverse("admin:sales_salessettings_delete", args=[settings_row.pk])).status_code
        == 403
    )
    assert SalesSettings.objects.count() == 1


def test_a_quote_shows_its_lines_read_only(admin_client, customer):
    line = QuoteLineFactory(
        description="Licencia ERP anual — 10 usuarios", quote__opportunity__customer=customer
    )
    response = admin_client.get(reverse("admin:sales_quote_change", args=[line.quote.pk]))
    assert response.status_code == 200
    content = text(response)
    assert "Licencia ERP anual — 10 usuarios" in content
    assert 'name="lines-0-quantity"' not in content  # shown, not editable


def test_stage_history_is_read_only(admin_client, customer):
    opportunity = OpportunityFactory(customer=customer)
    change = StageChange.objects.create(opportunity=opportunity, to_stage=stage("Prospecting"))
    assert admin_client.get(reverse("admin:sales_stagechange_add")).status_code == 403
    url = reverse("admin:sales_stagechange_change", args=[change.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"to_stage": stage("Won").pk})
    change.refresh_from_db()
    assert change.to_stage == stage("Prospecting")


def test_products_are_found_by_code(admin_client):
    ProductFactory(code="ERP-LIC-12", name="Licencia ERP anual")
    ProductFactory(code="HW-01", name="Lector")
    response = admin_client.get(reverse("admin:sales_product_changelist"), {"q": "erp-lic"})
    content = text(response)
    assert "Licencia ERP anual" in content
    assert "Lector" not in content


def test_the_opportunity_list_costs_the_same_queries_for_more_rows(admin_client, rep):
    url = reverse("admin:sales_opportunity_changelist")
    OpportunityFactory.create_batch(2, customer__owner=rep)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    OpportunityFactory.create_batch(20, customer__owner=rep)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_a_manager_without_staff_access_cannot_open_the_sales_admin(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:sales_product_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]
