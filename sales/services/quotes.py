"""Writes on quotes: numbering, editing lines, sending, deciding, revising, cloning, expiry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from contacts.models import Activity
from contacts.services import log_activity
from crm.accounts.models import User
from sales import pricing
from sales.models import Opportunity, Product, Quote, QuoteLine, SalesSettings, Stage
from sales.models.quotes import QuoteNumberSequence
from sales.pdf import quote_filename, render_quote_pdf
from sales.services import pipeline

NUMBER_FORMAT = "COT-{year}-{number:05d}"
# The seeded stage a sent quote brings an earlier opportunity to.
PROPOSAL_STAGE = "Proposal"
LINE_FIELDS = [
    "position",
    "description",
    "quantity",
    "unit_price",
    "unit_cost",
    "discount_percent",
    "tax_rate",
]


class QuoteError(Exception):
    """The quote's state does not allow the action; the message says why, for the user."""


@dataclass(frozen=True)
class LineInput:
    """A line as the rep typed it: an existing line (``line_id``) or a new one (``product``).

    A ``unit_price`` of None keeps the line's price, or takes the product's for a new line;
    a blank description does the same with the description.
    """

    quantity: Decimal
    discount_percent: Decimal = Decimal(0)
    unit_price: Decimal | None = None
    description: str = ""
    product: Product | None = None
    line_id: int | None = None


def next_quote_number(*, year: int) -> str:
    """Take the year's next number.

    The sequence row stays locked until the caller's transaction ends, so concurrent
    quotes wait their turn; a rolled-back quote gives its number back, leaving no gap.
    """
    with transaction.atomic():
        QuoteNumberSequence.objects.get_or_create(year=year)
        sequence = QuoteNumberSequence.objects.select_for_update().get(year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return NUMBER_FORMAT.format(year=year, number=sequence.last)


def build_lines(*, existing: dict[int, QuoteLine], lines: Sequence[LineInput]) -> list[QuoteLine]:
    """Unsaved lines, in order, with snapshot prices: kept from the line, or copied from the product."""
    built = []
    for position, entry in enumerate(lines):
        if entry.line_id is not None:
            if entry.line_id not in existing:
                raise QuoteError(_("A line was removed meanwhile; reload the quote and try again."))
            old = existing[entry.line_id]
            line = QuoteLine(
                pk=old.pk,
                product_id=old.product_id,
                description=entry.description or old.description,
                unit_price=old.unit_price if entry.unit_price is None else entry.unit_price,
                unit_cost=old.unit_cost,
                tax_rate=old.tax_rate,
            )
        elif entry.product is not None:
            product = entry.product
            # Snapshot: what the catalogue says now is what this quote offers.
            line = QuoteLine(
                product=product,
                description=entry.description or product.name,
                unit_price=product.unit_price if entry.unit_price is None else entry.unit_price,
                unit_cost=product.unit_cost,
                tax_rate=product.tax_rate,
            )
        else:
            raise QuoteError(_("Choose a product for each new line."))
        line.position = position
        line.quantity = entry.quantity
        line.discount_percent = entry.discount_percent
        built.append(line)
    return built


def totals_of(lines: Iterable[QuoteLine]) -> pricing.Totals:
    return pricing.compute_totals(line.priced for line in lines)


def _store_totals(quote: Quote, totals: pricing.Totals) -> None:
    quote.subtotal = totals.subtotal
    quote.discount_total = totals.discount
    quote.tax_total = totals.tax
    quote.total = totals.total
    quote.cost_total = totals.cost


def _locked(quote: Quote) -> Quote:
    # Only the quote's row is locked, not the customer, opportunity and stage joined to it.
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("customer", "opportunity__stage")
        .get(pk=quote.pk)
    )


def _require_open(opportunity: Opportunity) -> None:
    if opportunity.stage.is_closed:
        raise QuoteError(_("The opportunity is closed; reopen it to quote again."))


def default_valid_until(rules: SalesSettings | None = None) -> date:
    rules = rules or SalesSettings.load()
    return timezone.localdate() + timedelta(days=rules.quote_validity_days)


