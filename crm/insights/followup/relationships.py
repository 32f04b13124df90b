"""The managers' relationship page: per rep, the customers overdue for their follow-up, and by how much.

Two lists, each read in grouped queries whatever the number of rows:

- overdue tasks: open tasks past their due date, one row per person and customer, overdue
  since the oldest of them;
- after-sale contacts not done: customers whose last contact (a sale, an activity or a
  completed task) is older than the after-sale rule's interval and who have no open task,
  so nobody has them on a list: customers without an owner (the rule gives them no task),
  customers of someone who left, customers whose task was closed without a new contact.
  Overdue since the last contact plus the interval.

A rep who left keeps their rows, marked, so that a manager hands their customers over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateField, Exists, F, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate

from accounting.models import Order
from contacts.models import Activity, Customer, Task
from crm.accounts.models import User
from crm.insights.followup.candidates import start_of_day
from crm.insights.followup.models import FollowUpRule
from crm.insights.followup.periods import months_after, months_before

NEVER = date(1900, 1, 1)
PERSON_FIELDS = ("first_name", "last_name", "username", "is_active")


def _person(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in PERSON_FIELDS]


def overdue_tasks(user: User, today: date) -> QuerySet:
    """Rows of (assignee, customer): open tasks past due, how many, since when, the first one's title."""
    overdue = Task.objects.visible_to(user).open().filter(due_date__lt=today)
    first = overdue.filter(customer=OuterRef("customer_id"), assignee=OuterRef("assignee_id")).order_by(
        "due_date", "pk"
    )
    return (
        overdue.values(
            "assignee_id", *_person("assignee"), "customer_id", "customer__legal_name", "customer__trade_name"
        )
        .annotate(tasks=Count("pk"), overdue_since=Min("due_date"))
        .annotate(first_title=Subquery(first.values("title")[:1]))
    )


def after_sale_rule() -> FollowUpRule | None:
    return (
        FollowUpRule.objects.filter(kind=FollowUpRule.Kind.AFTER_SALE, is_active=True).order_by("pk").first()
    )


def after_sale_due(user: User, today: date, rule: FollowUpRule) -> QuerySet[Customer]:
    """Customers due for an after-sale contact that nobody has on a task, with ``last_contact``.

    The conditions are all EXISTS, which the database answers with one pass per table
    (anti-joins); the last contact is computed only for the customers that qualify.
    """
    cutoff = months_before(today, rule.interval_months)
    after_cutoff = start_of_day(cutoff + timedelta(days=1))
    sales = Order.objects.filter(customer=OuterRef("pk")).exclude(status=Order.Status.CANCELLED)
    sold = sales.filter(order_date__lte=cutoff)
    if rule.stop_after_months:
        sold = sold.filter(order_date__gte=months_before(today, rule.stop_after_months))
    activities = Activity.objects.filter(customer=OuterRef("pk"))
    done = Task.objects.filter(customer=OuterRef("pk"), done_at__isnull=False)
    return (
        Customer.objects.visible_to(user)
        .exclude(lifecycle_stage=Customer.Stage.LOST)
        .filter(Exists(sold))
        .exclude(Exists(sales.filter(order_date__gt=cutoff)))
        .exclude(Exists(activities.filter(occurred_at__gte=after_cutoff)))
        .exclude(Exists(done.filter(done_at__gte=after_cutoff)))
        .exclude(Exists(Task.objects.open().filter(customer=OuterRef("pk"))))
        .annotate(last_sale=Subquery(sales.order_by("-order_date").values("order_date")[:1]))
        .annotate(
            last_contact=Greatest(
                F("last_sale"),
                Coalesce(_day_of(activities.order_by("-occurred_at"), "occurred_at"), Value(NEVER)),
                Coalesce(_day_of(done.order_by("-done_at"), "done_at"), Value(NEVER)),
                output_field=DateField(),
            )
        )
    )


def _day_of(queryset: QuerySet, field: str) -> Subquery:
    return Subquery(queryset.annotate(day=TruncDate(field)).values("day")[:1], output_field=DateField())


def after_sale_rows(customers: QuerySet[Customer]) -> QuerySet:
    return customers.values(
        "pk", "legal_name", "trade_name", "last_sale", "last_contact", "owner_id", *_person("owner")
    )


def person_name(row: dict, prefix: str) -> str:
    full = f"{row[f'{prefix}__first_name'] or ''} {row[f'{prefix}__last_name'] or ''}".strip()
    return full or row[f"{prefix}__username"] or ""


@dataclass
class RepSummary:
    rep_id: int | None
    name: str
    is_active: bool = True
    customers: int = 0
    tasks: int = 0
    after_sale: int = 0
    overdue_since: date | None = None
    days_overdue: int = 0

    def include(self, since: date) -> None:
        if self.overdue_since is None or since < self.overdue_since:
            self.overdue_since = since


def summary(user: User, today: date, rule: FollowUpRule | None) -> list[RepSummary]:
    """Per rep, most overdue first: customers and tasks overdue, after-sale contacts nobody has."""
    reps: dict[int | None, RepSummary] = {}

    def rep_for(rep_id: int | None, row: dict, prefix: str) -> RepSummary:
        if rep_id not in reps:
            active = row[f"{prefix}__is_active"] is not False
            reps[rep_id] = RepSummary(rep_id, person_name(row, prefix) if rep_id else "", active)
        return reps[rep_id]

    tasks = (
        Task.objects.visible_to(user)
        .open()
        .filter(due_date__lt=today)
        .values("assignee_id", *_person("assignee"))
        .annotate(customers=Count("customer", distinct=True), tasks=Count("pk"), since=Min("due_date"))
        .order_by()
    )
    for row in tasks:
        rep = rep_for(row["assignee_id"], row, "assignee")
        rep.customers, rep.tasks = row["customers"], row["tasks"]
        rep.include(row["since"])
    if rule is not None:
        due = (
            after_sale_due(user, today, rule)
            .values("owner_id", *_person("owner"))
            .annotate(count=Count("pk"), since=Min("last_contact"))
            .order_by()
        )
        for row in due:
            rep = rep_for(row["owner_id"], row, "owner")
            rep.after_sale = row["count"]
            rep.include(months_after(row["since"], rule.interval_months))
    for rep in reps.values():
        rep.days_overdue = (today - rep.overdue_since).days
    return sorted(reps.values(), key=lambda rep: (rep.overdue_since, rep.name))
