"""Every service model is in the admin, and its list, search, add and change pages work."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse

from service.models import Attachment, Holiday, SlaAlert, SlaPolicy
from tests.service.factories import CategoryFactory, ReplyFactory

pytestmark = pytest.mark.django_db

SERVICE_MODELS = list(apps.get_app_config("service").get_models())


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")


def test_every_service_model_is_registered():
    for model in SERVICE_MODELS:
        assert model in admin.site._registry, f"{model.__name__} is missing from the admin"


@pytest.mark.parametrize("model", SERVICE_MODELS, ids=lambda model: model.__name__)
def test_changelist_search_add_and_change_pages_render(client, superuser, model):
    reply = ReplyFactory(ticket__category=CategoryFactory(name="Soporte"))
    Attachment.objects.create(
        ticket=reply.ticket,
        file=ContentFile(b"log", name="error.log"),
        name="error.log",
        content_type="text/plain",
        size=3,
    )
    SlaAlert.objects.create(ticket=reply.ticket, target="resolution", stage="warning")
    SlaPolicy.objects.create(priority="urgent", first_response_hours=Decimal(1), resolution_hours=Decimal(8))
    Holiday.objects.create(date=date(2026, 12, 25), name="Navidad")
    client.force_login(superuser)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "sop"}).status_code == 200
    # Attachments come in through the ticket page, which checks size and type.
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if model is Attachment else 200)
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[model.objects.first().pk])
    assert client.get(change).status_code == 200


def test_an_attachment_in_the_admin_links_to_the_checked_download(client, superuser):
    ticket = ReplyFactory().ticket
    attachment = Attachment.objects.create(
        ticket=ticket,
        file=ContentFile(b"log", name="error.log"),
        name="error.log",
        content_type="text/plain",
        size=3,
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:service_attachment_change", args=[attachment.pk])).text
    assert reverse("service:attachment_download", args=[ticket.pk, attachment.pk]) in page
    assert 'type="file"' not in page
