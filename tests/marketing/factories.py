"""Factories for the marketing department's records."""

from __future__ import annotations

import factory

from marketing.models import Campaign, CampaignMember, Mailing, Segment
from tests.factories import CustomerFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaña {n}")
    channel = Campaign.Channel.EMAIL
    status = Campaign.Status.ACTIVE


class CampaignMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignMember

    campaign = factory.SubFactory(CampaignFactory)
    customer = factory.SubFactory(CustomerFactory)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segmento {n}")
    filters = factory.LazyFunction(dict)


class MailingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailing

    name = factory.Sequence(lambda n: f"Boletín {n}")
    campaign = factory.SubFactory(CampaignFactory)
    subject = "Novedades para {{ name }}"
    body = "Hola {{ contact_name }},\n\nLe escribimos desde {{ city }}.\n\n{{ owner_name }}"
