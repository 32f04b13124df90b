"""Factories for leads."""

from __future__ import annotations

import factory

from leads.models import DisqualificationReason, Lead
from marketing.models import Campaign
from tests.factories import CustomerFactory


def reason(name: str) -> DisqualificationReason:
    """One of the reasons seeded by migration: No need, No budget, Wrong contact data, ..."""
    return DisqualificationReason.objects.get(name=name)


class LeadCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Feria {n}")
    channel = Campaign.Channel.TRADE_SHOW


class LeadFactory(factory.django.DjangoModelFactory):
    """A new lead on a fresh prospect; pass ``assigned_to`` for a telemarketer's queue."""

    class Meta:
        model = Lead

    customer = factory.SubFactory(CustomerFactory)
    source = Lead.Source.IMPORT
    assigned_to = None
    team = factory.LazyAttribute(lambda lead: lead.assigned_to.team if lead.assigned_to else None)
    score = 50


# --- lead capture -----------------------------------------------------------------------


def csv_upload(text: str, *, name: str = "list.csv", encoding: str = "utf-8"):
    """An uploaded CSV file as a browser sends it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def web_form_campaign(**kwargs) -> Campaign:
    """A campaign whose public web form is open."""
    return LeadCampaignFactory(channel=Campaign.Channel.WEB_FORM, web_form_enabled=True, **kwargs)
