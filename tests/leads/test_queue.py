"""The call queue: which lead comes next, and the page that sends the telemarketer to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from leads.queue import next_callback, next_lead, queue_for
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory
from tests.helpers import text
from tests.leads.factories import LeadFactory

QUEUE = reverse("leads:queue")


def aged(lead: Lead, days: int) -> Lead:
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(days=days))
    return lead


def test_due_callbacks_come_first_then_score_then_age(telemarketer):
    now = timezone.now()
    low_old = aged(LeadFactory(assigned_to=telemarketer, score=10), days=9)
    high_new = aged(LeadFactory(assigned_to=telemarketer, score=90), days=1)
    high_old = aged(LeadFactory(assigned_to=telemarketer, score=90), days=5)
    due_late = LeadFactory(assigned_to=telemarketer, score=0, callback_at=now - timedelta(minutes=5))
    due_early = LeadFactory(assigned_to=telemarketer, score=0, callback_at=now - timedelta(hours=2))

    order = list(queue_for(telemarketer))

    assert order == [due_early, due_late, high_old, high_new, low_old]
    assert next_lead(telemarketer) == due_early


def test_a_future_callback_waits_until_its_time(telemarketer):
    later = timezone.now() + timedelta(hours=3)
    lead = LeadFactory(assigned_to=telemarketer, score=99, callback_at=later)

    assert next_lead(telemarketer) is None
    assert next_callback(telemarketer) == later
    assert next_lead(telemarketer, now=later + timedelta(seconds=1)) == lead


def test_only_the_telemarketers_open_leads_are_queued(telemarketer, manager):
    mine = LeadFactory(assigned_to=telemarketer, status=Lead.Status.CONTACTING)
    for status in (Lead.Status.QUALIFIED, Lead.Status.DISQUALIFIED, Lead.Status.CONVERTED):
        LeadFactory(assigned_to=telemarketer, status=status, score=100)
    LeadFactory(assigned_to=manager, score=100)
    LeadFactory(assigned_to=None, score=100)

    assert list(queue_for(telemarketer)) == [mine]


def test_queue_page_opens_the_next_leads_call_screen(client, telemarketer):
    lead = LeadFactory(assigned_to=telemarketer)
    client.force_login(telemarketer)

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url == reverse("leads:call", args=[lead.pk])


def test_an_empty_queue_says_so_and_when_the_next_callback_is(client, telemarketer):
    LeadFactory(assigned_to=telemarketer, callback_at=timezone.now() + timedelta(days=1))
    client.force_login(telemarketer)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "No leads to call right now." in text(response)
    assert "Your next callback is due" in text(response)


@pytest.mark.parametrize("persona", ["rep", "marketer", "no_role"], indirect=True)
def test_only_callers_have_a_queue(client, persona):
    client.force_login(persona)
    assert client.get(QUEUE).status_code == 403


def test_call_screen_costs_the_same_with_a_longer_history(
    client, telemarketer, django_assert_max_num_queries
):
    customer = CustomerFactory()
    lead = LeadFactory(customer=customer, assigned_to=telemarketer)
    ActivityFactory(customer=customer)
    ContactFactory(customer=customer)
    client.force_login(telemarketer)
    url = reverse("leads:call", args=[lead.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    ActivityFactory.create_batch(15, customer=customer)
    ContactFactory.create_batch(5, customer=customer)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_next_lead_is_the_head_of_the_queue_in_every_mix(telemarketer):
    """The fast path picks exactly the lead the plain ordered queue puts first."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from leads.models import Lead
    from leads.queue import next_lead, queue_for
    from tests.factories import CustomerFactory

    rng = random.Random(7)
    now = timezone.now()
    customer = CustomerFactory()
    for round_number in range(6):
        for _index in range(8):
            callback = rng.choice(
                [None, None, now - timedelta(hours=rng.randint(1, 50)), now + timedelta(hours=3)]
            )
            Lead.objects.create(
                customer=customer,
                assigned_to=telemarketer,
                status=rng.choice(["new", "contacting", "qualified"]),
                score=rng.randint(0, 3),
                callback_at=callback,
            )
        assert next_lead(telemarketer, now=now) == queue_for(telemarketer, now=now).first(), round_number
        Lead.objects.filter(pk=queue_for(telemarketer, now=now).first().pk).update(status="disqualified")
