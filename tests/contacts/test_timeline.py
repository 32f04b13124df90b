"""Logging activities and tasks from the customer page, with htmx and without."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Task
from crm.accounts.models import Notification
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory, TaskFactory, UserFactory
from tests.helpers import text

HTMX = {"HTTP_HX_REQUEST": "true"}


def activity_url(customer) -> str:
    return reverse("contacts:activity_create", args=[customer.pk])


def task_url(customer) -> str:
    return reverse("contacts:task_create", args=[customer.pk])


def done_url(task) -> str:
    return reverse("contacts:task_complete", args=[task.pk])


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def a_call(**changes) -> dict:
    data = {
        "kind": "call",
        "subject": "Llamada de seguimiento",
        "outcome": "Interesado",
        "duration_minutes": "12",
        "occurred_at": local(timezone.now() - timedelta(minutes=5)),
        "notes": "Pide cotización",
    }
    data.update(changes)
    return data


def a_task(who, **changes) -> dict:
    data = {"title": "Enviar cotización", "assignee": who.pk, "due_date": "2030-01-15", "notes": ""}
    data.update(changes)
    return data


# -- Activities ----------------------------------------------------------------------------------


def test_logging_a_call_with_htmx_returns_the_updated_timeline(rep_client, customer, rep):
    ActivityFactory(customer=customer, subject="Older visit", occurred_at=timezone.now() - timedelta(days=2))
    response = rep_client.post(activity_url(customer), a_call(), **HTMX)
    assert response.status_code == 200
    content = text(response)
    assert "<html" not in content
    assert content.index("Llamada de seguimiento") < content.index("Older visit")
    assert "12 minutes" in content
    assert response["HX-Trigger"] == "activity-logged"
    activity = Activity.objects.get(subject="Llamada de seguimiento")
    assert (activity.customer, activity.user, activity.kind) == (customer, rep, "call")


def test_logging_a_call_without_htmx_redirects_with_a_message(rep_client, customer):
    response = rep_client.post(activity_url(customer), a_call(), follow=True)
    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Activity logged." in text(response)
    assert "Llamada de seguimiento" in text(response)


def test_an_activity_may_name_one_of_the_customers_contacts(rep_client, customer):
    contact = ContactFactory(customer=customer, name="Marta Gil")
    rep_client.post(activity_url(customer), a_call(contact=contact.pk), **HTMX)
    assert Activity.objects.get().contact == contact


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": ""}, "This field is required."),
        ({"duration_minutes": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"duration_minutes": "media hora"}, "Enter a whole number."),
        (
            {"occurred_at": local(timezone.now() + timedelta(days=30))},
            "An activity that already happened cannot be in the future.",
        ),
        ({"occurred_at": "ayer"}, "Enter a valid date/time."),
        ({"kind": "telepathy"}, "Select a valid choice."),
    ],
)
def test_a_bad_activity_returns_the_form_with_its_error_into_its_slot(rep_client, customer, changes, message):
    response = rep_client.post(activity_url(customer), a_call(**changes), **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#activity-form"
    assert response["HX-Reswap"] == "innerHTML"
    content = text(response)
    assert message in content
    assert "<html" not in content
    assert 'value="Interesado"' in content  # what was valid is kept
    assert not Activity.objects.exists()


def test_a_bad_activity_without_htmx_shows_the_full_form_page(rep_client, customer):
    response = rep_client.post(activity_url(customer), a_call(subject=""))
    assert response.status_code == 200
    assert "<html" in text(response)
    assert "This field is required." in text(response)
    assert "HX-Retarget" not in response


def test_a_contact_of_another_customer_is_refused(rep_client, customer, rep):
    stranger = ContactFactory(customer=CustomerFactory(owner=rep))
    response = rep_client.post(activity_url(customer), a_call(contact=stranger.pk), **HTMX)
    assert "Select a valid choice." in text(response)
    assert not Activity.objects.exists()


def test_the_activity_form_loads_into_the_page_with_htmx(rep_client, customer):
    ContactFactory(customer=customer, name="Marta Gil")
    fragment = rep_client.get(activity_url(customer), **HTMX)
    assert "<html" not in text(fragment)
    assert 'id="activity-create-form"' in text(fragment)
    assert "Marta Gil" in text(fragment)
    page = rep_client.get(activity_url(customer))
    assert "<html" in text(page)
    assert 'id="activity-create-form"' in text(page)


# -- Tasks ---------------------------------------------------------------------------------------


def test_adding_a_task_with_htmx_returns_the_open_tasks(rep_client, customer, rep):
    TaskFactory(customer=customer, title="Existing task")
    response = rep_client.post(task_url(customer), a_task(rep), **HTMX)
    assert response.status_code == 200
    content = text(response)
    assert "<html" not in content
    assert "Enviar cotización" in content
    assert "Existing task" in content
    task = Task.objects.get(title="Enviar cotización")
    assert (task.customer, task.assignee, task.created_by) == (customer, rep, rep)
    assert not Notification.objects.exists()


def test_adding_a_task_without_htmx_redirects_with_a_message(rep_client, customer, rep):
    response = rep_client.post(task_url(customer), a_task(rep), follow=True)
    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Task added." in text(response)
    assert "Enviar cotización" in text(response)


def test_a_task_for_a_teammate_alerts_them(rep_client, customer, teammate):
    rep_client.post(task_url(customer), a_task(teammate), **HTMX)
    assert Notification.objects.get().recipient == teammate


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"due_date": "pronto"}, "Enter a valid date."),
        ({"due_date": ""}, "This field is required."),
        ({"assignee": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_task_returns_the_form_with_its_error_into_its_slot(
    rep_client, customer, rep, changes, message
):
    response = rep_client.post(task_url(customer), a_task(rep, notes="keep me", **changes), **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#task-form-slot"
    assert message in text(response)
    assert "keep me" in text(response)
    assert "<html" not in text(response)
    assert not Task.objects.exists()


def test_a_bad_task_without_htmx_shows_the_full_form_page(rep_client, customer, rep):
    response = rep_client.post(task_url(customer), a_task(rep, title=""))
    assert response.status_code == 200
    assert "<html" in text(response)
    assert "This field is required." in text(response)


def test_completing_a_task_with_htmx_removes_it_from_open_tasks(rep_client, customer):
    finished = TaskFactory(customer=customer, title="Finish me")
    TaskFactory(customer=customer, title="Still open")
    response = rep_client.post(done_url(finished), **HTMX)
    assert response.status_code == 200
    assert "Finish me" not in text(response)
    assert "Still open" in text(response)
    finished.refresh_from_db()
    assert finished.is_done


def test_completing_a_task_without_htmx_redirects_with_a_message(rep_client, customer):
    finished = TaskFactory(customer=customer, title="Finish me")
    response = rep_client.post(done_url(finished), follow=True)
    assert response.redirect_chain[-1][0] == customer.get_absolute_url()
    assert "Task done." in text(response)
    assert "Finish me" not in text(response).split("Open tasks")[1].split("Log an activity")[0]


def test_completing_a_task_twice_is_harmless(rep_client, customer):
    task = TaskFactory(customer=customer)
    rep_client.post(done_url(task), **HTMX)
    task.refresh_from_db()
    first = task.done_at
    assert rep_client.post(done_url(task), **HTMX).status_code == 200
    task.refresh_from_db()
    assert task.done_at == first


def test_completing_is_post_only(rep_client, customer):
    task = TaskFactory(customer=customer)
    assert rep_client.get(done_url(task)).status_code == 405
    task.refresh_from_db()
    assert not task.is_done


def test_someone_given_a_task_on_another_teams_customer_can_complete_it(client, other_team_rep, rep):
    theirs = CustomerFactory(owner=other_team_rep, legal_name="Ajena")
    mine = TaskFactory(customer=theirs, assignee=rep, title="Mine to do")
    TaskFactory(customer=theirs, assignee=other_team_rep, title="Not my business")
    client.force_login(rep)
    fragment = client.post(done_url(mine), **HTMX)
    assert fragment.status_code == 200
    assert "Not my business" not in text(fragment)
    mine.refresh_from_db()
    assert mine.is_done
    again = TaskFactory(customer=theirs, assignee=rep)
    response = client.post(done_url(again), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")  # not a 404 on the customer page
    assert "Task done." in text(response)


# -- Who may use them ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager"], indirect=True)
def test_owner_teammates_and_managers_may_log_and_plan(client, customer, persona):
    client.force_login(persona)
    assert client.post(activity_url(customer), a_call(), **HTMX).status_code == 200
    assert client.post(task_url(customer), a_task(persona), **HTMX).status_code == 200
    assert Activity.objects.get().user == persona
    task = Task.objects.get()
    assert client.post(done_url(task), **HTMX).status_code == 200


def test_other_teams_rep_gets_404_and_changes_nothing(client, customer, other_team_rep):
    task = TaskFactory(customer=customer)
    client.force_login(other_team_rep)
    assert client.get(activity_url(customer)).status_code == 404
    assert client.post(activity_url(customer), a_call(), **HTMX).status_code == 404
    assert client.post(task_url(customer), a_task(other_team_rep), **HTMX).status_code == 404
    assert client.post(done_url(task), **HTMX).status_code == 404
    assert not Activity.objects.exists()
    assert Task.objects.count() == 1
    task.refresh_from_db()
    assert not task.is_done


def test_user_without_role_gets_403(client, customer, no_role):
    task = TaskFactory(customer=customer)
    client.force_login(no_role)
    assert client.post(activity_url(customer), a_call()).status_code == 403
    assert client.post(task_url(customer), a_task(no_role)).status_code == 403
    assert client.post(done_url(task)).status_code == 403


def test_anonymous_is_sent_to_login(client, customer):
    task = TaskFactory(customer=customer)
    for response in (
        client.get(activity_url(customer)),
        client.get(task_url(customer)),
        client.post(done_url(task)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["activity", "task"])
def test_renders_in_spanish(rep_client, customer, page):
    address = activity_url(customer) if page == "activity" else task_url(customer)
    response = rep_client.get(address, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_errors_render_in_spanish(rep_client, customer):
    response = rep_client.post(activity_url(customer), a_call(subject=""), HTTP_ACCEPT_LANGUAGE="es", **HTMX)
    assert response.status_code == 200
    assert "This field is required." not in text(response)


# -- Queries -------------------------------------------------------------------------------------


def _queries(send) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200
    return len(captured)


def _grow(customer, count: int) -> None:
    for _ in range(count):
        author = UserFactory(team=customer.team)
        contact = ContactFactory(customer=customer)
        ActivityFactory(customer=customer, user=author, contact=contact)
        TaskFactory(customer=customer, assignee=author)


@pytest.mark.parametrize(
    "request_kind",
    ["activity form", "activity form htmx", "task form", "task form htmx", "log htmx", "add task htmx"],
)
def test_query_count_does_not_grow(rep_client, customer, rep, request_kind):
    def send():
        if request_kind.startswith("activity form"):
            return rep_client.get(activity_url(customer), **(HTMX if "htmx" in request_kind else {}))
        if request_kind.startswith("task form"):
            return rep_client.get(task_url(customer), **(HTMX if "htmx" in request_kind else {}))
        if request_kind == "log htmx":
            return rep_client.post(activity_url(customer), a_call(), **HTMX)
        return rep_client.post(task_url(customer), a_task(rep), **HTMX)

    _grow(customer, 2)
    _queries(send)
    few = _queries(send)
    _grow(customer, 30)
    assert _queries(send) == few


def test_completing_a_task_costs_the_same_with_many_open_tasks(rep_client, customer):
    _grow(customer, 2)
    few = _queries(lambda: rep_client.post(done_url(TaskFactory(customer=customer)), **HTMX))
    _grow(customer, 30)
    assert _queries(lambda: rep_client.post(done_url(TaskFactory(customer=customer)), **HTMX)) == few