@transaction.atomic
def create_quote(
    *,
    opportunity: Opportunity,
    by: User,
    valid_until: date | None = None,
    notes: str = "",
    terms: str | None = None,
) -> Quote:
    """A draft quote with the next number, valid for the configured days, with the default terms."""
    _require_open(opportunity)
    rules = SalesSettings.load()
    today = timezone.localdate()
    return Quote.objects.create(
        opportunity=opportunity,
        customer_id=opportunity.customer_id,
        number=next_quote_number(year=today.year),
        version=1,
        issued_on=today,
        valid_until=valid_until or default_valid_until(rules),
        notes=notes,
        terms=rules.default_terms if terms is None else terms,
        created_by=by,
    )


@transaction.atomic
def update_quote(
    *, quote: Quote, by: User, valid_until: date, notes: str, terms: str, lines: Sequence[LineInput]
) -> Quote:
    """Save a draft's header and its complete list of lines; lines left out are removed."""
    current = _locked(quote)
    if not current.is_editable:
        raise QuoteError(_("Only a draft can be changed; revise the quote to make a new version."))
    existing = {line.pk: line for line in current.lines.all()}
    new_lines = build_lines(existing=existing, lines=lines)
    for line in new_lines:
        line.quote = current
    kept = [line for line in new_lines if line.pk]
    current.lines.exclude(pk__in=[line.pk for line in kept]).delete()
    QuoteLine.objects.bulk_update(kept, LINE_FIELDS)
    QuoteLine.objects.bulk_create([line for line in new_lines if not line.pk])
    current.valid_until = valid_until
    current.notes = notes
    current.terms = terms
    _store_totals(current, totals_of(new_lines))
    current.save()
    return current


def _advance_to_proposal(opportunity: Opportunity, by: User) -> None:
    proposal = Stage.objects.filter(name=PROPOSAL_STAGE, is_active=True).first()
    stage = opportunity.stage
    if proposal is not None and not stage.is_closed and stage.order < proposal.order:
        pipeline.move_opportunity(opportunity=opportunity, stage=proposal, by=by)


def _enqueue_pdf(quote_id: int) -> None:
    from sales.tasks import store_quote_pdf_task  # the tasks module imports this one

    store_quote_pdf_task.delay(quote_id=quote_id)


@transaction.atomic
def send_quote(*, quote: Quote, by: User) -> Quote:
    """Mark the draft sent, log the email on the customer, bring the opportunity to Proposal.

    The PDF the customer receives is rendered and kept on the quote after commit.
    """
    current = _locked(quote)
    if current.status != Quote.Status.DRAFT:
        raise QuoteError(_("Only a draft can be sent."))
    if not current.lines.exists():
        raise QuoteError(_("Add at least one line before sending the quote."))
    current.status = Quote.Status.SENT
    current.sent_at = timezone.now()
    current.sent_by = by
    current.save(update_fields=["status", "sent_at", "sent_by"])
    # The timeline is read by every department: written in the company's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Quote %(number)s (version %(version)s) sent") % {
            "number": current.number,
            "version": current.version,
        }
        notes = _("Total %(total)s %(currency)s, valid until %(date)s.") % {
            "total": number_format(current.total, decimal_pos=2, force_grouping=True),
            "currency": current.currency,
            "date": current.valid_until.isoformat(),
        }
    log_activity(
        customer=current.customer,
        by=by,
        kind=Activity.Kind.EMAIL,
        subject=subject,
        notes=notes,
        related=current,
    )
    _advance_to_proposal(current.opportunity, by)
    # Robust: the quote is sent whatever the broker says; without a kept file the PDF is
    # rendered at download instead.
    transaction.on_commit(lambda: _enqueue_pdf(current.pk), robust=True)
    return current


