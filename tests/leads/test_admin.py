"""Every leads model is in the Django admin, and its list, search and add pages work."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from leads.models import LeadImport
from tests.leads.factories import LeadCampaignFactory, LeadFactory


def test_every_leads_model_is_registered_with_useful_columns():
    for model in apps.get_app_config("leads").get_models():
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, f"{model.__name__} is missing from the admin"
        assert model_admin.list_display != ("__str__",)
        assert model_admin.search_fields and model_admin.list_filter


@pytest.mark.parametrize("model", list(apps.get_app_config("leads").get_models()), ids=lambda m: m.__name__)
def test_changelist_search_and_add_pages_render(client, django_user_model, model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")
    campaign = LeadCampaignFactory()
    LeadFactory(campaign=campaign)
    LeadImport.objects.create(
        campaign=campaign, uploaded_by=superuser, file="lead_imports/x.csv", file_name="x.csv"
    )
    client.force_login(superuser)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "andina"}).status_code == 200
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
