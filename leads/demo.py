"""Demo campaigns and leads, so that marketing and telemarketing have work on a first run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Customer
from crm.accounts.models import User
from leads.models import Lead
from marketing.models import Campaign, CampaignMember

# name, channel, status, days from today to start, length in days, budget and cost in COP
CAMPAIGNS = [
    (
        "Feria Expo Tecnología Bogotá",
        Campaign.Channel.TRADE_SHOW,
        Campaign.Status.COMPLETED,
        -60,
        3,
        25_000_000,
        23_500_000,
    ),
    (
        "Base de datos comprada: sector salud",
        Campaign.Channel.PURCHASED_LIST,
        Campaign.Status.ACTIVE,
        -20,
        90,
        8_000_000,
        8_000_000,
    ),
    (
        "Formulario web: prueba gratuita",
        Campaign.Channel.WEB_FORM,
        Campaign.Status.ACTIVE,
        -45,
        180,
        3_000_000,
        1_200_000,
    ),
    (
        "Boletín trimestral por actividad económica",
        Campaign.Channel.EMAIL,
        Campaign.Status.PLANNED,
        10,
        30,
        1_500_000,
        0,
    ),
]
NEEDS = [
    "Facturación electrónica para tres sedes",
    "Reemplazar el ERP actual antes de fin de año",
    "Control de inventario en bodega",
    "Nómina electrónica",
    "Portal de autoservicio para clientes",
]


@dataclass(frozen=True)
class LeadsDemoResult:
    campaigns: int
    members: int
    leads: int


@transaction.atomic
def seed_leads_demo(
    *,
    rng: random.Random,
    customers: QuerySet[Customer],
    leads: int,
    telemarketers: list[User],
    owner: User | None,
) -> LeadsDemoResult:
    """Add the demo campaigns (once) and ``leads`` leads over ``customers``, spread over the telemarketers."""
    today = timezone.localdate()
    campaigns = []
    for name, channel, status, start, length, budget, cost in CAMPAIGNS:
        campaign, _created = Campaign.objects.get_or_create(
            name=name,
            defaults={
                "channel": channel,
                "status": status,
                "start_date": today + timedelta(days=start),
                "end_date": today + timedelta(days=start + length),
                "budget": Decimal(budget),
                "actual_cost": Decimal(cost),
                "owner": owner,
                "description": "Presente la empresa, confirme quién decide la compra y pregunte "
                "por la necesidad, el presupuesto y el plazo.",
                "web_form_enabled": channel == Campaign.Channel.WEB_FORM,
            },
        )
        campaigns.append(campaign)
    targets = list(customers.order_by("?").values_list("pk", "team_id")[: leads * 2])
    members = [CampaignMember(campaign=rng.choice(campaigns[:3]), customer_id=pk) for pk, _team in targets]
    CampaignMember.objects.bulk_create(members, ignore_conflicts=True, batch_size=2000)
    now = timezone.now()
    new_leads = []
    for index, (pk, _team) in enumerate(targets[:leads]):
        telemarketer = telemarketers[index % len(telemarketers)] if telemarketers else None
        # The first few are always new, so that even a small demo has a queue to work.
        status = (
            Lead.Status.NEW
            if index < 3
            else rng.choices(
                [Lead.Status.NEW, Lead.Status.CONTACTING, Lead.Status.QUALIFIED, Lead.Status.DISQUALIFIED],
                weights=[6, 3, 1, 1],
            )[0]
        )
        callback = None
        if status == Lead.Status.CONTACTING and rng.random() < 0.5:
            callback = now + timedelta(hours=rng.randint(-48, 72))
        new_leads.append(
            Lead(
                customer_id=pk,
                campaign=rng.choice(campaigns[:3]),
                source=rng.choice([Lead.Source.IMPORT, Lead.Source.WEB_FORM, Lead.Source.EVENT]),
                status=status,
                assigned_to=telemarketer,
                team=telemarketer.team if telemarketer else None,
                score=rng.randint(0, 100),
                need=rng.choice(NEEDS) if status != Lead.Status.NEW else "",
                callback_at=callback,
                call_count=0 if status == Lead.Status.NEW else rng.randint(1, 4),
            )
        )
    Lead.objects.bulk_create(new_leads, batch_size=2000)
    return LeadsDemoResult(campaigns=len(campaigns), members=len(members), leads=len(new_leads))
