"""Speed figures of marketing and telemarketing for ``make bench``: the call queue with 100,000
leads, the preview of a 100,000-row purchased list, and queueing a mailing to 10,000 customers.

Nothing here sends email or leaves an import behind: the timed import and the mailing run
inside a transaction that is rolled back.
"""

from __future__ import annotations

import csv
import io
import math
import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Customer
from contacts.search import fold
from contacts.validators import nit_check_digit
from crm.accounts.models import Team, User
from crm.accounts.roles import Role
from crm.insights.bench import BenchError, explain_analyze, logged_in_client
from leads.capture import importer
from leads.capture.reading import guess_mapping, read_table
from leads.capture.validation import build_preview
from leads.models import Lead, LeadImport
from leads.queue import next_lead
from marketing import mailing as mailing_service
from marketing.models import Campaign, CampaignMember

LEADS = 100_000
IMPORT_ROWS = 100_000
IMPORT_MATCHING = 0.2
IMPORTED_ROWS = 5_000
MAILING_RECIPIENTS = 10_000
GOAL_PREVIEW_ROWS_PER_SECOND = 10_000.0
QUEUE_INDEX = "lead_queue_idx"
TELEMARKETERS = ("telemercadeo", "bench_tlm2", "bench_tlm3")


class _Rollback(Exception):
    pass


@dataclass
class LeadFixtures:
    telemarketer: User
    team: Team
    campaign: Campaign  # the leads' campaign
    import_campaign: Campaign  # a campaign without leads, for the import
    mailing_campaign: Campaign
    leads: int
    in_queue: int


def _telemarketer(username: str, team: Team) -> User:
    user = User.objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": username, "team": team}
    )[0]
    if user.team_id != team.pk:
        user.team = team
        user.save(update_fields=["team"])
    user.groups.set([Group.objects.get(name=Role.TELEMARKETER)])
    return user


def _campaign(name: str, channel: str, owner: User) -> Campaign:
    return Campaign.objects.get_or_create(
        name=name,
        defaults={"channel": channel, "status": Campaign.Status.ACTIVE, "owner": owner, "team": owner.team},
    )[0]


def _ensure_leads(telemarketers: list[User], campaign: Campaign) -> None:
    """Top up to ``LEADS`` leads on existing customers, spread over the telemarketers, with mixed
    statuses and scores; some callbacks are due, some are later today or this week."""
    missing = LEADS - Lead.objects.count()
    if missing <= 0:
        return
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:missing])
    rng = random.Random(LEADS)  # noqa: S311 - demo data, repeatable on purpose
    now = timezone.now()
    statuses = [
        (Lead.Status.NEW, 0.55),
        (Lead.Status.CONTACTING, 0.2),
        (Lead.Status.QUALIFIED, 0.1),
        (Lead.Status.DISQUALIFIED, 0.1),
        (Lead.Status.CONVERTED, 0.05),
    ]
    rows = []
    for index in range(missing):
        user = telemarketers[index % len(telemarketers)]
        status = rng.choices([s for s, _w in statuses], weights=[w for _s, w in statuses])[0]
        callback = None
        roll = rng.random()
        if status == Lead.Status.CONTACTING and roll < 0.3:
            callback = now - timedelta(minutes=rng.randrange(1, 60 * 24 * 3))
        elif status == Lead.Status.CONTACTING and roll < 0.7:
            callback = now + timedelta(minutes=rng.randrange(10, 60 * 24 * 7))
        rows.append(
            Lead(
                customer_id=customers[index % len(customers)],
                campaign=campaign,
                source=Lead.Source.IMPORT,
                status=status,
                assigned_to=user,
                team_id=user.team_id,
                score=rng.randrange(0, 101),
                callback_at=callback,
                call_count=0 if status == Lead.Status.NEW else rng.randrange(1, 6),
                last_called_at=None
                if status == Lead.Status.NEW
                else now - timedelta(days=rng.randrange(1, 30)),
            )
        )
    Lead.objects.bulk_create(rows, batch_size=5_000)


def _ensure_members(campaign: Campaign, count: int) -> None:
    missing = count - campaign.members.count()
    if missing <= 0:
        return
    customers = (
        Customer.objects.exclude(email="").exclude(campaign_memberships__campaign=campaign).order_by("pk")
    )
    CampaignMember.objects.bulk_create(
        [
            CampaignMember(campaign=campaign, customer_id=pk)
            for pk in customers.values_list("pk", flat=True)[:missing]
        ],
        batch_size=5_000,
        ignore_conflicts=True,
    )


