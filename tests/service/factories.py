"""Factories for the service department's records."""

from __future__ import annotations

import factory

from service.models import Category, Reply, Ticket
from tests.factories import CustomerFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Categoría {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"No funciona la impresora {n}")
    description = "El equipo no enciende."
    assignee = None
    team = factory.LazyAttribute(lambda ticket: ticket.assignee.team if ticket.assignee else None)


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    ticket = factory.SubFactory(TicketFactory)
    body = "Estamos revisando."
