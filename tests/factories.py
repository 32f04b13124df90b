"""Factories shared by every app's tests: users with roles, teams, customers and their records."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from contacts.models import Activity, Contact, Customer, Task
from crm.accounts.models import Team, User
from crm.accounts.roles import Role


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Equipo {n}")
    manager = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    last_name = factory.Faker("last_name", locale="es_CO")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Compañía {n} S.A.S.")
    segment = Customer.Segment.LEGAL_ENTITY
    city = "Bogotá"
    country = "CO"
    owner = None
    team = factory.LazyAttribute(lambda customer: customer.owner.team if customer.owner else None)

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create:
            from contacts.search import refresh_search_text

            refresh_search_text([self.pk])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name", locale="es_CO")
    role = "Gerente"
    email = factory.Sequence(lambda n: f"contacto{n}@example.com")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Llamada {n}")
    occurred_at = factory.LazyFunction(timezone.now)
    user = factory.LazyAttribute(lambda activity: activity.customer.owner)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Seguimiento {n}")
    assignee = factory.LazyAttribute(lambda task: task.customer.owner)
    due_date = factory.LazyFunction(timezone.localdate)


def user_with_role(role: str, *, team: Team | None = None, username: str | None = None) -> User:
    kwargs = {"role": role, "team": team}
    if username:
        kwargs["username"] = username
    return UserFactory(**kwargs)


__all__ = [
    "ActivityFactory",
    "ContactFactory",
    "CustomerFactory",
    "Role",
    "TaskFactory",
    "TeamFactory",
    "UserFactory",
    "user_with_role",
]