@transaction.atomic
def accept_quote(*, quote: Quote, by: User) -> Quote:
    """The customer said yes: the opportunity is won and its other sent quotes are rejected."""
    current = _locked(quote)
    if current.status != Quote.Status.SENT:
        raise QuoteError(_("Only a sent quote can be accepted."))
    now = timezone.now()
    current.status = Quote.Status.ACCEPTED
    current.decided_at = now
    current.save(update_fields=["status", "decided_at"])
    Quote.objects.filter(opportunity_id=current.opportunity_id, status=Quote.Status.SENT).exclude(
        pk=current.pk
    ).update(status=Quote.Status.REJECTED, decided_at=now)
    if not current.opportunity.stage.is_won:
        try:
            pipeline.win_opportunity(opportunity=current.opportunity, by=by)
        except pipeline.NoWonStageError as error:
            raise QuoteError(str(error)) from error
    return current


@transaction.atomic
def reject_quote(*, quote: Quote, by: User) -> Quote:
    current = _locked(quote)
    if current.status != Quote.Status.SENT:
        raise QuoteError(_("Only a sent quote can be rejected."))
    current.status = Quote.Status.REJECTED
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_at"])
    return current


@transaction.atomic
def expire_quotes(*, today: date | None = None) -> int:
    """Sent quotes whose last valid day has passed become expired; returns how many changed."""
    today = today or timezone.localdate()
    return Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today).update(
        status=Quote.Status.EXPIRED
    )


def _copy(source: Quote, *, by: User, **fields) -> Quote:
    today = timezone.localdate()
    copy = Quote.objects.create(
        customer_id=source.customer_id,
        issued_on=today,
        valid_until=default_valid_until(),
        notes=source.notes,
        terms=source.terms,
        currency=source.currency,
        subtotal=source.subtotal,
        discount_total=source.discount_total,
        tax_total=source.tax_total,
        total=source.total,
        cost_total=source.cost_total,
        created_by=by,
        **fields,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=copy,
            product_id=line.product_id,
            **{name: getattr(line, name) for name in LINE_FIELDS},
        )
        for line in source.lines.all()
    )
    return copy


REVISABLE = {Quote.Status.SENT, Quote.Status.REJECTED, Quote.Status.EXPIRED}


@transaction.atomic
def revise_quote(*, quote: Quote, by: User) -> Quote:
    """A new draft version with the same number, copied from ``quote``, which stays as it was."""
    current = _locked(quote)
    if current.status not in REVISABLE:
        raise QuoteError(_("Only a sent, rejected or expired quote can be revised."))
    _require_open(current.opportunity)
    versions = list(Quote.objects.select_for_update().filter(number=current.number).order_by("version"))
    latest = versions[-1]
    if latest.status == Quote.Status.DRAFT:
        raise QuoteError(
            _("Version %(version)s is already a draft: change that one.") % {"version": latest.version}
        )
    if latest.pk != current.pk:
        raise QuoteError(_("Revise the latest version (version %(version)s).") % {"version": latest.version})
    return _copy(
        current,
        by=by,
        opportunity_id=current.opportunity_id,
        number=current.number,
        version=latest.version + 1,
        revision_of=current,
    )


@transaction.atomic
def clone_quote(*, quote: Quote, opportunity: Opportunity, by: User) -> Quote:
    """A new quote (new number, version 1) for ``opportunity``, starting from ``quote``'s lines."""
    if opportunity.customer_id != quote.customer_id:
        raise QuoteError(_("A quote can only be cloned for the same customer."))
    _require_open(opportunity)
    return _copy(
        quote,
        by=by,
        opportunity=opportunity,
        number=next_quote_number(year=timezone.localdate().year),
        version=1,
        cloned_from=quote,
    )


@transaction.atomic
def store_quote_pdf(*, quote: Quote) -> bool:
    """Keep the PDF of a sent quote on it, once; False when there was nothing to do."""
    if quote.pdf or quote.status == Quote.Status.DRAFT:
        return False
    quote.pdf.save(quote_filename(quote), ContentFile(render_quote_pdf(quote)), save=False)
    # Two runs at once: the first to record its file wins, the other removes its copy.
    if not Quote.objects.filter(pk=quote.pk, pdf="").update(pdf=quote.pdf.name):
        quote.pdf.storage.delete(quote.pdf.name)
        return False
    return True
