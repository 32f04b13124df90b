"""Demo customers in bulk: realistic Colombian companies and people, fast enough for 100,000.

Rows are built in Python (``search_text`` included, so nothing is updated afterwards) and
written in chunks (COPY on PostgreSQL, ``bulk_create`` elsewhere); many-to-many links go
through their ``through`` models. Demo data goes in without history records: bulk inserts
send no signals, so django-simple-history writes none, and a demo customer's history starts
at its first edit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.utils import timezone

from contacts import demo_data as data
from contacts.counts import customer_rows
from contacts.models import Activity, Contact, Customer, EconomicActivity, RelationshipType, Tag, Task
from contacts.search import build_search_text, fold
from contacts.validators import nit_check_digit, normalize_phone
from crm import bulk
from crm.accounts.models import User

CHUNK = 5000  # customers built and written per round, bounding memory
BATCH = 2000  # rows per INSERT
COMPANY_BODY_START = 900_000_000  # 9-digit NIT bodies of companies
PERSON_BODY_START = 1_000_000_000  # 10-digit cédulas of natural persons
HISTORY_DAYS = 730  # activities span the last two years


@dataclass
class SeedResult:
    customers: int = 0
    contacts: int = 0
    activities: int = 0
    tasks: int = 0
    seconds: float = 0.0


@dataclass
class _Draft:
    customer: Customer
    contacts: list[Contact] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    # (activity, contact) pairs: the contact's id is known only once it is inserted.
    activity_contacts: list[tuple[Activity, Contact]] = field(default_factory=list)
    relationship_ids: list[int] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)


def _mailbox(first: str, last: str) -> str:
    """``Luz Marina``, ``Peña`` → ``luz.pena``: the local part of an e-mail address."""
    return f"{fold(first).split()[0]}.{fold(last)}"


def _max_body(pattern: str, floor: int) -> int:
    """The largest NIT body matching ``pattern`` already used, or ``floor`` if larger."""
    top = (
        Customer.objects.filter(tax_id__regex=pattern).order_by("-tax_id").values_list("tax_id", flat=True)
    ).first()
    return max(floor, int(top.split("-")[0])) if top else floor


def _reference_ids() -> tuple[dict[str, int], dict[str, int], list[int]]:
    """CIIU codes, relationship types and tags the demo uses, created where missing."""
    existing = set(EconomicActivity.objects.values_list("code", flat=True))
    EconomicActivity.objects.bulk_create(
        EconomicActivity(code=code, name=name)
        for code, name, _prefixes in data.ECONOMIC_ACTIVITIES
        if code not in existing
    )
    existing_tags = set(Tag.objects.values_list("name", flat=True))
    Tag.objects.bulk_create(Tag(name=name) for name in data.TAGS if name not in existing_tags)
    activities = dict(EconomicActivity.objects.values_list("code", "pk"))
    relationships = dict(RelationshipType.objects.values_list("code", "pk"))
    tags = list(Tag.objects.filter(name__in=data.TAGS).values_list("pk", flat=True))
    return activities, relationships, tags


class _Generator:
    """Builds unsaved customers with their contacts, activities and tasks from one seeded RNG."""

    def __init__(
        self,
        *,
        rng: random.Random,
        owners: Sequence[User],
        activities_per_customer: int,
        leave_unassigned: bool = True,
    ):
        self.rng = rng
        self.leave_unassigned = leave_unassigned
        self.now = timezone.now()
        self.owner_teams = [(owner.pk, owner.team_id) for owner in owners]
        self.teams = sorted({team for _owner, team in self.owner_teams if team})
        self.activities_per_customer = activities_per_customer
        self.activity_ids, self.relationship_ids, self.tag_ids = _reference_ids()
        # New bodies go above every body already used in their range, so they never collide.
        self.company_body = _max_body(r"^9[0-9]{8}-[0-9]$", COMPANY_BODY_START + rng.randint(0, 9_999_999))
        self.person_body = _max_body(r"^1[0-9]{9}-[0-9]$", PERSON_BODY_START + rng.randint(0, 99_999_999))
        self.cities = [(city, code) for city, code, _weight in data.CITIES]
        self.city_weights = [weight for _city, _code, weight in data.CITIES]
        self.kinds = list(data.ACTIVITY_WEIGHTS)
        self.kind_weights = list(data.ACTIVITY_WEIGHTS.values())

    # --- small pieces -------------------------------------------------------------------
    def _nit(self, *, company: bool) -> str:
        step = self.rng.randint(1, 40)
        if company:
            self.company_body += step
            body = self.company_body
        else:
            self.person_body += step
            body = self.person_body
        return f"{body}-{nit_check_digit(str(body))}"

    def _person_name(self) -> tuple[str, str, str]:
        """First name and surname for an e-mail address, and the full name."""
        rng = self.rng
        names = data.FEMALE_NAMES if rng.random() < 0.5 else data.MALE_NAMES
        first = rng.choice(names)
        last = rng.choice(data.SURNAMES)
        second = rng.choice(data.SURNAMES)
        middle = f" {rng.choice(names)}" if rng.random() < 0.15 and " " not in first else ""
        return first, last, f"{first}{middle} {last} {second}"

    def _mobile(self) -> str:
        rng = self.rng
        return f"{rng.choice(data.MOBILE_PREFIXES)} {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"

    def _landline(self, area: str) -> str:
        return f"+57 {area} {self.rng.randint(200, 799)} {self.rng.randint(0, 9999):04d}"

    def _address(self) -> str:
        rng = self.rng
        letter = rng.choice(["", "", "", "A", "B", "C"])
        extra = rng.choice(data.ADDRESS_EXTRAS)
        street = f"{rng.choice(data.STREETS)} {rng.randint(1, 170)}{letter}"
        return f"{street} # {rng.randint(1, 120)}-{rng.randint(2, 99)}{extra}"

    def _company_name(self, prefixes: list[tuple[str, str]]) -> tuple[str, str]:
        """Legal name and the words its web domain is made from."""
        rng = self.rng
        prefix, gender = rng.choice(prefixes)
        roll = rng.random()
        if roll < 0.55:
            core = rng.choice(data.ADJECTIVES)[data.GENDER_INDEX[gender]]
            if rng.random() < 0.3:
                core = f"{core} {rng.choice(data.PLACES)}"
        elif roll < 0.85:
            core = rng.choice(data.PLACES)
        else:
            core = f"{rng.choice(data.SURNAMES)} {rng.choice(data.SURNAMES)}"
        return f"{prefix} {core} {rng.choice(data.COMPANY_SUFFIXES)}", f"{prefix}{core}"

    def _moment(self, after: datetime) -> datetime:
        start = max(after, self.now - timedelta(days=HISTORY_DAYS))
        span = (self.now - start).total_seconds()
        return start + timedelta(seconds=self.rng.random() * span)

    # --- one customer -------------------------------------------------------------------
    def draft(self) -> _Draft:
        rng = self.rng
        roll = rng.random()
        segment = (
            Customer.Segment.NATURAL_PERSON
            if roll < 0.22
            else Customer.Segment.CORPORATE
            if roll < 0.37
            else Customer.Segment.LEGAL_ENTITY
        )
        is_company = segment != Customer.Segment.NATURAL_PERSON
        code, _name, prefixes = rng.choice(data.ECONOMIC_ACTIVITIES)
        city, area = rng.choices(self.cities, self.city_weights)[0]
        created_at = self.now - timedelta(days=rng.uniform(1, 3 * 365))
        owner_id, team_id = self._assignment()
        customer = Customer(
            segment=segment,
            city=city,
            country="CO",
            address=self._address(),
            economic_activity_id=self.activity_ids.get(code) if is_company or rng.random() < 0.3 else None,
            tax_id=self._nit(company=is_company),
            lifecycle_stage=rng.choices(list(Customer.Stage), [35, 20, 38, 7])[0],
            owner_id=owner_id,
            team_id=team_id,
            created_at=created_at,
        )
        draft = _Draft(customer=customer)
        if is_company:
            customer.legal_name, domain_words = self._company_name(prefixes)
            if rng.random() < 0.55:
                customer.trade_name = f"{rng.choice(data.BRAND_HEADS)}{rng.choice(data.BRAND_TAILS)}"
            domain = (
                "".join(ch for ch in fold(customer.trade_name or domain_words) if ch.isalnum()) + ".com.co"
            )
            customer.email = f"{rng.choice(data.COMPANY_MAILBOXES)}@{domain}"
            customer.website = f"https://www.{domain}" if rng.random() < 0.6 else ""
            customer.phone = self._landline(area) if rng.random() < 0.7 else self._mobile()
            customer.employees = (
                rng.randint(200, 5000) if segment == Customer.Segment.CORPORATE else rng.randint(2, 199)
            )
            customer.notes = rng.choice(data.COMPANY_NOTES) if rng.random() < 0.15 else ""
            draft.contacts = self._contacts(customer, domain)
        else:
            first, last, customer.legal_name = self._person_name()
            customer.email = f"{_mailbox(first, last)}{rng.randint(1, 99)}@{rng.choice(data.FREE_MAIL)}"
            customer.phone = self._mobile()
        contact_parts = [
            part
            for contact in draft.contacts
            for part in (contact.name, contact.email, normalize_phone(contact.phone))
        ]
        customer.search_text = build_search_text(customer, contact_parts)
        draft.relationship_ids = self._relationships(customer)
        draft.tag_ids = rng.sample(self.tag_ids, k=min(len(self.tag_ids), rng.choice([0, 0, 0, 1, 1, 2])))
        draft.activities = self._activities(draft)
        draft.tasks = self._tasks(customer)
        return draft

    def _assignment(self) -> tuple[int | None, int | None]:
        roll = self.rng.random()
        if self.owner_teams and (roll < 0.82 or not self.leave_unassigned):
            return self.rng.choice(self.owner_teams)
        if self.teams and roll < 0.94:
            return None, self.rng.choice(self.teams)
        return None, None

    def _contacts(self, customer: Customer, domain: str) -> list[Contact]:
        rng = self.rng
        contacts = []
        for index in range(rng.choice([0, 1, 1, 2, 2, 3])):
            first, last, name = self._person_name()
            legal = index == 0 and rng.random() < 0.6
            contacts.append(
                Contact(
                    name=name,
                    role=data.LEGAL_REPRESENTATIVE_ROLE if legal else rng.choice(data.CONTACT_ROLES),
                    phone=self._mobile(),
                    email=f"{_mailbox(first, last)}@{domain}",
                    is_legal_representative=legal,
                    created_at=customer.created_at,
                )
            )
        return contacts

    def _relationships(self, customer: Customer) -> list[int]:
        rng = self.rng
        interested = customer.lifecycle_stage in (Customer.Stage.INTEREST, Customer.Stage.ACQUISITION)
        codes = ["prospect" if interested else "customer"]
        for code, share in (("supplier", 0.08), ("competitor", 0.02)):
            if rng.random() < share:
                codes.append(code)
        if not customer.is_company:
            for code, share in (("employee", 0.03), ("guarantor", 0.03), ("beneficiary", 0.03)):
                if rng.random() < share:
                    codes.append(code)
        return [self.relationship_ids[code] for code in codes if code in self.relationship_ids]

    def _activities(self, draft: _Draft) -> list[Activity]:
        rng = self.rng
        customer = draft.customer
        user_id = customer.owner_id or (rng.choice(self.owner_teams)[0] if self.owner_teams else None)
        activities = []
        for _index in range(rng.randint(0, 2 * self.activities_per_customer)):
            kind = rng.choices(self.kinds, self.kind_weights)[0]
            subjects, outcomes, minutes = data.ACTIVITY_KINDS[kind]
            activity = Activity(
                kind=kind,
                subject=rng.choice(subjects),
                notes=rng.choice(data.ACTIVITY_NOTES),
                outcome=rng.choice(outcomes),
                duration_minutes=rng.randint(*minutes) if minutes else None,
                occurred_at=self._moment(customer.created_at),
                user_id=user_id,
            )
            activities.append(activity)
            if draft.contacts and rng.random() < 0.6:
                draft.activity_contacts.append((activity, rng.choice(draft.contacts)))
        return activities

    def _tasks(self, customer: Customer) -> list[Task]:
        rng = self.rng
        if customer.owner_id is None:
            return []
        tasks = []
        if rng.random() < 0.25:
            due = timezone.localdate(self.now) + timedelta(days=rng.randint(-7, 30))
            tasks.append(
                Task(title=rng.choice(data.TASK_TITLES), assignee_id=customer.owner_id, due_date=due)
            )
        if rng.random() < 0.1:
            done_at = self._moment(customer.created_at)
            tasks.append(
                Task(
                    title=rng.choice(data.TASK_TITLES),
                    assignee_id=customer.owner_id,
                    due_date=timezone.localdate(done_at),
                    done_at=done_at,
                )
            )
        return tasks


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """Write unsaved instances, numbering them: COPY on PostgreSQL, ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BATCH)
        return
    for row, pk in zip(rows, bulk.reserve_ids(model, len(rows)), strict=True):
        row.pk = pk
    bulk.insert(model, [bulk.plain_values(row) for row in rows])


