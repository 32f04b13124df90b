"""The customer page is built from panels that departments register; the hub knows none of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Activity
from contacts.panels import CustomerPanel, PanelRegistry, customer_panels
from tests.factories import ActivityFactory, UserFactory
from tests.helpers import customer_page


class RecentCallsPanel(CustomerPanel):
    """A department's panel: its own queryset, loaded once, rendered from its partial."""

    title = "Recent calls"
    template_name = Template(
        '<ul class="recent-calls">{% for call in panel.calls %}'
        "<li>{{ call.subject }} by {{ call.user }}</li>{% endfor %}</ul>"
        "<p>Seen by {{ panel.viewer }}</p>"
    )

    def get_context(self, request, customer):
        calls = Activity.objects.filter(customer=customer, kind="call").select_related("user")[:5]
        return {"calls": calls, "viewer": request.user}


class HiddenPanel(CustomerPanel):
    title = "Managers only"
    template_name = Template("<p>Secret numbers</p>")

    def is_shown(self, request, customer):
        return request.user.username == "manager"


class FirstPanel(CustomerPanel):
    title = "First panel"
    template_name = Template("<p>first</p>")


def url(customer) -> str:
    return reverse("contacts:customer_detail", args=[customer.pk])


def test_a_registered_panel_renders_on_the_customer_page(rep_client, customer, rep):
    ActivityFactory(customer=customer, subject="Llamada de cierre", user=rep)
    with customer_panels.register_temporarily(RecentCallsPanel):
        content = customer_page(rep_client, customer)
    assert "Recent calls" in content
    assert f"Llamada de cierre by {rep}" in content
    assert f"Seen by {rep}" in content


def test_a_panel_is_gone_once_unregistered(rep_client, customer):
    with customer_panels.register_temporarily(RecentCallsPanel):
        pass
    assert "Recent calls" not in customer_page(rep_client, customer)
    assert RecentCallsPanel not in customer_panels.panel_classes()


def test_a_panel_is_unregistered_even_when_the_test_fails(customer):
    with pytest.raises(RuntimeError), customer_panels.register_temporarily(RecentCallsPanel):
        raise RuntimeError
    assert RecentCallsPanel not in customer_panels.panel_classes()


def test_panels_appear_in_their_order(rep_client, customer):
    with (
        customer_panels.register_temporarily(RecentCallsPanel, order=90),
        customer_panels.register_temporarily(FirstPanel, order=10),
    ):
        content = customer_page(rep_client, customer)
    assert content.index("First panel") < content.index("Recent calls")


def test_a_panel_decides_who_sees_it(client, customer, rep, manager):
    with customer_panels.register_temporarily(HiddenPanel):
        client.force_login(rep)
        assert "Secret numbers" not in customer_page(client, customer)
        client.force_login(manager)
        assert "Secret numbers" in customer_page(client, customer)


def test_registering_twice_keeps_one_panel():
    registry = PanelRegistry()
    registry.register(FirstPanel, order=10)
    registry.register(FirstPanel, order=20)
    assert registry.panel_classes() == [FirstPanel]
    registry.unregister(FirstPanel)
    assert registry.panel_classes() == []


def test_a_panel_is_not_shown_to_someone_who_cannot_see_the_customer(client, customer, other_team_rep):
    with customer_panels.register_temporarily(RecentCallsPanel):
        client.force_login(other_team_rep)
        assert client.get(url(customer)).status_code == 404


def test_panels_do_not_add_queries_per_row(rep_client, customer, rep):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            customer_page(rep_client, customer)
        return len(captured)

    with (
        customer_panels.register_temporarily(RecentCallsPanel),
        customer_panels.register_temporarily(FirstPanel),
    ):
        ActivityFactory(customer=customer, user=rep)
        queries()
        few = queries()
        for _ in range(30):
            ActivityFactory(customer=customer, user=UserFactory(team=rep.team))
        assert queries() == few


def panel_url(customer, slug: str) -> str:
    return reverse("contacts:customer_panel", args=[customer.pk, slug])


def test_the_customer_page_waits_for_no_panel(rep_client, customer, rep):
    """The page names each panel and loads its content afterwards, so a slow panel slows nobody."""
    ActivityFactory(customer=customer, subject="Llamada de cierre", kind="call", user=rep)
    with customer_panels.register_temporarily(RecentCallsPanel):
        page = rep_client.get(url(customer)).content.decode()
    assert "Recent calls" in page
    assert f'hx-get="{panel_url(customer, "recent-calls")}"' in page
    assert "Llamada de cierre by" not in page


def test_a_panel_opens_alone_without_javascript(rep_client, customer, rep):
    ActivityFactory(customer=customer, subject="Llamada de cierre", kind="call", user=rep)
    with customer_panels.register_temporarily(RecentCallsPanel):
        response = rep_client.get(panel_url(customer, "recent-calls"))
        fragment = rep_client.get(panel_url(customer, "recent-calls"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and str(customer) in page and "Llamada de cierre by" in page
    assert "<html" not in fragment.content.decode()
    assert "HX-Request" in response["Vary"]


def test_a_panel_url_answers_404_to_who_may_not_see_it(client, customer, rep, other_team_rep, no_role):
    with customer_panels.register_temporarily(HiddenPanel), customer_panels.register_temporarily(FirstPanel):
        client.force_login(rep)
        assert client.get(panel_url(customer, "hidden")).status_code == 404
        assert client.get(panel_url(customer, "no-such-panel")).status_code == 404
        assert client.get(panel_url(customer, "first")).status_code == 200
        client.force_login(other_team_rep)
        assert client.get(panel_url(customer, "first")).status_code == 404
        client.force_login(no_role)
        assert client.get(panel_url(customer, "first")).status_code == 403
        client.logout()
        assert client.get(panel_url(customer, "first")).status_code == 302


def test_panel_names_default_to_the_class_name_in_kebab_case():
    assert RecentCallsPanel.slug() == "recent-calls"
    assert HiddenPanel.slug() == "hidden"