def ensure_lead_fixtures() -> LeadFixtures:
    first = User.objects.get(username=TELEMARKETERS[0])
    team = first.team or Team.objects.get_or_create(name="Bogotá")[0]
    telemarketers = [_telemarketer(username, team) for username in TELEMARKETERS]
    marketer = User.objects.get(username="mercadeo")
    campaign = _campaign("Lista comprada (prueba de velocidad)", Campaign.Channel.PURCHASED_LIST, marketer)
    import_campaign = _campaign("Feria (prueba de velocidad)", Campaign.Channel.TRADE_SHOW, marketer)
    mailing_campaign = _campaign("Boletín (prueba de velocidad)", Campaign.Channel.EMAIL, marketer)
    _ensure_leads(telemarketers, campaign)
    _ensure_members(mailing_campaign, MAILING_RECIPIENTS)
    user = telemarketers[0]
    return LeadFixtures(
        telemarketer=user,
        team=team,
        campaign=campaign,
        import_campaign=import_campaign,
        mailing_campaign=mailing_campaign,
        leads=Lead.objects.count(),
        in_queue=Lead.objects.in_queue().filter(assigned_to=user).count(),
    )


# --- the call queue ---------------------------------------------------------------------


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    per_second: float
    queries: int


def _percentiles(seconds: list[float], queries: int) -> Timing:
    seconds.sort()
    return Timing(
        p50_ms=statistics.median(seconds) * 1000,
        p95_ms=seconds[max(0, math.ceil(len(seconds) * 0.95) - 1)] * 1000,
        per_second=len(seconds) / sum(seconds),
        queries=queries,
    )


def time_function(function, *, requests: int, warmup: int) -> Timing:
    for _index in range(warmup):
        function()
    seconds = []
    for _index in range(requests):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        function()
    return _percentiles(seconds, len(queries))


def _request(client: Client, url: str, status: int):
    response = client.get(url, secure=True)
    if response.status_code != status:
        raise BenchError(f"{url} answered {response.status_code}, expected {status}.")
    return response


def queue_timings(fixtures: LeadFixtures, *, requests: int, warmup: int) -> list[tuple[str, Timing]]:
    """The queue page (a redirect to the next lead), that lead's call screen, and the bare query."""
    user = fixtures.telemarketer
    client = logged_in_client(user)
    queue_url = reverse("leads:queue")
    lead = next_lead(user)
    if lead is None:
        raise BenchError(f"{user.username} has nothing to call.")
    call_url = reverse("leads:call", args=[lead.pk])
    location = _request(client, queue_url, 302)["Location"]
    if location != call_url:
        raise BenchError(f"The queue sent {user.username} to {location}, expected {call_url}.")
    return [
        (
            "queue page (redirect to the next lead)",
            time_function(lambda: _request(client, queue_url, 302), requests=requests, warmup=warmup),
        ),
        (
            "call screen of that lead",
            time_function(lambda: _request(client, call_url, 200), requests=requests, warmup=warmup),
        ),
        (
            "next-lead query alone (leads.queue.next_lead)",
            time_function(lambda: next_lead(user), requests=requests, warmup=warmup),
        ),
    ]


def queue_plan(fixtures: LeadFixtures) -> tuple[bool, str]:
    with CaptureQueriesContext(connection) as queries:
        next_lead(fixtures.telemarketer)
    plan = explain_analyze(queries.captured_queries[-1]["sql"])
    return QUEUE_INDEX in plan, plan


# --- the lead import --------------------------------------------------------------------

FIRST_NAMES = [
    "María",
    "José",
    "Luis",
    "Ana",
    "Carlos",
    "Sofía",
    "Andrés",
    "Camila",
    "Jorge",
    "Valentina",
    "Juan",
    "Daniela",
    "Felipe",
    "Laura",
    "Santiago",
    "Natalia",
    "Diego",
    "Paola",
    "Óscar",
    "Lucía",
]
LAST_NAMES = [
    "García",
    "Rodríguez",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Díaz",
    "Vargas",
    "Castro",
    "Muñoz",
    "Rojas",
    "Jiménez",
    "Moreno",
    "Ortiz",
    "Peña",
]
BUSINESSES = [
    "Distribuidora",
    "Comercializadora",
    "Ferretería",
    "Inversiones",
    "Servicios",
    "Papelería",
    "Transportes",
    "Construcciones",
    "Laboratorios",
    "Panadería",
    "Talleres",
    "Asesorías",
]
CITIES = [
    "Bogotá",
    "Medellín",
    "Cali",
    "Barranquilla",
    "Cartagena",
    "Bucaramanga",
    "Pereira",
    "Manizales",
    "Cúcuta",
    "Ibagué",
    "Santa Marta",
    "Villavicencio",
]
ROLES = [
    "Gerente general",
    "Jefe de compras",
    "Director financiero",
    "Asistente administrativa",
    "Propietario",
]
HEADERS = [
    "Razón social",
    "NIT",
    "Correo electrónico",
    "Teléfono",
    "Ciudad",
    "Nombre del contacto",
    "Cargo",
    "Correo del contacto",
    "Observaciones",
]


