"""Mailing pages: who may open them, bad input, the progress partial, unsubscribe pages, queries."""

from __future__ import annotations

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing import mailing as services
from marketing.models import Mailing, MailingRecipient
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.marketing.factories import CampaignFactory, CampaignMemberFactory, MailingFactory, SegmentFactory

ALLOWED = ["marketer", "manager", "admin_user"]
REFUSED = ["rep", "telemarketer", "accountant", "service_agent", "no_role"]


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Feria Andina")


@pytest.fixture
def mailing(campaign, marketer):
    return MailingFactory(campaign=campaign, created_by=marketer, name="Boletín de junio")


def form_data(**changes) -> dict:
    return {"name": "Boletín", "subject": "Hola {{ name }}", "body": "Querido {{ contact_name }}", **changes}


def page_urls(mailing) -> list[tuple[str, str]]:
    return [
        ("get", reverse("marketing:mailing_create")),
        ("get", reverse("marketing:mailing_detail", args=[mailing.pk])),
        ("get", reverse("marketing:mailing_update", args=[mailing.pk])),
        ("get", reverse("marketing:mailing_progress", args=[mailing.pk])),
        ("post", reverse("marketing:mailing_test", args=[mailing.pk])),
        ("post", reverse("marketing:mailing_send", args=[mailing.pk])),
    ]


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_marketing_managers_and_admins_open_the_pages(client, persona, mailing):
    client.force_login(persona)
    for method, url in page_urls(mailing)[:4]:
        assert getattr(client, method)(url).status_code == 200, url


@pytest.mark.parametrize("persona", REFUSED, indirect=True)
def test_other_roles_get_403(client, persona, mailing):
    client.force_login(persona)
    for method, url in page_urls(mailing):
        assert getattr(client, method)(url).status_code == 403, url
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.DRAFT


def test_anonymous_is_sent_to_log_in(client, mailing):
    response = client.get(reverse("marketing:mailing_detail", args=[mailing.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_actions_need_post(client, marketer, mailing):
    client.force_login(marketer)
    assert client.get(reverse("marketing:mailing_send", args=[mailing.pk])).status_code == 405
    assert client.get(reverse("marketing:mailing_test", args=[mailing.pk])).status_code == 405


def test_unknown_mailing_is_404(client, marketer):
    client.force_login(marketer)
    assert client.get(reverse("marketing:mailing_detail", args=[999999])).status_code == 404


def test_create_for_a_campaign_starts_from_it(client, marketer, campaign):
    client.force_login(marketer)
    page = client.get(reverse("marketing:mailing_create"), {"campaign": campaign.pk})
    assert f'<option value="{campaign.pk}" selected>' in page.content.decode()

    response = client.post(reverse("marketing:mailing_create"), form_data(campaign=campaign.pk))

    mailing = Mailing.objects.get()
    assert response["Location"] == mailing.get_absolute_url()
    assert (mailing.campaign, mailing.created_by, mailing.status) == (
        campaign,
        marketer,
        Mailing.Status.DRAFT,
    )


def test_create_for_a_segment(client, marketer):
    segment = SegmentFactory(name="Medellín")
    client.force_login(marketer)
    client.post(reverse("marketing:mailing_create"), form_data(segment=segment.pk))
    assert Mailing.objects.get().segment == segment


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"body": "Hola {{ nombre }}"},
            "Unknown merge field(s): nombre. Allowed: {{ name }}, {{ legal_name }}",
        ),
        ({"subject": "Hola {{ tax_id }}"}, "Unknown merge field(s): tax_id."),
        ({"body": "{% load static %}Hola"}, "Template tags ({% … %}) are not allowed"),
        ({"body": "Hola {{ name }"}, "A merge field is not closed or not well written."),
        ({"subject": "  "}, "This field is required."),
        ({"campaign": ""}, "Choose the campaign or the segment to send to."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, marketer, campaign, changes, message):
    client.force_login(marketer)
    data = form_data(**{"campaign": campaign.pk, **changes})

    response = client.post(reverse("marketing:mailing_create"), data)

    assert response.status_code == 200
    assert message in text(response)
    assert not Mailing.objects.exists()


def test_both_campaign_and_segment_is_refused(client, marketer, campaign):
    client.force_login(marketer)
    data = form_data(campaign=campaign.pk, segment=SegmentFactory().pk)
    response = client.post(reverse("marketing:mailing_create"), data)
    assert "not both" in text(response)


def test_edit_a_draft(client, marketer, mailing):
    client.force_login(marketer)
    client.post(
        reverse("marketing:mailing_update", args=[mailing.pk]),
        form_data(campaign=mailing.campaign_id, subject="Nuevo asunto {{ city }}"),
    )
    mailing.refresh_from_db()
    assert mailing.subject == "Nuevo asunto {{ city }}"


def test_a_sent_mailing_cannot_be_edited(client, marketer, mailing):
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENT)
    client.force_login(marketer)

    response = client.post(
        reverse("marketing:mailing_update", args=[mailing.pk]), form_data(campaign=mailing.campaign_id)
    )

    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.name == "Boletín de junio"


