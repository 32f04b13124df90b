"""The demo data gives marketing campaigns and the telemarketer a queue to work."""

from __future__ import annotations

from django.core.management import call_command

from crm.accounts.models import User
from leads.models import Lead
from leads.queue import next_lead
from marketing.models import Campaign


def test_seed_demo_adds_campaigns_and_a_call_queue(db):
    call_command("seed_demo", customers=40, verbosity=0)
    telemarketer = User.objects.get(username="telemercadeo")
    assert Campaign.objects.count() == 4
    assert Lead.objects.filter(assigned_to=telemarketer).exists()
    assert next_lead(telemarketer) is not None
    # Run again: the campaigns are not duplicated, more leads are added.
    leads = Lead.objects.count()
    call_command("seed_demo", customers=40, verbosity=0)
    assert Campaign.objects.count() == 4
    assert Lead.objects.count() > leads
