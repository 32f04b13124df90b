"""Sales demo data: a believable catalogue, pipeline, history and quotes, written in bulk."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from contacts.models import Activity, Customer
from crm.accounts.roles import Role
from sales import pricing
from sales.demo import seed_sales_demo
from sales.models import InstalledProduct, Opportunity, Product, Quote, StageChange
from sales.models.quotes import QuoteNumberSequence
from sales.services.catalog import add_months
from tests.factories import CustomerFactory, user_with_role
from tests.sales.factories import InstalledProductFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(rep, teammate, other_team_rep, north):
    """Customers owned by three reps, some left to a team, some to nobody."""
    rows = [CustomerFactory(owner=owner) for owner in (rep, teammate, other_team_rep) for _index in range(10)]
    rows += [CustomerFactory(owner=None, team=north) for _index in range(5)]
    rows += [CustomerFactory(owner=None, team=None) for _index in range(5)]
    return Customer.objects.filter(pk__in=[customer.pk for customer in rows])


@pytest.fixture
def seeded(customers, rep, teammate, other_team_rep):
    return seed_sales_demo(
        rng=random.Random(3), customers=customers, opportunities=80, owners=[rep, teammate, other_team_rep]
    )


def test_the_catalogue_is_a_colombian_software_house(seeded):
    products = list(Product.objects.all())
    assert 12 <= len(products) <= 20
    names = {product.name for product in products}
    assert "Licencia ERP anual" in names
    licences = [product for product in products if product.is_licence]
    assert licences
    assert all(product.licence_term_months == 12 for product in licences)
    assert any(product.code.startswith("SRV") for product in products)
    assert any(product.code.startswith("HW") for product in products)
    for product in products:
        assert Decimal(100_000) <= product.unit_price <= Decimal(50_000_000)
        assert product.unit_cost < product.unit_price
    assert seeded.products == len(products)


def test_the_catalogue_is_created_once(seeded, customers, rep):
    again = seed_sales_demo(rng=random.Random(4), customers=customers, opportunities=2, owners=[rep])
    assert again.products == 0
    assert Product.objects.count() == seeded.products


def test_open_and_closed_opportunities_in_the_asked_numbers(seeded):
    assert Opportunity.objects.open().count() == 80 == seeded.open
    assert Opportunity.objects.exclude(closed_on=None).count() == 20
    assert Opportunity.objects.count() == seeded.opportunities == 100
    open_stages = set(Opportunity.objects.open().values_list("stage__name", flat=True))
    assert {"Prospecting", "Qualification", "Negotiation"} <= open_stages


def test_opportunities_go_to_the_customers_owner_or_a_rep_of_its_team(seeded, rep, teammate, other_team_rep):
    reps = {rep.pk, teammate.pk, other_team_rep.pk}
    for opportunity in Opportunity.objects.select_related("customer", "owner"):
        customer = opportunity.customer
        if customer.owner_id:
            assert opportunity.owner_id == customer.owner_id
        else:
            assert opportunity.owner_id in reps
            if customer.team_id:
                assert opportunity.owner.team_id == customer.team_id
        assert opportunity.team_id == opportunity.owner.team_id


def test_reps_see_their_opportunities(seeded, rep, other_team_rep):
    mine = Opportunity.objects.visible_to(rep)
    assert mine.exists()
    assert not mine.filter(owner=other_team_rep).exists()


def test_amounts_and_dates_look_real(seeded):
    today = timezone.localdate()
    for opportunity in Opportunity.objects.select_related("stage"):
        assert Decimal(2_000_000) <= opportunity.amount <= Decimal(200_000_000)
        if opportunity.stage.is_closed:
            assert today - timedelta(days=90) <= opportunity.closed_on <= today
            assert opportunity.probability == opportunity.stage.default_probability
        else:
            assert opportunity.closed_on is None
            assert (
                today - timedelta(days=90) <= opportunity.expected_close_date <= today + timedelta(days=270)
            )
            assert 0 < opportunity.probability < 100
        assert opportunity.created_at <= opportunity.stage_changed_at <= timezone.now()


def test_lost_opportunities_say_why(seeded):
    lost = Opportunity.objects.lost()
    assert lost.exists()
    assert not lost.filter(lost_reason=None).exists()
    assert not Opportunity.objects.exclude(stage__is_lost=True).exclude(lost_reason=None).exists()


def test_each_opportunity_has_its_stage_history(seeded):
    assert StageChange.objects.count() == seeded.stage_changes
    for opportunity in Opportunity.objects.prefetch_related("stage_changes"):
        changes = sorted(opportunity.stage_changes.all(), key=lambda change: change.changed_at)
        assert changes[0].from_stage_id is None
        assert changes[0].changed_at == opportunity.created_at
        assert changes[-1].to_stage_id == opportunity.stage_id
        assert changes[-1].changed_at == opportunity.stage_changed_at
        for before, after in pairwise(changes):
            assert after.from_stage_id == before.to_stage_id
        assert all(change.changed_by_id == opportunity.owner_id for change in changes)
    won = Opportunity.objects.won().first()
    assert won.stage_changes.count() == 6  # through every open stage, then won


def test_quotes_carry_lines_and_exact_totals(seeded):
    quotes = list(Quote.objects.prefetch_related("lines").select_related("opportunity__stage"))
    assert quotes
    assert len(quotes) == seeded.quotes
    for quote in quotes:
        lines = list(quote.lines.all())
        assert lines
        totals = pricing.compute_totals(line.priced for line in lines)
        assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total, quote.cost_total) == (
            totals.subtotal,
            totals.discount,
            totals.tax,
            totals.total,
            totals.cost,
        )
        assert quote.opportunity.amount == totals.net
        assert quote.customer_id == quote.opportunity.customer_id
        stage = quote.opportunity.stage
        if stage.is_won:
            assert quote.status == Quote.Status.ACCEPTED
        elif stage.is_lost:
            assert quote.status == Quote.Status.REJECTED
        if quote.status != Quote.Status.DRAFT:
            assert quote.sent_at and quote.sent_by_id == quote.opportunity.owner_id
        for line in lines:
            assert line.unit_price == line.product.unit_price  # the snapshot of the day


def test_quote_numbers_follow_the_shared_sequence(seeded):
    numbers = list(Quote.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(number.startswith("COT-") for number in numbers)
    assert sum(QuoteNumberSequence.objects.values_list("last", flat=True)) == len(numbers)


def test_visits_and_sent_quotes_are_on_the_timeline(seeded):
    linked = Activity.objects.exclude(related_id=None)
    assert linked.count() == seeded.activities
    assert linked.filter(kind=Activity.Kind.EMAIL).count() == Quote.objects.exclude(sent_at=None).count()
    visit = linked.exclude(kind=Activity.Kind.EMAIL).first()
    assert isinstance(visit.related, Opportunity)
    assert visit.customer_id == visit.related.customer_id


def test_some_customers_own_products_with_licence_dates(seeded):
    owned = InstalledProduct.objects.select_related("product")
    assert owned.count() == seeded.installed > 0
    owners = owned.values("customer").distinct().count()
    assert 0 < owners < Customer.objects.count()
    for row in owned:
        if row.product.is_licence:
            expiry = row.since
            while expiry < row.licence_expires_on:
                expiry = add_months(expiry, 12)
            assert expiry == row.licence_expires_on
        else:
            assert row.licence_expires_on is None


def test_customers_who_own_products_keep_them(customers, rep):
    customer = customers.first()
    mine = ProductFactory(code="MINE-01")
    InstalledProductFactory(customer=customer, product=mine)
    seed_sales_demo(
        rng=random.Random(1), customers=customers, opportunities=5, owners=[rep], installed_share=1
    )
    assert list(customer.installed_products.values_list("product__code", flat=True)) == ["MINE-01"]
    assert InstalledProduct.objects.values("customer").distinct().count() == customers.count()


def test_without_any_rep_only_owned_customers_get_opportunities(rep):
    owned = CustomerFactory(owner=rep)
    CustomerFactory(owner=None)
    seed_sales_demo(rng=random.Random(1), customers=Customer.objects.all(), opportunities=10, owners=[])
    assert set(Opportunity.objects.values_list("customer_id", flat=True)) == {owned.pk}


def test_the_same_seed_gives_the_same_pipeline(customers, rep, teammate, other_team_rep):
    def snapshot():
        return sorted(
            Opportunity.objects.values_list(
                "customer_id", "name", "owner_id", "amount", "stage_id", "expected_close_date", "probability"
            )
        )

    owners = [rep, teammate, other_team_rep]
    seed_sales_demo(rng=random.Random(9), customers=customers, opportunities=30, owners=owners)
    first = snapshot()
    Quote.objects.all().delete()
    Opportunity.objects.all().delete()
    InstalledProduct.objects.all().delete()
    seed_sales_demo(rng=random.Random(9), customers=customers, opportunities=30, owners=owners)
    assert snapshot() == first


def test_stages_are_spread_like_a_funnel(rep):
    CustomerFactory.create_batch(20, owner=rep)
    seed_sales_demo(rng=random.Random(2), customers=Customer.objects.all(), opportunities=400, owners=[rep])
    counts = dict(
        Opportunity.objects.open()
        .values_list("stage__order")
        .annotate(n=Count("pk"))
        .values_list("stage__order", "n")
    )
    ordered = [counts[order] for order in sorted(counts)]
    assert ordered[0] > ordered[-1]


# -- The seed_demo command -------------------------------------------------------------------------


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_adds_one_open_opportunity_per_five_customers():
    output = seed("--customers", "40", "--seed", "5")
    assert Opportunity.objects.open().count() == 8
    assert "Added 40 customers" in output
    assert "Added 10 opportunities (8 open)" in output
    assert set(Opportunity.objects.values_list("owner__groups__name", flat=True)) == {Role.SALES_REP}


def test_seed_demo_takes_the_number_of_opportunities():
    seed("--customers", "10", "--opportunities", "12")
    assert Opportunity.objects.open().count() == 12
    assert Opportunity.objects.count() == 15


def test_seed_demo_gives_opportunities_only_to_the_new_customers():
    old = CustomerFactory(owner=user_with_role(Role.SALES_REP))
    seed("--customers", "10", "--opportunities", "30")
    assert not Opportunity.objects.filter(customer=old).exists()


def test_seed_demo_refuses_a_negative_number():
    with pytest.raises(CommandError):
        seed("--customers", "10", "--opportunities", "-1")


def test_seed_demo_if_empty_adds_no_sales_data_the_second_time():
    seed("--customers", "10", "--if-empty")
    count = Opportunity.objects.count()
    assert "skipped" in seed("--customers", "10", "--if-empty")
    assert Opportunity.objects.count() == count
