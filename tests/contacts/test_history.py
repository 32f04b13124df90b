"""The change history as people read it: who, when, which fields, from what to what."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.history import customer_changes
from contacts.merging import merge_customers
from contacts.models import Contact, Customer, EconomicActivity
from tests.factories import CustomerFactory, UserFactory


def edit(customer: Customer, by, **data) -> Customer:
    customer.refresh_from_db()
    return services.update_customer(customer=customer, data=data, expected_version=customer.version, by=by)


def test_creation_is_recorded_with_who(rep):
    customer = services.create_customer(data={"legal_name": "Nueva"}, by=rep)
    [entry] = customer_changes(customer)
    assert entry.who == str(rep)
    assert entry.what == "Customer created"
    assert entry.changes == []


def test_an_edit_lists_each_changed_field_with_old_and_new_values(customer, teammate):
    edit(customer, teammate, city="Cali", phone="601 222 3333")
    entry = customer_changes(customer)[0]
    assert entry.who == str(teammate)
    assert entry.what == "Customer changed"
    assert {(c.field, c.old, c.new) for c in entry.changes} == {
        ("city", "Bogotá", "Cali"),
        ("phone", "—", "601 222 3333"),
    }


def test_related_records_and_choices_are_shown_by_name_not_by_code(customer, rep, teammate):
    coffee = EconomicActivity.objects.create(code="0122", name="Cultivo de café")
    edit(customer, rep, owner=teammate, lifecycle_stage="retention", economic_activity=coffee)
    changes = {c.field: (c.old, c.new) for c in customer_changes(customer)[0].changes}
    assert changes["owner"] == (str(rep), str(teammate))
    assert changes["lifecycle stage"] == ("Interest", "Retention / expansion")
    assert changes["economic activity"] == ("—", "0122 · Cultivo de café")


def test_an_owner_deleted_since_is_shown_by_number(customer, rep):
    gone = UserFactory()
    edit(customer, rep, owner=gone)
    gone_pk = gone.pk
    gone.delete()
    changes = {c.field: (c.old, c.new) for c in customer_changes(customer)[0].changes}
    assert changes["owner"] == (str(rep), f"#{gone_pk}")


def test_contact_changes_appear_with_the_contacts_name(customer, rep, teammate):
    contact = services.save_contact(contact=Contact(customer=customer, name="Marta Gil"), by=rep)
    contact.role = "Gerente de compras"
    services.save_contact(contact=contact, by=teammate)
    services.delete_contact(contact=contact, by=rep)
    whats = [entry.what for entry in customer_changes(customer)]
    assert whats[:3] == [
        "Contact Marta Gil deleted",
        "Contact Marta Gil changed",
        "Contact Marta Gil created",
    ]
    changed = customer_changes(customer)[1]
    assert changed.who == str(teammate)
    assert [(c.field, c.new) for c in changed.changes] == [("role (cargo)", "Gerente de compras")]


def test_entries_are_newest_first_and_limited(customer, rep):
    start = timezone.now()
    for day in range(1, 26):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            edit(customer, rep, notes=f"note {day}")
    entries = customer_changes(customer, limit=20)
    assert len(entries) == 20
    assert [c.new for c in entries[0].changes] == ["note 25"]
    assert entries == sorted(entries, key=lambda entry: entry.when, reverse=True)


def test_changes_by_the_system_say_so(rep):
    customer = CustomerFactory(owner=rep)
    assert customer_changes(customer)[0].who == "system"


def test_the_customer_page_shows_the_history(client, customer, rep, teammate):
    edit(customer, teammate, lifecycle_stage="lost")
    client.force_login(rep)
    content = client.get(reverse("contacts:customer_detail", args=[customer.pk])).content.decode()
    history = content[content.index("Change history") :]
    assert str(teammate) in history
    assert "lifecycle stage: <del>Interest</del> → Lost" in history


def test_reading_the_history_costs_the_same_for_many_changes(customer, rep):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            customer_changes(customer)
        return len(captured)

    other_owner = UserFactory(team=rep.team)
    edit(customer, rep, owner=other_owner)
    services.save_contact(contact=Contact(customer=customer, name="Uno"), by=rep)
    few = queries()
    for number in range(30):
        edit(customer, rep, owner=UserFactory(team=rep.team), city=f"Ciudad {number}")
        services.save_contact(contact=Contact(customer=customer, name=f"Persona {number}"), by=rep)
    assert queries() == few


def test_history_costs_the_same_for_many_contacts_moved_by_merges(customer, rep, manager):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            customer_changes(customer)
        return len(captured)

    def merge_one_with_contacts(count: int) -> None:
        duplicate = CustomerFactory(owner=rep)
        for number in range(count):
            services.save_contact(contact=Contact(customer=duplicate, name=f"Movida {number}"), by=rep)
        merge_customers(survivor=customer, duplicate=duplicate, by=manager)

    merge_one_with_contacts(1)
    few = queries()
    for _ in range(5):
        merge_one_with_contacts(6)
    assert queries() == few
    moved = [entry for entry in customer_changes(customer) if entry.reason == "moved by merge"]
    assert moved
    assert all(entry.who == str(manager) for entry in moved)


def test_the_newest_contact_changes_are_shown_even_with_a_long_past(customer, rep):
    start = timezone.now() - timedelta(days=400)
    with time_machine.travel(start, tick=False):
        old = services.save_contact(contact=Contact(customer=customer, name="Antigua"), by=rep)
    for day in range(1, 40):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            old.role = f"Cargo {day}"
            services.save_contact(contact=old, by=rep)
    for number in range(3):
        services.save_contact(contact=Contact(customer=customer, name=f"Nueva {number}"), by=rep)
    whats = [entry.what for entry in customer_changes(customer, limit=5)]
    assert whats[:3] == ["Contact Nueva 2 created", "Contact Nueva 1 created", "Contact Nueva 0 created"]
