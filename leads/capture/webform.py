"""The public web-to-lead form: who may post how often, and what an entry creates."""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction

from contacts.models import Contact, Customer, RelationshipType
from contacts.search import build_search_text, refresh_search_text
from contacts.validators import normalize_tax_id
from leads.capture.distribution import distribute_leads
from leads.capture.matching import MatchKeys, find_customer
from leads.models import Lead
from marketing.models import Campaign, CampaignMember

RATE_LIMIT = 5  # entries per address...
RATE_WINDOW_SECONDS = 10 * 60  # ...in this many seconds


def allow_entry(*, client_ip: str) -> bool:
    """Count one entry from this address; False once it has sent more than the limit in the window."""
    key = f"leads:web_form:{client_ip}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count <= RATE_LIMIT


def capture_web_lead(*, campaign: Campaign, data: dict[str, str]) -> Lead:
    """A lead in the campaign for the customer this entry names, creating a prospect if new.

    ``data`` holds the form's cleaned values: company, name, email, phone, tax_id, city,
    message. An existing customer is found by tax id, email or phone and is never copied.
    """
    try:
        return _capture(campaign, data)
    except IntegrityError:
        # The same tax id was registered a moment ago; the second attempt finds it.
        return _capture(campaign, data)


@transaction.atomic
def _capture(campaign: Campaign, data: dict[str, str]) -> Lead:
    keys = MatchKeys.of(
        tax_id=data.get("tax_id", ""), email=data.get("email", ""), phone=data.get("phone", "")
    )
    customer_id, _kind = find_customer(keys)
    contact = None
    name, company = data.get("name", "").strip(), data.get("company", "").strip()
    if customer_id is None:
        customer = Customer(
            legal_name=company or name,
            segment=Customer.Segment.LEGAL_ENTITY if company else Customer.Segment.NATURAL_PERSON,
            tax_id=normalize_tax_id(data.get("tax_id", "")) or None,
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            city=data.get("city", ""),
            lifecycle_stage=Customer.Stage.INTEREST,
            team=campaign.team,
        )
        customer.search_text = build_search_text(customer, [name] if company else [])
        customer.save()
        customer_id = customer.pk
        prospect = RelationshipType.objects.filter(code="prospect").first()
        if prospect:
            customer.relationship_types.add(prospect)
        if company and name:
            contact = Contact.objects.create(
                customer=customer, name=name, email=data.get("email", ""), phone=data.get("phone", "")
            )
    elif name and company:
        contact = _existing_contact(customer_id, name=name, email=data.get("email", ""))
        if contact is None:
            contact = Contact.objects.create(
                customer_id=customer_id, name=name, email=data.get("email", ""), phone=data.get("phone", "")
            )
            refresh_search_text([customer_id])
    lead = Lead.objects.create(
        customer_id=customer_id,
        contact=contact,
        campaign=campaign,
        source=Lead.Source.WEB_FORM,
        status=Lead.Status.NEW,
        team=campaign.team,
        notes=data.get("message", ""),
    )
    member, created = CampaignMember.objects.get_or_create(
        campaign=campaign, customer_id=customer_id, defaults={"status": CampaignMember.Status.RESPONDED}
    )
    if not created and member.status != CampaignMember.Status.RESPONDED:
        member.status = CampaignMember.Status.RESPONDED
        member.save(update_fields=["status"])
    if campaign.team_id:
        distribute_leads(leads_qs=Lead.objects.filter(pk=lead.pk), team=campaign.team)
        lead.refresh_from_db(fields=["assigned_to", "team"])
    return lead


def _existing_contact(customer_id: int, *, name: str, email: str) -> Contact | None:
    contacts = Contact.objects.filter(customer_id=customer_id)
    if email:
        found = contacts.filter(email__iexact=email).first()
        if found:
            return found
    return contacts.filter(name__iexact=name).first()
