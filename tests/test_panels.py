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
        content = rep_client.get(url(customer)).content.decode()
    assert "Recent calls" in content
    assert f"Llamada de cierre by {rep}" in content
    assert f"Seen by {rep}" in content


def test_a_panel_is_gone_once_unregistered(rep_client, customer):
    with customer_panels.register_temporarily(RecentCallsPanel):
        pass
    assert "Recent calls" not in rep_client.get(url(customer)).content.decode()
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
        content = rep_client.get(url(customer)).content.decode()
    assert content.index("First panel") < content.index("Recent calls")


def test_a_panel_decides_who_sees_it(client, customer, rep, manager):
    with customer_panels.register_temporarily(HiddenPanel):
        client.force_login(rep)
        assert "Secret numbers" not in client.get(url(customer)).content.decode()
        client.force_login(manager)
        assert "Secret numbers" in client.get(url(customer)).content.decode()


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
            assert rep_client.get(url(customer)).status_code == 200
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
