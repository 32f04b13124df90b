"""The hub's write services: what they save, who they alert, and what they refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts import services
from contacts.models import Activity, Contact, Customer, Tag, Task
from contacts.search import refresh_search_text
from crm.accounts.models import Notification
from tests.factories import CustomerFactory, TaskFactory


def test_create_customer_gives_it_to_its_creator_and_their_team(rep):
    tag = Tag.objects.create(name="feria")
    customer = services.create_customer(
        data={"legal_name": "Café Ñandú S.A.S.", "phone": "+57 300 123-4567"}, by=rep, tags=[tag]
    )
    assert customer.owner == rep
    assert customer.team == rep.team
    assert list(customer.tags.all()) == [tag]
    customer.refresh_from_db()
    assert "cafe nandu" in customer.search_text
    assert "573001234567" in customer.search_text
    assert customer.history.get().history_user == rep


def test_create_customer_for_someone_else_alerts_them(rep, teammate):
    services.create_customer(data={"legal_name": "Nuevo", "owner": teammate}, by=rep)
    assert Notification.objects.filter(recipient=teammate).count() == 1
    assert not Notification.objects.filter(recipient=rep).exists()


def test_create_customer_for_oneself_sends_no_alert(rep):
    services.create_customer(data={"legal_name": "Propio"}, by=rep)
    assert not Notification.objects.exists()


def test_update_customer_bumps_the_version_and_records_who(customer, teammate):
    updated = services.update_customer(
        customer=customer, data={"city": "Cali"}, expected_version=customer.version, by=teammate
    )
    assert updated.version == customer.version + 1
    assert updated.city == "Cali"
    assert updated.history.first().history_user == teammate


def test_update_customer_refuses_a_stale_version_and_names_the_changed_fields(customer, rep, teammate):
    loaded_version = customer.version
    services.update_customer(
        customer=customer,
        data={"city": "Cali", "phone": "6011234567"},
        expected_version=loaded_version,
        by=teammate,
    )
    with pytest.raises(services.StaleCustomerError) as error:
        services.update_customer(
            customer=customer, data={"city": "Pasto"}, expected_version=loaded_version, by=rep
        )
    assert sorted(error.value.changed_fields) == ["city", "phone"]
    assert Customer.objects.get(pk=customer.pk).city == "Cali"


def test_update_customer_alerts_a_new_owner_once(customer, rep, teammate):
    services.update_customer(
        customer=customer, data={"owner": teammate}, expected_version=customer.version, by=rep
    )
    customer.refresh_from_db()
    services.update_customer(
        customer=customer, data={"city": "Cali"}, expected_version=customer.version, by=rep
    )
    assert Notification.objects.filter(recipient=teammate).count() == 1


def test_assign_owner_moves_the_customer_to_the_new_owners_team(customer, rep, other_team_rep, south):
    assigned = services.assign_owner(customer=customer, owner=other_team_rep, by=rep)
    assert assigned.owner == other_team_rep
    assert assigned.team == south
    assert assigned.version == customer.version + 1
    assert Notification.objects.get().recipient == other_team_rep


def test_assigning_the_current_owner_again_changes_nothing(customer, rep, manager):
    services.assign_owner(customer=customer, owner=rep, by=manager)
    customer.refresh_from_db()
    assert customer.version == 1
    assert not Notification.objects.exists()


def test_contacts_are_searchable_after_save_and_gone_after_delete(customer, rep):
    contact = services.save_contact(contact=Contact(customer=customer, name="Álvaro Muñoz"), by=rep)
    assert Customer.objects.search("alvaro munoz").get() == customer
    services.delete_contact(contact=contact, by=rep)
    assert not Customer.objects.search("alvaro").exists()


def test_log_activity_records_who_and_when(customer, rep):
    yesterday = timezone.now() - timedelta(days=1)
    activity = services.log_activity(
        customer=customer, by=rep, kind=Activity.Kind.VISIT, subject="Visita", occurred_at=yesterday
    )
    assert activity.user == rep
    assert activity.occurred_at == yesterday
    assert services.log_activity(customer=customer, by=rep, kind="call", subject="Now").occurred_at


def test_log_activity_can_point_at_a_related_record(customer, rep):
    task = TaskFactory(customer=customer)
    activity = services.log_activity(customer=customer, by=rep, kind="note", subject="Ver", related=task)
    assert Activity.objects.get(pk=activity.pk).related == task


def test_add_task_for_someone_else_alerts_them(customer, rep, teammate):
    task = services.add_task(
        customer=customer, by=rep, title="Enviar propuesta", assignee=teammate, due_date=timezone.localdate()
    )
    assert task.created_by == rep
    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert "Enviar propuesta" in notification.message


def test_add_task_for_oneself_sends_no_alert(customer, rep):
    services.add_task(customer=customer, by=rep, title="Llamar", assignee=rep, due_date=timezone.localdate())
    assert not Notification.objects.exists()


def test_completing_a_task_twice_keeps_the_first_time(customer, rep):
    task = TaskFactory(customer=customer)
    first = services.complete_task(task=task, by=rep).done_at
    assert first is not None
    assert services.complete_task(task=task, by=rep).done_at == first
    assert not Task.objects.open().exists()


def test_delete_customer_takes_its_records_along(customer, manager):
    TaskFactory(customer=customer)
    services.delete_customer(customer=customer, by=manager)
    assert not Customer.objects.exists()
    assert not Task.objects.exists()


def test_search_text_is_rebuilt_from_the_current_data(rep):
    customer = CustomerFactory(owner=rep, legal_name="Old Name")
    Customer.objects.filter(pk=customer.pk).update(legal_name="Nueva Razón")
    refresh_search_text([customer.pk])
    assert Customer.objects.search("razon").get() == customer
    assert not Customer.objects.search("old").exists()


def test_alerts_are_written_in_the_recipients_chosen_language(customer, rep, teammate):
    teammate.language = "es"
    teammate.save()
    services.add_task(
        customer=customer, by=rep, title="Llamar", assignee=teammate, due_date=timezone.localdate()
    )
    services.assign_owner(customer=customer, owner=teammate, by=rep)
    messages = list(Notification.objects.order_by("pk").values_list("message", flat=True))
    assert messages[0] == f"{rep} le asignó una tarea: Llamar (Distribuidora Andina S.A.S.)"
    assert messages[1] == "Ahora usted es el responsable de Distribuidora Andina S.A.S.."