def _write(drafts: list[_Draft], result: SeedResult) -> None:
    """Insert parents first, then give children their parents' new ids and insert them."""
    _insert(Customer, [draft.customer for draft in drafts])
    customer_rows.bump()  # bulk inserts send no signal
    contacts, activities, tasks = [], [], []
    for draft in drafts:
        customer_id = draft.customer.pk
        for row in (*draft.contacts, *draft.activities, *draft.tasks):
            row.customer_id = customer_id
        contacts += draft.contacts
        activities += draft.activities
        tasks += draft.tasks
    _insert(Contact, contacts)
    for draft in drafts:
        for activity, contact in draft.activity_contacts:
            activity.contact_id = contact.pk
    _insert(Activity, activities)
    _insert(Task, tasks)
    bulk.insert(
        Customer.relationship_types.through,
        [
            {"customer_id": draft.customer.pk, "relationshiptype_id": type_id}
            for draft in drafts
            for type_id in draft.relationship_ids
        ],
    )
    bulk.insert(
        Customer.tags.through,
        [
            {"customer_id": draft.customer.pk, "tag_id": tag_id}
            for draft in drafts
            for tag_id in draft.tag_ids
        ],
    )
    result.customers += len(drafts)
    result.contacts += len(contacts)
    result.activities += len(activities)
    result.tasks += len(tasks)


def seed_demo_customers(
    *,
    customers: int,
    owners: Sequence[User],
    seed: int = 1,
    activities_per_customer: int = 3,
    leave_unassigned: bool = True,
) -> SeedResult:
    """Add ``customers`` demo customers spread over ``owners`` (and their teams); returns counts.

    Most customers get an owner; with ``leave_unassigned`` some are left to a team or to nobody.

    Tax ids continue after the largest one already in the demo ranges, so running it again
    adds customers without collisions. The same seed on the same data gives the same rows.
    """
    started = time.perf_counter()
    result = SeedResult()
    with transaction.atomic():
        existing = Customer.objects.count()
        # Seeded with the existing count too, so a second run does not repeat the first one's names.
        rng = random.Random(seed * 1_000_003 + existing)  # noqa: S311 - demo data, not secrets
        generator = _Generator(
            rng=rng,
            owners=owners,
            activities_per_customer=activities_per_customer,
            leave_unassigned=leave_unassigned,
        )
        for start in range(0, customers, CHUNK):
            _write([generator.draft() for _index in range(min(CHUNK, customers - start))], result)
    result.seconds = time.perf_counter() - started
    return result
