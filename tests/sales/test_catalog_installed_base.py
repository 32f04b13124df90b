"""The products a customer owns: a checklist panel on the customer page, edited in place."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import InstalledProduct
from tests.factories import CustomerFactory
from tests.helpers import customer_page, text
from tests.sales.factories import InstalledProductFactory, ProductFactory

pytestmark = pytest.mark.django_db


def url(customer) -> str:
    return reverse("sales:installed_base", args=[customer.pk])


def detail(customer) -> str:
    return reverse("contacts:customer_detail", args=[customer.pk])


def panel(content: str) -> str:
    """The installed-base panel's HTML out of a page."""
    start = content.index('<div id="installed-base"')
    return content[start : content.index("</ul>", start)]


@pytest.fixture
def erp():
    return ProductFactory(code="ERP-12", name="Licencia ERP anual", is_licence=True, licence_term_months=12)


@pytest.fixture
def reader():
    return ProductFactory(code="HW-LECT", name="Lector de código de barras")


def checklist(product, *, owned=True, since="", expires="", notes="") -> dict:
    prefix = f"p{product.pk}"
    data = {f"{prefix}-since": since, f"{prefix}-expires": expires, f"{prefix}-notes": notes}
    if owned:
        data[f"{prefix}-owned"] = "on"
    return data


# -- The panel ------------------------------------------------------------------------------------


def test_the_panel_lists_the_catalogue_with_what_the_customer_owns(rep_client, customer, erp, reader):
    InstalledProductFactory(
        customer=customer, product=erp, since=date(2025, 4, 1), licence_expires_on=date(2026, 4, 1)
    )
    ProductFactory(name="Producto retirado", is_active=False)
    content = panel(customer_page(rep_client, customer))
    assert "Licencia ERP anual" in content
    assert "Lector de código de barras" in content  # not owned yet: something to offer
    assert "Producto retirado" not in content
    assert content.index("Licencia ERP anual") < content.index("Lector de código de barras")
    assert "04/01/2025" in content
    assert "04/01/2026" in content
    assert content.count('data-owned="yes"') == 1


def test_an_owned_product_no_longer_sold_stays_in_the_panel(rep_client, customer):
    InstalledProductFactory(customer=customer, product=ProductFactory(name="Versión 2019", is_active=False))
    assert "Versión 2019" in panel(customer_page(rep_client, customer))


def test_the_panel_flags_expired_and_expiring_licences(rep_client, customer, erp, reader):
    today = timezone.localdate()
    InstalledProductFactory(customer=customer, product=erp, licence_expires_on=today - timedelta(days=1))
    InstalledProductFactory(customer=customer, product=reader, licence_expires_on=today + timedelta(days=20))
    content = panel(customer_page(rep_client, customer))
    assert "licence expired" in content
    assert "text-danger" in content
    assert "text-warning-emphasis" in content


def test_the_panel_costs_the_same_queries_for_a_big_catalogue(rep_client, customer):
    InstalledProductFactory(customer=customer)
    with CaptureQueriesContext(connection) as few:
        customer_page(rep_client, customer)
    for product in ProductFactory.create_batch(15):
        InstalledProductFactory(customer=customer, product=product)
    ProductFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        customer_page(rep_client, customer)
    assert len(many) == len(few)


def test_the_edit_button_shows_for_reps_not_for_read_only_roles(client, customer, rep, telemarketer, erp):
    client.force_login(rep)
    assert url(customer) in panel_and_footer(customer_page(client, customer))
    client.force_login(telemarketer)  # same team: sees the customer, cannot edit what they own
    assert url(customer) not in panel_and_footer(customer_page(client, customer))


def panel_and_footer(content: str) -> str:
    start = content.index('<div id="installed-base"')
    return content[start : content.index("</div>\n</div>", start)]


# -- The checklist form ------------------------------------------------------------------------------


def test_the_form_page_shows_the_checklist(rep_client, customer, erp, reader):
    InstalledProductFactory(customer=customer, product=erp, since=date(2025, 4, 1))
    response = rep_client.get(url(customer))
    assert response.status_code == 200
    content = text(response)
    assert f'name="p{erp.pk}-owned" class="form-check-input" id="id_p{erp.pk}-owned" checked' in content
    assert f'name="p{reader.pk}-owned" class="form-check-input" id="id_p{reader.pk}-owned">' in content
    assert 'value="2025-04-01"' in content
    assert "<html" in content