def test_sending_with_nobody_to_send_to_says_so(client, marketer, mailing):
    client.force_login(marketer)
    response = client.post(reverse("marketing:mailing_send", args=[mailing.pk]), follow=True)
    assert "The mailing has nobody to send to." in text(response)
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.DRAFT


def test_test_send_without_an_email_on_the_user_says_so(client, marketer, mailing):
    marketer.email = ""
    marketer.save()
    client.force_login(marketer)
    response = client.post(reverse("marketing:mailing_test", args=[mailing.pk]), follow=True)
    assert "Your user has no email address" in text(response)


def test_an_invalid_segment_filter_is_refused_rather_than_widened(client, marketer):
    segment = SegmentFactory(filters={"owner": "999999"})
    CustomerFactory(email="a@example.com")
    mailing = MailingFactory(campaign=None, segment=segment, created_by=marketer)
    client.force_login(marketer)

    response = client.post(reverse("marketing:mailing_send", args=[mailing.pk]), follow=True)

    assert "The segment's filters are no longer valid; fix the segment first." in text(response)
    assert not MailingRecipient.objects.exists()


def test_a_segment_mailing_goes_to_the_segments_customers(marketer):
    CustomerFactory(city="Cali", email="cali@example.com")
    CustomerFactory(city="Pasto", email="pasto@example.com")
    mailing = MailingFactory(campaign=None, segment=SegmentFactory(filters={"city": "Cali"}))

    services.queue_mailing(mailing=mailing, by=marketer)

    assert list(MailingRecipient.objects.values_list("email", flat=True)) == ["cali@example.com"]


def sending_mailing(campaign, marketer, count: int) -> Mailing:
    mailing = MailingFactory(campaign=campaign, created_by=marketer)
    for number in range(count):
        CampaignMemberFactory(campaign=campaign, customer=CustomerFactory(email=f"c{number}@example.com"))
    services.queue_mailing(mailing=mailing, by=marketer)
    return mailing


def test_progress_partial_polls_while_sending_and_stops_when_sent(client, marketer, campaign):
    mailing = sending_mailing(campaign, marketer, 4)
    MailingRecipient.objects.filter(pk=MailingRecipient.objects.first().pk).update(status="sent")
    client.force_login(marketer)
    url = reverse("marketing:mailing_progress", args=[mailing.pk])

    partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert 'value="25"' in body  # one of four sent
    assert "<nav" not in body
    assert "HX-Request" in partial["Vary"]

    MailingRecipient.objects.update(status="sent")
    services.finish_if_done(mailing_id=mailing.pk)
    assert "every 2s" not in client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_detail_costs_the_same_queries_for_more_recipients(client, marketer, campaign):
    client.force_login(marketer)
    small = sending_mailing(campaign, marketer, 3)
    url = reverse("marketing:mailing_detail", args=[small.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    large = sending_mailing(CampaignFactory(), marketer, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("marketing:mailing_detail", args=[large.pk]))
    assert response.status_code == 200
    assert len(many) == len(few)
    assert text(response).count("@example.com") >= 30


def test_detail_filters_recipients_by_status(client, marketer, campaign):
    mailing = sending_mailing(campaign, marketer, 3)
    MailingRecipient.objects.filter(email="c1@example.com").update(status="failed", error="550 no such user")
    client.force_login(marketer)

    response = client.get(reverse("marketing:mailing_detail", args=[mailing.pk]), {"status": "failed"})

    assert "550 no such user" in text(response)
    assert "c0@example.com" not in text(response)


# Tokens are made when the test runs (signed tokens carry a timestamp), so test ids stay stable.
BAD_TOKENS = {
    "nonsense": lambda: "nonsense",
    "other-salt": lambda: signing.dumps([1, 1], salt="another-purpose"),
    "strings": lambda: signing.dumps(["1", "x"], salt=services.UNSUBSCRIBE_SALT),
    "dict": lambda: signing.dumps({"c": 1}, salt=services.UNSUBSCRIBE_SALT),
    "tampered": lambda: signing.dumps([1, 2], salt=services.UNSUBSCRIBE_SALT)[:-2] + "xx",
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_tampered_unsubscribe_link_gets_a_friendly_400(client, kind, method):
    token = BAD_TOKENS[kind]()
    response = getattr(client, method)(reverse("marketing:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in text(response)


def test_a_link_for_a_deleted_customer_gets_a_friendly_400(client, db):
    token = services.unsubscribe_token(999999, 1)
    response = client.post(reverse("marketing:unsubscribe", args=[token]))
    assert response.status_code == 400


def test_the_pages_render_in_spanish(client, marketer, campaign):
    mailing = sending_mailing(campaign, marketer, 2)
    token = services.unsubscribe_token(MailingRecipient.objects.first().customer_id, mailing.pk)
    urls = [
        reverse("marketing:mailing_create"),
        reverse("marketing:mailing_detail", args=[mailing.pk]),
        reverse("marketing:unsubscribe", args=[token]),
    ]
    client.force_login(marketer)
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        assert '<html lang="es"' in response.content.decode()
