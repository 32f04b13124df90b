"""Segments: saved customer filters whose members are computed when used, and added to campaigns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Customer, EconomicActivity, RelationshipType, Tag
from crm.accounts.roles import roles_of
from marketing.models import CampaignMember, EmailOptOut, Segment
from marketing.segments import segment_customers, segment_members
from marketing.services import add_segment_to_campaign
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.marketing.factories import CampaignFactory, CampaignMemberFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(rep, other_team_rep):
    """Customers of two teams, with and without email, one opted out."""
    activity = EconomicActivity.objects.create(code="4711", name="Comercio al por menor")
    relation = RelationshipType.objects.order_by("pk").first()
    people = {
        "andina": CustomerFactory(
            owner=rep,
            legal_name="Andina",
            email="compras@andina.co",
            lifecycle_stage=Customer.Stage.RETENTION,
            economic_activity=activity,
        ),
        "boyaca": CustomerFactory(
            owner=other_team_rep,
            legal_name="Boyacá",
            email="info@boyaca.co",
            lifecycle_stage=Customer.Stage.RETENTION,
            economic_activity=activity,
        ),
        "caribe": CustomerFactory(
            owner=rep,
            legal_name="Caribe",
            email="",
            lifecycle_stage=Customer.Stage.RETENTION,
            economic_activity=activity,
        ),
        "delta": CustomerFactory(
            owner=rep,
            legal_name="Delta",
            email="hola@delta.co",
            lifecycle_stage=Customer.Stage.RETENTION,
            economic_activity=activity,
        ),
        "eje": CustomerFactory(
            owner=rep, legal_name="Eje", email="eje@eje.co", lifecycle_stage=Customer.Stage.INTEREST
        ),
    }
    EmailOptOut.objects.create(customer=people["delta"])
    people["andina"].relationship_types.add(relation)
    people["boyaca"].relationship_types.add(relation)
    return {"activity": activity, "relation": relation, **people}


def _names(customers) -> set[str]:
    return {customer.legal_name for customer in customers}


def test_members_follow_the_customer_list_filters(base, marketer):
    segment = SegmentFactory(
        filters={"lifecycle_stage": "retention", "economic_activity": str(base["activity"].pk)}
    )
    assert _names(segment_members(segment, user=marketer)) == {"Andina", "Boyacá", "Caribe", "Delta"}
    segment.filters = {"relationship": str(base["relation"].pk)}
    assert _names(segment_members(segment, user=marketer)) == {"Andina", "Boyacá"}


def test_has_email_and_not_opted_out_narrow_the_members(base, marketer):
    segment = SegmentFactory(filters={"lifecycle_stage": "retention", "has_email": "1"})
    assert _names(segment_members(segment, user=marketer)) == {"Andina", "Boyacá", "Delta"}
    segment.filters["not_opted_out"] = "1"
    assert _names(segment_members(segment, user=marketer)) == {"Andina", "Boyacá"}


def test_members_are_what_the_user_may_see(base, rep, marketer):
    segment = SegmentFactory(filters={"lifecycle_stage": "retention"})
    assert "Boyacá" in _names(segment_members(segment, user=marketer))
    assert "Boyacá" not in _names(segment_members(segment, user=rep))


def test_members_are_computed_each_time(base, marketer):
    segment = SegmentFactory(filters={"lifecycle_stage": "retention"})
    assert len(segment_members(segment, user=marketer)) == 4
    CustomerFactory(lifecycle_stage=Customer.Stage.RETENTION)
    assert len(segment_members(segment, user=marketer)) == 5


def test_a_stale_filter_never_widens_the_audience(base, marketer):
    tag = Tag.objects.create(name="vip")
    segment = SegmentFactory(filters={"tag": str(tag.pk)})
    tag.delete()
    assert list(segment_customers(segment, marketer)) == []


def test_the_form_is_filled_from_the_customer_list_query_string(client, marketer, base):
    client.force_login(marketer)
    query = f"lifecycle_stage=retention&economic_activity={base['activity'].pk}&city=Bogot%C3%A1&page=3"
    response = client.get(reverse("marketing:segment_create") + "?" + query)
    form = response.context["form"]
    assert form["lifecycle_stage"].value() == "retention"
    assert str(form["economic_activity"].value()) == str(base["activity"].pk)
    assert form["city"].value() == "Bogotá"
    assert "page" not in form.fields


def test_a_segment_is_saved_and_shows_its_members(client, marketer, base):
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:segment_create"),
        {
            "name": "Retención con correo",
            "description": "",
            "lifecycle_stage": "retention",
            "economic_activity": str(base["activity"].pk),
            "has_email": "on",
            "not_opted_out": "on",
        },
    )
    segment = Segment.objects.get(name="Retención con correo")
    assert response.status_code == 302
    assert segment.owner == marketer
    assert segment.filters == {
        "lifecycle_stage": "retention",
        "economic_activity": str(base["activity"].pk),
        "has_email": "1",
        "not_opted_out": "1",
    }
    response = client.get(reverse("marketing:segment_detail", args=[segment.pk]))
    page = text(response)
    assert response.context["page_obj"].paginator.count == 2
    assert "Andina" in page
    assert "Delta" not in page


def test_editing_keeps_the_stored_filters(client, marketer, base):
    segment = SegmentFactory(name="Old", filters={"lifecycle_stage": "interest"})
    client.force_login(marketer)
    response = client.get(reverse("marketing:segment_update", args=[segment.pk]))
    assert response.context["form"]["lifecycle_stage"].value() == "interest"
    client.post(
        reverse("marketing:segment_update", args=[segment.pk]),
        {"name": "New", "lifecycle_stage": "retention"},
    )
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("New", {"lifecycle_stage": "retention"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "lifecycle_stage": "retention"}, "name"),
        ({"name": "X", "lifecycle_stage": "someday"}, "lifecycle_stage"),
        ({"name": "X", "economic_activity": "999999"}, "economic_activity"),
    ],
)
def test_bad_segment_input_gets_a_message(client, marketer, data, field):
    client.force_login(marketer)
    response = client.post(reverse("marketing:segment_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Segment.objects.exists()


def test_adding_a_segment_to_a_campaign_is_idempotent(client, marketer, base):
    campaign = CampaignFactory()
    CampaignMemberFactory(campaign=campaign, customer=base["andina"])
    segment = SegmentFactory(filters={"lifecycle_stage": "retention", "not_opted_out": "1"})
    client.force_login(marketer)
    url = reverse("marketing:campaign_add_segment", args=[campaign.pk])
    response = client.post(url, {"segment": segment.pk}, follow=True)
    assert _names(Customer.objects.filter(campaign_memberships__campaign=campaign)) == {
        "Andina",
        "Boyacá",
        "Caribe",
    }
    assert "2 customers of" in text(response)
    response = client.post(url, {"segment": segment.pk}, follow=True)
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3
    assert "already in" in text(response)


def test_adding_runs_a_fixed_number_of_queries(marketer):
    roles_of(marketer)  # read once per request in real use
    campaign = CampaignFactory()
    segment = SegmentFactory(filters={"lifecycle_stage": "retention"})
    CustomerFactory.create_batch(3, lifecycle_stage=Customer.Stage.RETENTION)
    with CaptureQueriesContext(connection) as few:
        assert add_segment_to_campaign(campaign=campaign, segment=segment, by=marketer) == 3
    CustomerFactory.create_batch(20, lifecycle_stage=Customer.Stage.RETENTION)
    with CaptureQueriesContext(connection) as many:
        assert add_segment_to_campaign(campaign=campaign, segment=segment, by=marketer) == 20
    assert len(many) == len(few)


def test_the_segment_page_adds_to_a_chosen_campaign(client, marketer, base):
    campaign = CampaignFactory()
    segment = SegmentFactory(filters={"has_email": "1"})
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:segment_add_to_campaign", args=[segment.pk]), {"campaign": campaign.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert CampaignMember.objects.filter(campaign=campaign).count() == 4


def test_adding_with_a_bad_choice_is_a_message_not_an_error(client, marketer):
    campaign = CampaignFactory()
    segment = SegmentFactory()
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:campaign_add_segment", args=[campaign.pk]), {"segment": "nope"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose one of the segments" in text(response)
    response = client.post(
        reverse("marketing:segment_add_to_campaign", args=[segment.pk]), {"campaign": "99999"}, follow=True
    )
    assert "Choose one of the campaigns" in text(response)
    assert not CampaignMember.objects.exists()


def test_a_stale_segment_is_refused_when_added(client, marketer):
    tag = Tag.objects.create(name="vip")
    CustomerFactory()
    segment = SegmentFactory(filters={"tag": str(tag.pk)})
    tag.delete()
    campaign = CampaignFactory()
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:campaign_add_segment", args=[campaign.pk]), {"segment": segment.pk}, follow=True
    )
    assert "no longer exists" in text(response)
    assert not CampaignMember.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "telemarketer", "accountant", "no_role"], indirect=True)
def test_segments_are_for_marketing_managers_and_admins(client, persona):
    segment = SegmentFactory()
    campaign = CampaignFactory(owner=persona, team=persona.team)
    client.force_login(persona)
    for url in (
        reverse("marketing:segment_list"),
        reverse("marketing:segment_create"),
        reverse("marketing:segment_detail", args=[segment.pk]),
        reverse("marketing:segment_update", args=[segment.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("marketing:campaign_add_segment", args=[campaign.pk]), {"segment": segment.pk}
        ).status_code
        == 403
    )


def test_adding_needs_post(client, marketer):
    campaign = CampaignFactory()
    client.force_login(marketer)
    assert client.get(reverse("marketing:campaign_add_segment", args=[campaign.pk])).status_code == 405


def test_the_segment_page_costs_the_same_queries_for_more_members(client, marketer):
    segment = SegmentFactory(filters={"lifecycle_stage": "retention"})
    client.force_login(marketer)
    url = reverse("marketing:segment_detail", args=[segment.pk])
    CustomerFactory.create_batch(2, lifecycle_stage=Customer.Stage.RETENTION, owner=marketer)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    CustomerFactory.create_batch(8, lifecycle_stage=Customer.Stage.RETENTION, owner=marketer)
    SegmentFactory.create_batch(3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.context["page_obj"].paginator.count == 10


def test_the_segment_pages_render_in_spanish(client, marketer, settings):
    settings.LANGUAGE_CODE = "es"
    segment = SegmentFactory(filters={"lifecycle_stage": "retention"})
    client.force_login(marketer)
    for url in (
        reverse("marketing:segment_list"),
        reverse("marketing:segment_create"),
        reverse("marketing:segment_detail", args=[segment.pk]),
        reverse("marketing:segment_update", args=[segment.pk]),
    ):
        response = client.get(url, headers={"Accept-Language": "es"})
        assert response.status_code == 200, url
        assert 'lang="es"' in text(response)


def test_customer_list_offers_to_save_its_filters_as_a_segment(client, marketer, rep):
    from django.urls import reverse

    client.force_login(marketer)
    content = client.get(reverse("contacts:customer_list"), {"city": "Cali"}).content.decode()
    assert f"{reverse('marketing:segment_create')}?city=Cali" in content
    client.force_login(rep)
    content = client.get(reverse("contacts:customer_list"), {"city": "Cali"}).content.decode()
    assert reverse("marketing:segment_create") not in content
