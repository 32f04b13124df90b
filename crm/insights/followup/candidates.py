"""Who each task-making rule is due for today, read in a few set-based queries.

Each function returns ``Candidate`` rows: the customer, the owner who gets the task, the
period key that makes the rule fire once, and the values its task title may show. Only
customers with an active owner and not marked lost are followed up: a task needs someone
to do it, and a lost customer asked to be left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounting.models import Order
from contacts.models import Activity, Customer
from crm.insights.followup.models import FollowUp, FollowUpRule
from crm.insights.followup.periods import months_before, whole_months_between
from crm.insights.models import RfmScore, RfmSnapshot, SegmentRule
from sales.models import InstalledProduct

CUSTOMER_FIELDS = ("owner_id", "owner__language")


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    owner_id: int
    language: str
    period_key: str
    values: dict = field(default_factory=dict)


def followed_customers() -> QuerySet[Customer]:
    return Customer.objects.filter(owner__isnull=False, owner__is_active=True).exclude(
        lifecycle_stage=Customer.Stage.LOST
    )


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def fired_since(rule: FollowUpRule, day: date, customer: str = "pk") -> Exists:
    """The rule already fired for the customer after ``day``."""
    return Exists(FollowUp.objects.filter(rule=rule, customer=OuterRef(customer), fired_on__gt=day))


def sales_of(customer: str = "pk") -> QuerySet[Order]:
    return Order.objects.filter(customer=OuterRef(customer)).exclude(status=Order.Status.CANCELLED)


def after_sale(rule: FollowUpRule, today: date) -> Iterator[Candidate]:
    """Customers whose last sale is a whole number of intervals old, once per interval.

    The key counts months from the last sale, so a new sale starts the count again.
    """
    cutoff = months_before(today, rule.interval_months)
    last_sale = Subquery(sales_of().order_by("-order_date").values("order_date")[:1])
    customers = (
        followed_customers()
        .annotate(last_sale=last_sale)
        .filter(last_sale__lte=cutoff)
        .exclude(fired_since(rule, cutoff))
    )
    if rule.stop_after_months:
        customers = customers.filter(last_sale__gte=months_before(today, rule.stop_after_months))
    for pk, owner_id, language, sold_on in customers.values_list("pk", *CUSTOMER_FIELDS, "last_sale"):
        months = whole_months_between(sold_on, today) // rule.interval_months * rule.interval_months
        months = max(months, rule.interval_months)
        yield Candidate(
            pk,
            owner_id,
            language,
            f"{sold_on.isoformat()}+{months}m",
            {"months": months, "last_sale": sold_on},
        )


def inactivity(rule: FollowUpRule, today: date) -> Iterator[Candidate]:
    """Customers with no activity and no order for ``days`` days, once per ``days`` of silence.

    The key counts days from the last activity, order or (for a customer never contacted)
    the day it was created.
    """
    quiet_since = today - timedelta(days=rule.days)
    recent = start_of_day(quiet_since + timedelta(days=1))
    activities = Activity.objects.filter(customer=OuterRef("pk"))
    customers = (
        followed_customers()
        .filter(created_at__lt=recent)
        .exclude(Exists(activities.filter(occurred_at__gte=recent)))
        .exclude(Exists(sales_of().filter(order_date__gt=quiet_since)))
        .exclude(fired_since(rule, quiet_since))
        .annotate(
            last_activity=Subquery(activities.order_by("-occurred_at").values("occurred_at")[:1]),
            last_sale=Subquery(sales_of().order_by("-order_date").values("order_date")[:1]),
        )
    )
    rows = customers.values_list("pk", *CUSTOMER_FIELDS, "last_activity", "last_sale", "created_at")
    for pk, owner_id, language, last_activity, last_sale, created_at in rows:
        touches = [timezone.localdate(last_activity) if last_activity else None, last_sale]
        last_touch = max((day for day in touches if day), default=None)
        anchor = last_touch or timezone.localdate(created_at)
        silent = (today - anchor).days // rule.days * rule.days
        silent = max(silent, rule.days)
        yield Candidate(
            pk,
            owner_id,
            language,
            f"{anchor.isoformat()}+{silent}d",
            {"days": silent, "last_activity": last_touch},
        )


def licence_renewal(rule: FollowUpRule, today: date) -> Iterator[Candidate]:
    """Installed licences that expire within ``days`` days, once per product and expiry date."""
    last_day = today + timedelta(days=rule.days)
    licences = InstalledProduct.objects.filter(
        licence_expires_on__gte=today,
        licence_expires_on__lte=last_day,
        customer__in=followed_customers(),
    )
    rows = licences.values_list(
        "pk",
        "customer_id",
        "customer__owner_id",
        "customer__owner__language",
        "product__name",
        "licence_expires_on",
    )
    for pk, customer_id, owner_id, language, product, expires_on in rows:
        yield Candidate(
            customer_id,
            owner_id,
            language,
            f"{pk}@{expires_on.isoformat()}",
            {"product": product, "expires_on": expires_on, "days": (expires_on - today).days},
        )


def segment_drop(rule: FollowUpRule, today: date) -> Iterator[Candidate]:
    """Customers whose value segment changed for one worth less between the last two scorings.

    "Worth less" is the value score: a move from Loyal to At risk is a drop, from New to
    Potential is not. Once per customer and scoring snapshot.
    """
    latest = RfmSnapshot.objects.latest_first().first()
    if latest is None or latest.previous_id is None or latest.scores_pruned:
        return
    previous = RfmScore.objects.filter(snapshot_id=latest.previous_id, customer_id=OuterRef("customer_id"))
    drops = (
        RfmScore.objects.filter(snapshot=latest, customer_id__in=followed_customers().values("pk"))
        .annotate(
            previous_segment=Subquery(previous.values("segment")[:1]),
            previous_score=Subquery(previous.values("value_score")[:1]),
        )
        .filter(previous_segment__isnull=False, value_score__lt=F("previous_score"))
        .exclude(segment=F("previous_segment"))
    )
    labels = dict(SegmentRule.objects.values_list("slug", "label"))
    rows = drops.values_list(
        "customer_id", "customer__owner_id", "customer__owner__language", "segment", "previous_segment"
    )
    for customer_id, owner_id, language, segment, previous_segment in rows:
        yield Candidate(
            customer_id,
            owner_id,
            language,
            f"rfm-{latest.pk}",
            {
                "segment": SegmentLabel(labels.get(segment, segment)),
                "previous_segment": SegmentLabel(labels.get(previous_segment, previous_segment)),
            },
        )


class SegmentLabel(str):
    """A segment's name, translated when the title is written in the owner's language."""

    __slots__ = ()


FINDERS = {
    FollowUpRule.Kind.AFTER_SALE: after_sale,
    FollowUpRule.Kind.INACTIVITY: inactivity,
    FollowUpRule.Kind.LICENCE_RENEWAL: licence_renewal,
    FollowUpRule.Kind.SEGMENT_DROP: segment_drop,
}
