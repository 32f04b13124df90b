"""Admins edit and switch off the follow-up rules; what they type is checked before it is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.insights.followup.models import FollowUp, FollowUpMailing, FollowUpRule, FollowUpRun
from tests.helpers import text


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def change_url(rule: FollowUpRule) -> str:
    return reverse("admin:insights_followuprule_change", args=[rule.pk])


def form_data(rule: FollowUpRule, **changes) -> dict:
    data = {
        "name": rule.name,
        "is_active": "on" if rule.is_active else "",
        "interval_months": rule.interval_months,
        "stop_after_months": rule.stop_after_months,
        "days": rule.days,
        "task_title": rule.task_title,
        "due_in_days": rule.due_in_days,
        "alert_owner": "on" if rule.alert_owner else "",
        "mailing_subject": rule.mailing_subject,
        "mailing_body": rule.mailing_body,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


@pytest.mark.parametrize("model", [FollowUpRule, FollowUpRun, FollowUp, FollowUpMailing])
def test_list_and_search_pages_render(admin_client, model):
    url = reverse(f"admin:insights_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "andina"}).status_code == 200


def test_the_rules_list_shows_every_seeded_rule(admin_client):
    page = text(admin_client.get(reverse("admin:insights_followuprule_changelist")))
    for name in ["Review after a sale", "Licence renewal", "No activity", "Value segment dropped"]:
        assert name in page


def test_an_admin_changes_a_rule_s_parameters_and_switches_it_off(admin_client):
    rule = FollowUpRule.objects.get(kind="inactivity")

    response = admin_client.post(
        change_url(rule), form_data(rule, days=60, is_active="", task_title="Sin contacto en {days} días")
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.days, rule.is_active, rule.task_title) == (60, False, "Sin contacto en {days} días")


def test_the_kind_cannot_change_once_the_rule_exists(admin_client):
    rule = FollowUpRule.objects.get(kind="inactivity")

    admin_client.post(change_url(rule), {**form_data(rule), "kind": "after_sale"})

    rule.refresh_from_db()
    assert rule.kind == "inactivity"


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("inactivity", {"task_title": "Llamar en {dias} días"}, "Unknown placeholder: {dias}."),
        ("inactivity", {"task_title": "Llamar {days"}, "A brace is not closed."),
        ("inactivity", {"task_title": ""}, "Write the title of the task the rule creates."),
        ("licence_renewal", {"days": "0"}, "Ensure this value is greater than or equal to 1."),
        ("inactivity", {"days": "abc"}, "Enter a whole number."),
        (
            "after_sale",
            {"interval_months": "6", "stop_after_months": "3"},
            "Stop after at least one interval",
        ),
        ("news_by_activity", {"interval_months": "5"}, "choose 1, 2, 3, 4, 6 or 12 months"),
        ("news_by_activity", {"mailing_subject": ""}, "The draft mailing needs a subject and a text."),
        ("news_by_activity", {"mailing_body": "Hola {{ nombre }}"}, "Unknown merge field(s): nombre."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(admin_client, kind, changes, message):
    rule = FollowUpRule.objects.get(kind=kind)
    before = FollowUpRule.objects.values().get(pk=rule.pk)

    response = admin_client.post(change_url(rule), form_data(rule, **changes))

    assert response.status_code == 200
    assert message in text(response)
    assert FollowUpRule.objects.values().get(pk=rule.pk) == before


def test_an_admin_adds_a_second_licence_rule(admin_client):
    data = {
        "name": "Última semana",
        "kind": "licence_renewal",
        "is_active": "on",
        "interval_months": 3,
        "stop_after_months": 12,
        "days": 7,
        "task_title": "Última semana para renovar {product} ({expires_on})",
        "due_in_days": 2,
    }

    response = admin_client.post(reverse("admin:insights_followuprule_add"), data)

    assert response.status_code == 302
    assert FollowUpRule.objects.get(name="Última semana").days == 7


def test_a_rule_that_fired_cannot_be_deleted_only_switched_off(admin_client, customer):
    rule = FollowUpRule.objects.get(kind="inactivity")
    FollowUp.objects.create(rule=rule, customer=customer, period_key="2026-01-01+90d", fired_on="2026-04-01")

    response = admin_client.post(
        reverse("admin:insights_followuprule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert FollowUpRule.objects.filter(pk=rule.pk).exists()


def test_a_sales_rep_cannot_edit_the_rules(client, rep):
    client.force_login(rep)

    response = client.get(reverse("admin:insights_followuprule_changelist"))

    assert response.status_code == 302
