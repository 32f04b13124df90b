"""Quote rules: numbering, editing with snapshots, sending, deciding, versions, clones, expiry."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Activity
from sales.models import Quote, QuoteLine, SalesSettings
from sales.services import quotes as services
from sales.services.quotes import LineInput, QuoteError
from sales.tasks import expire_quotes_task, store_quote_pdf_task
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, ProductFactory, QuoteFactory, stage

D = Decimal
BOGOTA = ZoneInfo("America/Bogota")


@pytest.fixture
def opportunity(customer, rep):
    return OpportunityFactory(customer=customer, owner=rep, name="Renovación de licencias")


@pytest.fixture
def product(db):
    return ProductFactory(
        code="ERP-1",
        name="Licencia ERP",
        unit_price=D("1000000.00"),
        unit_cost=D("400000.00"),
        tax_rate=D(19),
    )


def quote_with_lines(opportunity, rep, *entries: LineInput) -> Quote:
    quote = services.create_quote(opportunity=opportunity, by=rep)
    return services.update_quote(
        quote=quote, by=rep, valid_until=quote.valid_until, notes="", terms=quote.terms, lines=list(entries)
    )


@pytest.fixture
def draft(opportunity, rep, product):
    return quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(1)))


# --- Numbering ---------------------------------------------------------------------------


def test_quotes_are_numbered_per_year_without_gaps(opportunity, rep):
    year = timezone.localdate().year
    first = services.create_quote(opportunity=opportunity, by=rep)
    second = services.create_quote(opportunity=opportunity, by=rep)

    assert first.number == f"COT-{year}-00001"
    assert second.number == f"COT-{year}-00002"
    assert first.version == second.version == 1


def test_a_quote_that_is_not_saved_gives_its_number_back(opportunity, rep):
    year = timezone.localdate().year
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_quote(opportunity=opportunity, by=rep)
        raise RuntimeError("the request failed after the number was taken")

    assert services.create_quote(opportunity=opportunity, by=rep).number == f"COT-{year}-00001"


def test_numbering_starts_again_each_year(opportunity, rep):
    with time_machine.travel(datetime(2030, 12, 31, 23, 0, tzinfo=BOGOTA), tick=False):
        services.create_quote(opportunity=opportunity, by=rep)
        last_of_year = services.create_quote(opportunity=opportunity, by=rep)
    with time_machine.travel(datetime(2031, 1, 1, 0, 30, tzinfo=BOGOTA), tick=False):
        first_of_year = services.create_quote(opportunity=opportunity, by=rep)

    assert last_of_year.number == "COT-2030-00002"
    assert first_of_year.number == "COT-2031-00001"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite writes one at a time"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_quotes_get_distinct_consecutive_numbers(rep):
    opportunity = OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep)
    start = threading.Barrier(8)
    numbers, errors = [], []

    def create() -> None:
        try:
            start.wait()
            numbers.append(services.create_quote(opportunity=opportunity, by=rep).number)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    year = timezone.localdate().year
    assert errors == []
    assert sorted(numbers) == [f"COT-{year}-{n:05d}" for n in range(1, 9)]


# --- Creating and editing ----------------------------------------------------------------


def test_a_new_quote_takes_validity_and_terms_from_the_sales_settings(opportunity, rep):
    rules = SalesSettings.load()
    rules.quote_validity_days = 15
    rules.default_terms = "Pago a 30 días."
    rules.save()

    quote = services.create_quote(opportunity=opportunity, by=rep)

    assert quote.status == Quote.Status.DRAFT
    assert quote.customer == opportunity.customer
    assert quote.issued_on == timezone.localdate()
    assert quote.valid_until == timezone.localdate() + timedelta(days=15)
    assert quote.terms == "Pago a 30 días."
    assert quote.created_by == rep


def test_no_quote_on_a_closed_opportunity(rep, customer):
    won = OpportunityFactory(customer=customer, owner=rep, stage=stage("Won"))
    with pytest.raises(QuoteError):
        services.create_quote(opportunity=won, by=rep)


def test_a_new_line_copies_the_catalogue_as_a_snapshot(draft, product, rep):
    line = draft.lines.get()
    product.unit_price = D("2000000.00")
    product.tax_rate = D(5)
    product.save()

    assert (line.description, line.unit_price, line.unit_cost, line.tax_rate) == (
        "Licencia ERP",
        D("1000000.00"),
        D("400000.00"),
        D(19),
    )
    draft.refresh_from_db()
    assert draft.total == D("1190000.00")
    assert draft.cost_total == D("400000.00")


def test_editing_lines_changes_quantity_discount_price_and_removes_the_rest(opportunity, rep, product):
    other = ProductFactory(unit_price=D("50000.00"), unit_cost=D(0), tax_rate=D(0))
    quote = quote_with_lines(
        opportunity, rep, LineInput(product=product, quantity=D(1)), LineInput(product=other, quantity=D(3))
    )
    first, second = quote.lines.all()

    quote = services.update_quote(
        quote=quote,
        by=rep,
        valid_until=quote.valid_until,
        notes="Incluye instalación.",
        terms="",
        lines=[
            LineInput(
                line_id=first.pk,
                quantity=D(2),
                discount_percent=D(10),
                unit_price=D("900000.00"),
                description="Licencia ERP anual",
            )
        ],
    )

    line = quote.lines.get()
    assert line.pk == first.pk
    assert (line.quantity, line.discount_percent, line.unit_price, line.description) == (
        D(2),
        D(10),
        D("900000.00"),
        "Licencia ERP anual",
    )
    assert not QuoteLine.objects.filter(pk=second.pk).exists()
    # 2 × 900,000 = 1,800,000; −10 % = 1,620,000; +19 % = 1,927,800.
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        D("1800000.00"),
        D("180000.00"),
        D("307800.00"),
        D("1927800.00"),
    )
    assert quote.notes == "Incluye instalación."


def test_a_line_of_another_quote_cannot_be_edited_through_this_one(draft, opportunity, rep, product):
    other = quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(1)))
    foreign = other.lines.get()

    with pytest.raises(QuoteError):
        services.update_quote(
            quote=draft,
            by=rep,
            valid_until=draft.valid_until,
            notes="",
            terms="",
            lines=[LineInput(line_id=foreign.pk, quantity=D(99))],
        )

    foreign.refresh_from_db()
    assert foreign.quantity == 1


def test_only_drafts_can_be_edited(draft, rep):
    services.send_quote(quote=draft, by=rep)
    with pytest.raises(QuoteError):
        services.update_quote(
            quote=draft, by=rep, valid_until=draft.valid_until, notes="", terms="", lines=[]
        )
    assert draft.lines.count() == 1


# --- Sending -----------------------------------------------------------------------------


def test_sending_records_who_and_when_and_logs_an_email_on_the_customer(draft, rep):
    quote = services.send_quote(quote=draft, by=rep)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert quote.sent_by == rep
    assert quote.sent_at is not None
    activity = Activity.objects.get(customer=quote.customer, kind=Activity.Kind.EMAIL)
    assert activity.user == rep
    assert quote.number in activity.subject
    assert activity.related_type == ContentType.objects.get_for_model(Quote)
    assert activity.related_id == quote.pk


def test_sending_brings_an_earlier_opportunity_to_the_proposal_stage(draft, rep):
    services.send_quote(quote=draft, by=rep)
    draft.opportunity.refresh_from_db()
    assert draft.opportunity.stage == stage("Proposal")
    assert draft.opportunity.stage_changes.filter(to_stage=stage("Proposal")).exists()


def test_sending_leaves_a_later_stage_alone(rep, customer, product):
    opportunity = OpportunityFactory(customer=customer, owner=rep, stage=stage("Negotiation"))
    quote = quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(1)))

    services.send_quote(quote=quote, by=rep)

    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Negotiation")


def test_a_quote_without_lines_cannot_be_sent(opportunity, rep):
    quote = services.create_quote(opportunity=opportunity, by=rep)
    with pytest.raises(QuoteError, match="at least one line"):
        services.send_quote(quote=quote, by=rep)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
    assert not Activity.objects.exists()


def test_a_quote_is_sent_once(draft, rep):
    services.send_quote(quote=draft, by=rep)
    with pytest.raises(QuoteError):
        services.send_quote(quote=draft, by=rep)
    assert Activity.objects.filter(kind=Activity.Kind.EMAIL).count() == 1


def test_the_sent_pdf_is_kept_on_the_quote_once(
    draft, rep, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        services.send_quote(quote=draft, by=rep)

    draft.refresh_from_db()
    assert draft.pdf.name.endswith(f"{draft.number}-v1.pdf")
    stored = tmp_path / draft.pdf.name
    assert stored.read_bytes().startswith(b"%PDF")

    assert store_quote_pdf_task.delay(quote_id=draft.pk).get() is False  # a second run changes nothing
    draft.refresh_from_db()
    assert list((tmp_path / "quotes").rglob("*.pdf")) == [stored]


# --- Deciding ----------------------------------------------------------------------------


def test_accepting_wins_the_opportunity_and_rejects_its_other_sent_quotes(opportunity, rep, product):
    chosen = quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(1)))
    competing = quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(2)))
    draft = quote_with_lines(opportunity, rep, LineInput(product=product, quantity=D(3)))
    elsewhere = quote_with_lines(
        OpportunityFactory(customer=opportunity.customer, owner=rep),
        rep,
        LineInput(product=product, quantity=D(1)),
    )
    for quote in (chosen, competing, elsewhere):
        services.send_quote(quote=quote, by=rep)

    services.accept_quote(quote=chosen, by=rep)

    statuses = {q.pk: q.status for q in Quote.objects.all()}
    assert statuses == {
        chosen.pk: Quote.Status.ACCEPTED,
        competing.pk: Quote.Status.REJECTED,
        draft.pk: Quote.Status.DRAFT,
        elsewhere.pk: Quote.Status.SENT,
    }
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Won")
    assert opportunity.closed_on == timezone.localdate()
    chosen.refresh_from_db()
    assert chosen.decided_at is not None


def test_rejecting_a_sent_quote(draft, rep):
    services.send_quote(quote=draft, by=rep)
    services.reject_quote(quote=draft, by=rep)
    draft.refresh_from_db()
    assert draft.status == Quote.Status.REJECTED
    draft.opportunity.refresh_from_db()
    assert not draft.opportunity.stage.is_closed


@pytest.mark.parametrize("action", [services.accept_quote, services.reject_quote])
def test_only_sent_quotes_are_decided(draft, rep, action):
    with pytest.raises(QuoteError):
        action(quote=draft, by=rep)
    draft.refresh_from_db()
    assert draft.status == Quote.Status.DRAFT


# --- Expiry ------------------------------------------------------------------------------


def test_the_expiry_task_expires_old_sent_quotes_and_is_safe_to_run_twice(opportunity, rep):
    today = timezone.localdate()
    old = QuoteFactory(
        opportunity=opportunity, status=Quote.Status.SENT, valid_until=today - timedelta(days=1)
    )
    last_day = QuoteFactory(opportunity=opportunity, status=Quote.Status.SENT, valid_until=today)
    old_draft = QuoteFactory(opportunity=opportunity, valid_until=today - timedelta(days=10))
    accepted = QuoteFactory(
        opportunity=opportunity, status=Quote.Status.ACCEPTED, valid_until=today - timedelta(days=10)
    )

    assert expire_quotes_task.delay().get() == 1
    assert expire_quotes_task.delay().get() == 0

    statuses = {q.pk: q.status for q in Quote.objects.all()}
    assert statuses == {
        old.pk: Quote.Status.EXPIRED,
        last_day.pk: Quote.Status.SENT,
        old_draft.pk: Quote.Status.DRAFT,
        accepted.pk: Quote.Status.ACCEPTED,
    }


# --- Versions ----------------------------------------------------------------------------


def test_revising_a_sent_quote_makes_a_draft_version_with_the_same_number(draft, rep):
    services.send_quote(quote=draft, by=rep)

    revision = services.revise_quote(quote=draft, by=rep)

    assert (revision.number, revision.version, revision.status) == (draft.number, 2, Quote.Status.DRAFT)
    assert revision.revision_of == draft
    assert revision.total == draft.total
    assert [(line.product_id, line.unit_price) for line in revision.lines.all()] == [
        (line.product_id, line.unit_price) for line in draft.lines.all()
    ]
    draft.refresh_from_db()
    assert draft.status == Quote.Status.SENT  # the old one stays as it was sent
    assert Quote.objects.filter(number=draft.number).count() == 2


def test_versions_count_up_and_only_the_latest_is_revised(draft, rep):
    services.send_quote(quote=draft, by=rep)
    services.reject_quote(quote=draft, by=rep)
    second = services.revise_quote(quote=draft, by=rep)

    with pytest.raises(QuoteError, match="already a draft"):
        services.revise_quote(quote=draft, by=rep)

    services.send_quote(quote=second, by=rep)
    with pytest.raises(QuoteError, match="latest version"):
        services.revise_quote(quote=draft, by=rep)

    third = services.revise_quote(quote=second, by=rep)
    assert [q.version for q in Quote.objects.filter(number=draft.number).order_by("version")] == [1, 2, 3]
    assert third.revision_of == second


@pytest.mark.parametrize("status", [Quote.Status.DRAFT, Quote.Status.ACCEPTED])
def test_drafts_and_accepted_quotes_are_not_revised(draft, rep, status):
    Quote.objects.filter(pk=draft.pk).update(status=status)
    with pytest.raises(QuoteError):
        services.revise_quote(quote=draft, by=rep)


# --- Clones ------------------------------------------------------------------------------


def test_cloning_starts_a_new_quote_for_another_opportunity(draft, rep, customer):
    services.send_quote(quote=draft, by=rep)
    target = OpportunityFactory(customer=customer, owner=rep, name="Ampliación")

    clone = services.clone_quote(quote=draft, opportunity=target, by=rep)

    assert clone.number != draft.number
    assert (clone.version, clone.status, clone.cloned_from, clone.opportunity) == (
        1,
        Quote.Status.DRAFT,
        draft,
        target,
    )
    assert clone.revision_of is None
    assert clone.lines.count() == 1
    assert clone.total == draft.total
    draft.refresh_from_db()
    assert draft.status == Quote.Status.SENT


def test_a_clone_stays_with_the_same_customer(draft, rep):
    stranger = OpportunityFactory(customer=CustomerFactory(owner=rep), owner=rep)
    with pytest.raises(QuoteError):
        services.clone_quote(quote=draft, opportunity=stranger, by=rep)