def purchased_list(rows: int = IMPORT_ROWS, *, matching: float = IMPORT_MATCHING, seed: int = 5) -> bytes:
    """A purchased list as a CSV file in memory: Spanish names, valid NITs, emails and phones;
    ``matching`` of the rows name an existing customer by its tax id, email or phone."""
    rng = random.Random(seed)  # noqa: S311 - demo data, repeatable on purpose
    matched = int(rows * matching)
    existing = list(
        Customer.objects.exclude(tax_id=None)
        .exclude(email="")
        .exclude(phone="")
        .order_by("pk")
        .values_list("legal_name", "tax_id", "email", "phone")[:matched]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for index in range(rows):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact = f"{first} {last} {rng.choice(LAST_NAMES)}"
        city = rng.choice(CITIES)
        if index % 5 == 0 and existing:
            name, tax_id, email, phone = existing[(index // 5) % len(existing)]
            kind = index // 5 % 3  # each existing customer found by one of its keys only
            tax_id, email, phone = (
                (tax_id, "", "") if kind == 0 else ("", email, "") if kind == 1 else ("", "", phone)
            )
        else:
            body = f"6{index:08d}"
            tax_id = f"{body}-{nit_check_digit(body)}"
            name = f"{rng.choice(BUSINESSES)} {last} {rng.choice(LAST_NAMES)} S.A.S."
            email = f"contacto{index}@{fold(last)}{index}.com.co"
            phone = f"+57 3{rng.randrange(10, 25)} {rng.randrange(100, 999)} {index % 10_000:04d}"
        writer.writerow(
            [
                name,
                tax_id,
                email,
                phone,
                city,
                contact,
                rng.choice(ROLES),
                f"{fold(first)}.{index}@correo.com.co",
                "Visitó el stand en la feria" if index % 7 == 0 else "",
            ]
        )
    return out.getvalue().encode()


@dataclass
class PreviewFigures:
    rows: int
    megabytes: float
    seconds: float
    counts: dict[str, int]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def preview_figures(data: bytes, campaign: Campaign) -> PreviewFigures:
    """What the upload and the preview step do with a file: read it, guess the mapping, validate
    and match every row, count the outcomes and pick the rows shown."""
    started = time.perf_counter()
    table = read_table(data)
    mapping = guess_mapping(table.headers)
    preview = build_preview(table, mapping, campaign_id=campaign.pk)
    counts = preview.counts()
    preview.shown_rows()
    seconds = time.perf_counter() - started
    return PreviewFigures(rows=len(table.rows), megabytes=len(data) / 1e6, seconds=seconds, counts=counts)


def import_seconds(data: bytes, campaign: Campaign, *, by: User, team: Team) -> tuple[int, float]:
    """Leads created and seconds of the background import of ``data``, rolled back afterwards."""
    table = read_table(data)
    record = LeadImport(
        campaign=campaign,
        uploaded_by=by,
        file_name="bench.csv",
        distribute_to_team=team,
        total_rows=len(table.rows),
        mapping={"headers": table.headers, "fields": guess_mapping(table.headers)},
        status=LeadImport.Status.IMPORTING,
        result={"summary": {}, "skipped": []},
    )
    record.file.save("bench.csv", ContentFile(data), save=False)
    created = 0
    try:
        with transaction.atomic():
            record.save()
            started = time.perf_counter()
            done = importer.run_import(lead_import_id=record.pk)
            seconds = time.perf_counter() - started
            created = done.created_leads
            raise _Rollback
    except _Rollback:
        pass
    finally:
        record.file.delete(save=False)
    return created, seconds


# --- the mailing ------------------------------------------------------------------------


def mailing_seconds(fixtures: LeadFixtures, *, by: User) -> tuple[int, int, float]:
    """Recipients (all, and those queued rather than skipped) and seconds of queueing a mailing
    to the campaign's members; rolled back, so nothing is sent."""
    try:
        with transaction.atomic():
            mailing = mailing_service.create_mailing(
                by=by,
                name="Boletín de prueba",
                subject="Novedades para {{ name }}",
                body="Hola {{ contact_name }}, tenemos novedades para {{ name }} en {{ city }}.",
                campaign=fixtures.mailing_campaign,
            )
            started = time.perf_counter()
            queued = mailing_service.queue_mailing(mailing=mailing, by=by)
            seconds = time.perf_counter() - started
            total = mailing.recipients.count()
            raise _Rollback
    except _Rollback:
        pass
    return total, queued, seconds
