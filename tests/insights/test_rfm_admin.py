"""RFM settings and segment rules are edited in the admin; bad weights and ranges are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot, SegmentRule
from crm.insights.rfm.scoring import score_customers
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.insights.rfm_data import AS_OF, order


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def settings_form(**changes) -> dict:
    data = {
        "recency_weight": "30",
        "frequency_weight": "10",
        "monetary_weight": "60",
        "window_months": "0",
        "keep_snapshots": "30",
    }
    return {**data, **changes}


def change_settings(admin_client, **changes):
    url = reverse("admin:insights_rfmsettings_change", args=[RfmSettings.load().pk])
    return admin_client.post(url, settings_form(**changes))


def test_the_defaults_are_30_10_60_and_all_history(db):
    config = RfmSettings.load()

    assert (config.recency_weight, config.frequency_weight, config.monetary_weight) == (30, 10, 60)
    assert config.window_months == 0


def test_weights_that_add_up_to_100_are_saved(admin_client):
    response = change_settings(
        admin_client, recency_weight="33.3333", frequency_weight="33.3333", monetary_weight="33.3334"
    )

    assert response.status_code == 302
    assert RfmSettings.load().monetary_weight == Decimal("33.3334")


def test_weights_that_do_not_add_up_to_100_are_refused(admin_client):
    response = change_settings(admin_client, recency_weight="40")

    assert response.status_code == 200
    assert "The three weights must add up to 100 % (they add up to 110 %)." in text(response)
    assert RfmSettings.load().recency_weight == 30


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recency_weight", "-10", "greater than or equal to 0"),
        ("monetary_weight", "abc", "Enter a number"),
        ("frequency_weight", "", "This field is required"),
        ("keep_snapshots", "1", "greater than or equal to 2"),
        ("window_months", "-3", "greater than or equal to 0"),
    ],
)
def test_bad_settings_get_a_message_and_change_nothing(admin_client, field, value, message):
    response = change_settings(admin_client, **{field: value})

    assert response.status_code == 200
    assert message in text(response)
    config = RfmSettings.load()
    assert (config.recency_weight, config.frequency_weight, config.monetary_weight) == (30, 10, 60)


def test_a_negative_weight_is_refused_even_when_the_sum_is_100(admin_client):
    response = change_settings(
        admin_client, recency_weight="-10", frequency_weight="50", monetary_weight="60"
    )

    assert response.status_code == 200
    assert RfmSettings.load().recency_weight == 30


def test_the_settings_cannot_be_added_twice_or_deleted(admin_client):
    RfmSettings.load()

    assert admin_client.get(reverse("admin:insights_rfmsettings_add")).status_code == 403
    url = reverse("admin:insights_rfmsettings_delete", args=[1])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403


def test_the_segment_rules_are_seeded_and_cover_every_r_and_f(db):
    from crm.insights.rfm.rules import segment_map

    mapping = segment_map(SegmentRule.objects.all())

    assert "" not in mapping.values()
    assert set(mapping.values()) == {
        "champions",
        "loyal",
        "potential",
        "new",
        "need_attention",
        "at_risk",
        "cant_lose",
        "hibernating",
        "lost",
    }
    assert mapping[5, 5] == "champions"
    assert mapping[1, 5] == "cant_lose"
    assert mapping[1, 1] == "lost"


def test_a_segment_rule_with_a_backwards_range_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:insights_segmentrule_add"),
        {
            "slug": "odd",
            "label": "Odd",
            "r_min": "4",
            "r_max": "2",
            "f_min": "1",
            "f_max": "6",
            "priority": "5",
        },
    )

    assert response.status_code == 200
    page = text(response)
    assert "R to must not be below R from." in page
    assert "less than or equal to 5" in page
    assert not SegmentRule.objects.filter(slug="odd").exists()


def test_a_rule_added_in_the_admin_applies_from_the_next_run(admin_client):
    customer = CustomerFactory()
    order(customer, AS_OF, "10.00")
    before = score_customers(as_of=AS_OF)
    response = admin_client.post(
        reverse("admin:insights_segmentrule_add"),
        {
            "slug": "first_timers",
            "label": "First-timers",
            "description": "",
            "r_min": "1",
            "r_max": "5",
            "f_min": "1",
            "f_max": "1",
            "priority": "1",
        },
    )
    assert response.status_code == 302

    after = score_customers(as_of=AS_OF)

    # One customer scored: rank 1 of 1, so R = F = M = 1.
    assert RfmScore.objects.get(snapshot=before).segment == "lost"
    assert RfmScore.objects.get(snapshot=after).segment == "first_timers"
    assert SegmentRule.objects.choices()[0] == ("first_timers", "First-timers")


def test_snapshots_and_scores_are_read_only_in_the_admin(admin_client):
    customer = CustomerFactory()
    order(customer, AS_OF, "10.00")
    snapshot = score_customers(as_of=AS_OF)
    score = RfmScore.objects.get(snapshot=snapshot)

    assert admin_client.get(reverse("admin:insights_rfmsnapshot_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:insights_rfmscore_changelist"), {"q": "x"}).status_code == 200
    assert admin_client.get(reverse("admin:insights_rfmsnapshot_add")).status_code == 403
    change = reverse("admin:insights_rfmscore_change", args=[score.pk])
    assert admin_client.post(change, {"segment": "champions"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:insights_rfmsnapshot_delete", args=[snapshot.pk])).status_code == 403
    )
    assert RfmSnapshot.objects.filter(pk=snapshot.pk).exists()
