"""Writes on tickets: open, assign, change status, reply. One transaction each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Activity
from contacts.services import log_activity
from crm.accounts.roles import Role, has_role
from service.models import Reply, Ticket
from service.tasks import send_satisfaction_request_task

if TYPE_CHECKING:
    from contacts.models import Customer
    from crm.accounts.models import User

# Who works tickets: opens, assigns, replies, changes status. Reps only read.
TICKET_WORKERS = (Role.SERVICE_AGENT, Role.MANAGER, Role.ADMIN)


def can_work_tickets(user: User) -> bool:
    return has_role(user, *TICKET_WORKERS)


@transaction.atomic
def open_ticket(*, ticket: Ticket, customer: Customer, by: User) -> Ticket:
    """Save a new ticket for ``customer``; unassigned tickets go to the opener's team."""
    ticket.customer = customer
    ticket.created_by = by
    if ticket.assignee_id and not ticket.team_id:
        ticket.team_id = ticket.assignee.team_id
    if not ticket.team_id:
        ticket.team_id = by.team_id
    ticket.save()
    return ticket


@transaction.atomic
def update_ticket(*, ticket: Ticket, by: User) -> Ticket:
    """Save what an agent edited on the ticket (subject, product, order, feedback...)."""
    ticket.save()
    return ticket


@transaction.atomic
def assign(*, ticket: Ticket, assignee: User | None, by: User) -> Ticket:
    """Give the ticket to ``assignee``; the ticket follows the assignee's team."""
    ticket.assignee = assignee
    if assignee is not None and assignee.team_id:
        ticket.team_id = assignee.team_id
    ticket.save(update_fields=["assignee", "team"])
    return ticket


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, by: User) -> Ticket:
    """Move the ticket; resolving stamps resolved_at, reopening clears it.

    Resolving an unrated ticket emails the customer the satisfaction survey after commit.
    """
    if status not in Ticket.Status.values:
        raise ValueError(status)
    newly_resolved = status == Ticket.Status.RESOLVED and ticket.status != Ticket.Status.RESOLVED
    ticket.status = status
    if status in Ticket.CLOSED_STATUSES:
        ticket.resolved_at = ticket.resolved_at or timezone.now()
    else:
        ticket.resolved_at = None
    ticket.save(update_fields=["status", "resolved_at"])
    if newly_resolved and ticket.satisfaction_rating is None:
        ticket_id = ticket.pk
        transaction.on_commit(lambda: send_satisfaction_request_task.delay(ticket_id=ticket_id))
    return ticket


@transaction.atomic
def add_reply(*, ticket: Ticket, body: str, by: User, internal: bool = False) -> Reply:
    """Add a reply (or an internal note) and log it on the customer's timeline.

    The first public reply stamps first_response_at and moves a new ticket to open.
    """
    now = timezone.now()
    reply = Reply.objects.create(ticket=ticket, author=by, body=body, is_internal=internal, created_at=now)
    changed = []
    if not internal and ticket.first_response_at is None:
        ticket.first_response_at = now
        changed.append("first_response_at")
    if ticket.status == Ticket.Status.NEW:
        ticket.status = Ticket.Status.OPEN
        changed.append("status")
    if changed:
        ticket.save(update_fields=changed)
    subject = _("Internal note on ticket %(ticket)s") if internal else _("Reply on ticket %(ticket)s")
    log_activity(
        customer=ticket.customer,
        by=by,
        kind=Activity.Kind.NOTE if internal else Activity.Kind.EMAIL,
        subject=subject % {"ticket": ticket},
        notes=body,
        occurred_at=now,
        related=ticket,
    )
    return reply
