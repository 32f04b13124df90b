"""The marketing records in the Django admin: campaigns with their figures, read-only send records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketing.models import EmailOptOut, MailingRecipient
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.marketing.factories import CampaignFactory, MailingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


def test_the_campaign_list_shows_channel_budget_and_cost(admin_client):
    CampaignFactory(name="Feria del Café")
    page = text(admin_client.get(reverse("admin:marketing_campaign_changelist")))
    assert "Feria del Café" in page
    assert "Channel" in page
    assert "Actual cost" in page


def test_the_campaign_page_shows_the_web_form_token_read_only(admin_client):
    campaign = CampaignFactory()
    page = text(admin_client.get(reverse("admin:marketing_campaign_change", args=[campaign.pk])))
    assert campaign.web_form_token in page
    assert 'name="web_form_token"' not in page


def test_opt_outs_are_searched_by_customer(admin_client):
    EmailOptOut.objects.create(customer=CustomerFactory(legal_name="Tostadora Nariño"), source="unsubscribe")
    response = admin_client.get(reverse("admin:marketing_emailoptout_changelist"), {"q": "nariño"})
    assert "Tostadora Nariño" in text(response)


def test_recipients_are_a_record_of_the_send_and_cannot_be_added(admin_client):
    recipient = MailingRecipient.objects.create(
        mailing=MailingFactory(), customer=CustomerFactory(), email="a@example.com"
    )
    assert admin_client.get(reverse("admin:marketing_mailingrecipient_add")).status_code == 403
    response = admin_client.get(reverse("admin:marketing_mailingrecipient_change", args=[recipient.pk]))
    assert response.status_code == 200
    assert 'name="email"' not in text(response)
