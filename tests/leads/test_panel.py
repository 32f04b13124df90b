"""The customer page shows the customer's leads, as far as the user may see them."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead
from tests.factories import CustomerFactory
from tests.helpers import customer_page


def test_customer_page_lists_visible_leads_and_offers_a_new_one(client, rep, telemarketer, other_team_rep):
    customer = CustomerFactory(owner=rep)
    mine = Lead.objects.create(customer=customer, assigned_to=telemarketer, team=telemarketer.team)
    theirs = Lead.objects.create(customer=customer, assigned_to=other_team_rep, team=other_team_rep.team)
    client.force_login(rep)
    content = customer_page(client, customer)
    assert f'href="{mine.get_absolute_url()}"' in content
    assert f'href="{theirs.get_absolute_url()}"' not in content
    assert f"{reverse('leads:lead_create')}?customer={customer.pk}" in content


def test_panel_queries_do_not_grow_with_leads(client, rep, telemarketer):
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            customer_page(client, customer)
        return len(queries)

    Lead.objects.create(customer=customer, assigned_to=telemarketer, team=telemarketer.team)
    few = count()
    for _ in range(8):
        Lead.objects.create(customer=customer, assigned_to=telemarketer, team=telemarketer.team)
    assert count() == few