def test_htmx_gets_only_the_form_for_the_panel(rep_client, customer, erp):
    response = rep_client.get(url(customer), HTTP_HX_REQUEST="true")
    content = text(response)
    assert content.lstrip().startswith('<div id="installed-base"')
    assert "<html" not in content
    assert f'hx-post="{url(customer)}"' in content


def test_saving_the_checklist_sets_what_is_owned(rep_client, customer, erp, reader):
    InstalledProductFactory(customer=customer, product=reader)
    response = rep_client.post(
        url(customer), {**checklist(erp, since="2026-03-15"), **checklist(reader, owned=False)}
    )
    assert response.status_code == 302
    assert response["Location"] == detail(customer)
    row = InstalledProduct.objects.get(customer=customer)
    assert (row.product, row.since, row.licence_expires_on) == (erp, date(2026, 3, 15), date(2027, 3, 15))
    assert "Products owned saved." in text(rep_client.get(detail(customer)))


def test_saving_with_htmx_swaps_the_panel_in_place(rep_client, customer, erp):
    response = rep_client.post(
        url(customer), checklist(erp, since="2026-03-15", notes="5 usuarios"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    content = text(response)
    assert content.lstrip().startswith('<div id="installed-base"')
    assert 'data-owned="yes"' in content
    assert "5 usuarios" in content
    assert "03/15/2027" in content


def test_an_expiry_before_the_since_date_is_refused_and_nothing_is_lost(rep_client, customer, erp, reader):
    data = {**checklist(erp, since="2026-03-15", expires="2026-01-01"), **checklist(reader, notes="dos")}
    response = rep_client.post(url(customer), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = text(response)
    assert "cannot expire before the date it was bought" in content
    assert 'value="dos"' in content
    assert 'value="2026-03-15"' in content
    assert not InstalledProduct.objects.exists()


@pytest.mark.parametrize("value", ["15/13/2026", "yesterday", "2026-02-30"])
def test_a_date_that_is_not_a_date_is_refused(rep_client, customer, erp, value):
    response = rep_client.post(url(customer), checklist(erp, since=value))
    assert response.status_code == 200
    assert "Enter a valid date." in text(response)
    assert not InstalledProduct.objects.exists()


def test_notes_that_are_too_long_are_refused(rep_client, customer, erp):
    response = rep_client.post(url(customer), checklist(erp, notes="x" * 201))
    assert response.status_code == 200
    assert "at most 200 characters" in text(response)


def test_a_product_no_longer_sold_cannot_be_added_but_can_be_kept(rep_client, customer, erp):
    old = ProductFactory(name="Versión 2019", is_active=False)
    rep_client.post(url(customer), {**checklist(erp), **checklist(old)})
    assert list(InstalledProduct.objects.values_list("product__code", flat=True)) == ["ERP-12"]
    InstalledProductFactory(customer=customer, product=old, notes="sin soporte")
    rep_client.post(url(customer), {**checklist(erp), **checklist(old, notes="sin soporte")})
    assert InstalledProduct.objects.filter(product=old).exists()


# -- Who may edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teammate", "manager", "admin_user"], indirect=True)
def test_teammates_managers_and_admins_may_edit(client, persona, customer, erp):
    client.force_login(persona)
    assert client.get(url(customer)).status_code == 200
    client.post(url(customer), checklist(erp))
    assert InstalledProduct.objects.filter(customer=customer, product=erp).exists()


def test_another_teams_rep_gets_404(client, other_team_rep, customer, erp):
    client.force_login(other_team_rep)
    assert client.get(url(customer)).status_code == 404
    assert client.post(url(customer), checklist(erp)).status_code == 404
    assert not InstalledProduct.objects.exists()


@pytest.mark.parametrize(
    "persona", ["telemarketer", "marketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_other_roles_get_403(client, persona, customer, erp):
    client.force_login(persona)
    assert client.get(url(customer)).status_code == 403
    assert client.post(url(customer), checklist(erp)).status_code == 403
    assert not InstalledProduct.objects.exists()


def test_a_missing_customer_is_404(rep_client):
    assert rep_client.get(reverse("sales:installed_base", args=[999_999])).status_code == 404


def test_the_form_renders_in_spanish(rep_client, customer, erp):
    response = rep_client.get(url(customer), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_the_form_costs_the_same_queries_for_a_big_catalogue(rep_client, customer):
    other = CustomerFactory()
    InstalledProductFactory(customer=other)
    with CaptureQueriesContext(connection) as few:
        rep_client.get(url(customer))
    for product in ProductFactory.create_batch(20):
        InstalledProductFactory(customer=customer, product=product)
    with CaptureQueriesContext(connection) as many:
        rep_client.get(url(customer))
    assert len(many) == len(few)
