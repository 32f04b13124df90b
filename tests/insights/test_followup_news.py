"""Quarterly news: one draft mailing per economic activity and quarter, each reader added once."""

from __future__ import annotations

from datetime import date

import pytest

from contacts.models import EconomicActivity
from crm.accounts.models import Notification
from crm.insights.followup.models import FollowUp
from marketing.mailing import queue_mailing
from marketing.models import Campaign, CampaignMember, EmailOptOut, Mailing, MailingRecipient
from tests.factories import CustomerFactory
from tests.insights.followup_data import only, run

d = date


@pytest.fixture
def activities(db):
    return {
        "software": EconomicActivity.objects.create(code="6201", name="Desarrollo de software"),
        "retail": EconomicActivity.objects.create(code="4711", name="Comercio al por menor"),
    }


@pytest.fixture
def readers(activities, rep):
    software, retail = activities["software"], activities["retail"]
    opted_out = CustomerFactory(economic_activity=software, email="no@example.com", legal_name="Opted")
    EmailOptOut.objects.create(customer=opted_out)
    return {
        "andina": CustomerFactory(economic_activity=software, email="andina@example.com", owner=rep),
        "no_email": CustomerFactory(economic_activity=software, email=""),
        "opted_out": opted_out,
        "tienda": CustomerFactory(economic_activity=retail, email="tienda@example.com"),
        "no_activity": CustomerFactory(email="suelto@example.com"),
    }


def members(mailing: Mailing) -> set[int]:
    return set(
        CampaignMember.objects.filter(campaign=mailing.campaign_id).values_list("customer_id", flat=True)
    )


def mailing_for(activity: EconomicActivity, after: int = 0) -> Mailing:
    return Mailing.objects.filter(campaign__name__contains=activity.name).order_by("pk")[after]


def test_each_activity_gets_one_draft_mailing_a_quarter_with_its_readers(activities, readers):
    only("news_by_activity")

    run(d(2026, 4, 2))
    run(d(2026, 4, 2))
    run(d(2026, 6, 30))

    assert Mailing.objects.count() == 2
    software, retail = mailing_for(activities["software"]), mailing_for(activities["retail"])
    assert software.status == Mailing.Status.DRAFT
    assert software.name == "Quarterly news by economic activity · Desarrollo de software · 2026 Q2"
    assert software.subject == "What is new for your sector"
    assert "{{ contact_name }}" in software.body
    assert software.campaign.channel == Campaign.Channel.EMAIL
    assert (software.campaign.start_date, software.campaign.end_date) == (d(2026, 4, 1), d(2026, 6, 30))
    assert members(software) == {readers["andina"].pk}
    assert members(retail) == {readers["tienda"].pk}
    assert set(FollowUp.objects.values_list("customer_id", "mailing_id")) == {
        (readers["andina"].pk, software.pk),
        (readers["tienda"].pk, retail.pk),
    }


def test_a_reader_who_joins_during_the_quarter_is_added_to_the_same_draft(activities, readers):
    only("news_by_activity")
    run(d(2026, 4, 2))
    late = CustomerFactory(economic_activity=activities["software"], email="nuevo@example.com")

    run(d(2026, 5, 15))

    assert Mailing.objects.count() == 2
    assert members(mailing_for(activities["software"])) == {readers["andina"].pk, late.pk}


def test_the_next_quarter_brings_new_drafts_with_the_same_readers(activities, readers):
    only("news_by_activity")
    run(d(2026, 4, 2))

    run(d(2026, 7, 1))
    run(d(2026, 7, 2))

    assert Mailing.objects.count() == 4
    next_quarter = mailing_for(activities["software"], after=1)
    assert next_quarter.name.endswith("2026 Q3")
    assert members(next_quarter) == {readers["andina"].pk}


def test_a_sent_mailing_takes_no_late_readers_and_is_not_made_again(activities, readers):
    only("news_by_activity")
    run(d(2026, 4, 2))
    Mailing.objects.update(status=Mailing.Status.SENT)
    late = CustomerFactory(economic_activity=activities["software"], email="tarde@example.com")

    run(d(2026, 5, 15))

    assert Mailing.objects.count() == 2
    assert late.pk not in members(mailing_for(activities["software"]))


def test_marketing_hears_of_new_drafts_once(activities, readers, marketer):
    only("news_by_activity")

    run(d(2026, 4, 2))
    run(d(2026, 4, 3))

    [notice] = Notification.objects.filter(recipient=marketer)
    assert notice.message == "Quarterly news by economic activity: 2 new draft mailings to review and send."


def test_marketing_queues_the_draft_for_its_readers(activities, readers, marketer):
    only("news_by_activity")
    run(d(2026, 4, 2))
    software = mailing_for(activities["software"])
    # Added by hand: an opted-out member is skipped when the mailing goes out.
    CampaignMember.objects.create(campaign=software.campaign, customer=readers["opted_out"])

    queued = queue_mailing(mailing=software, by=marketer)

    assert queued == 1
    recipients = MailingRecipient.objects.filter(mailing=software).values_list("email", "status")
    assert sorted(recipients) == [
        ("andina@example.com", MailingRecipient.Status.QUEUED),
        ("no@example.com", MailingRecipient.Status.SKIPPED),
    ]
