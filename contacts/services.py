"""Writes on the customer hub: one transaction each, side effects after commit."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Activity, Contact, Customer, Task
from contacts.search import refresh_search_text
from crm.accounts.models import User
from crm.accounts.services import notify


class StaleCustomerError(Exception):
    """Someone else saved the customer after this form was loaded."""

    def __init__(self, current: Customer, changed_fields: list[str]):
        super().__init__("customer changed since it was loaded")
        self.current = current
        self.changed_fields = changed_fields

    @property
    def changed_labels(self) -> list[str]:
        """The changed fields as people know them (translated verbose names)."""
        return [str(Customer._meta.get_field(name).verbose_name) for name in self.changed_fields]


def _language_of(user: User) -> AbstractContextManager:
    """Write a notification in the recipient's chosen language, else in the current one."""
    return translation.override(user.language) if user.language else nullcontext()


def _alert_new_owner(customer: Customer, *, by: User | None) -> None:
    if customer.owner_id is None or (by is not None and customer.owner_id == by.pk):
        return
    with _language_of(customer.owner):
        message = _("You are now the owner of %(customer)s.") % {"customer": customer.display_name}
    notify(recipient=customer.owner, message=message, url=customer.get_absolute_url())


@transaction.atomic
def create_customer(
    *,
    data: dict[str, Any],
    by: User | None,
    relationship_types: Any = (),
    tags: Any = (),
) -> Customer:
    customer = Customer(**data)
    if customer.owner_id is None and by is not None and not by.is_superuser:
        customer.owner = by
    if customer.team_id is None and customer.owner_id is not None:
        customer.team_id = customer.owner.team_id
    customer._history_user = by
    customer.save()
    customer.relationship_types.set(relationship_types)
    customer.tags.set(tags)
    refresh_search_text([customer.pk])
    _alert_new_owner(customer, by=by)
    return customer


def _changed_fields(old: Customer, new: Customer) -> list[str]:
    return [
        field.name
        for field in Customer._meta.concrete_fields
        if field.name not in {"version", "updated_at", "search_text"}
        and getattr(old, field.attname) != getattr(new, field.attname)
    ]


@transaction.atomic
def update_customer(
    *,
    customer: Customer,
    data: dict[str, Any],
    expected_version: int,
    by: User | None,
    relationship_types: Any = None,
    tags: Any = None,
) -> Customer:
    """Save the edits, or raise ``StaleCustomerError`` if someone saved since ``expected_version``."""
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if current.version != expected_version:
        loaded = current.history.filter(version=expected_version).first()
        changed = _changed_fields(loaded.instance, current) if loaded else []
        raise StaleCustomerError(current, changed)
    previous_owner_id = current.owner_id
    for name, value in data.items():
        setattr(current, name, value)
    current.version += 1  # The row is locked, so a plain increment is safe.
    current._history_user = by
    current.save()
    if relationship_types is not None:
        current.relationship_types.set(relationship_types)
    if tags is not None:
        current.tags.set(tags)
    refresh_search_text([current.pk])
    if current.owner_id != previous_owner_id:
        _alert_new_owner(current, by=by)
    return current


@transaction.atomic
def assign_owner(*, customer: Customer, owner: User | None, by: User | None) -> Customer:
    """Give the customer to ``owner`` (and the owner's team), alerting the new owner."""
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if current.owner_id == (owner.pk if owner else None):
        return current
    current.owner = owner
    if owner is not None and owner.team_id:
        current.team_id = owner.team_id
    current.version += 1
    current._history_user = by
    current.save()
    _alert_new_owner(current, by=by)
    return current


@transaction.atomic
def save_contact(*, contact: Contact, by: User | None) -> Contact:
    contact._history_user = by
    contact.save()
    refresh_search_text([contact.customer_id])
    return contact


@transaction.atomic
def delete_contact(*, contact: Contact, by: User | None) -> None:
    contact._history_user = by
    customer_id = contact.customer_id
    contact.delete()
    refresh_search_text([customer_id])


def log_activity(
    *,
    customer: Customer,
    by: User,
    kind: str,
    subject: str,
    notes: str = "",
    outcome: str = "",
    duration_minutes: int | None = None,
    occurred_at=None,
    contact: Contact | None = None,
    related=None,
) -> Activity:
    activity = Activity(
        customer=customer,
        user=by,
        kind=kind,
        subject=subject,
        notes=notes,
        outcome=outcome,
        duration_minutes=duration_minutes,
        occurred_at=occurred_at or timezone.now(),
        contact=contact,
    )
    if related is not None:
        activity.related = related
    activity.save()
    return activity


def add_task(
    *, customer: Customer, by: User, title: str, assignee: User, due_date: date, notes: str = ""
) -> Task:
    task = Task.objects.create(
        customer=customer, title=title, assignee=assignee, due_date=due_date, notes=notes, created_by=by
    )
    if assignee.pk != by.pk:
        with _language_of(assignee):
            message = _("%(user)s gave you a task: %(title)s (%(customer)s)") % {
                "user": by,
                "title": title,
                "customer": customer.display_name,
            }
        notify(recipient=assignee, message=message, url=customer.get_absolute_url())
    return task


def complete_task(*, task: Task, by: User) -> Task:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
    return task


class CustomerInUseError(Exception):
    """The customer still has records that must not disappear with it (orders, invoices...)."""


@transaction.atomic
def delete_customer(*, customer: Customer, by: User | None) -> None:
    from django.db.models import ProtectedError

    customer._history_user = by
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError as error:
        raise CustomerInUseError(str(error)) from error
