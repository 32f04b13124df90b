"""Quote arithmetic: exact sums, one rounding, totals that always add up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sales.pricing import Line, compute_totals, round_money


def money(max_value: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(0), max_value=Decimal(max_value), places=2)


# The ranges the model fields accept (quantity ≥ 0.01, percentages 0–100).
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
lines = st.builds(
    Line,
    quantity=quantities,
    unit_price=money("999999999999.99"),
    discount_percent=percents,
    tax_rate=percents,
    unit_cost=money("999999999999.99"),
)
line_lists = st.lists(lines, max_size=30)


@given(line_lists)
def test_total_is_subtotal_less_discount_plus_tax_exactly(items):
    totals = compute_totals(items)
    assert totals.total == totals.subtotal - totals.discount + totals.tax
    assert totals.margin == totals.subtotal - totals.discount - totals.cost


@given(line_lists)
def test_every_total_is_in_cents(items):
    totals = compute_totals(items)
    for value in (totals.subtotal, totals.discount, totals.tax, totals.total, totals.cost):
        assert value == value.quantize(Decimal("0.01"))


@given(st.lists(st.builds(Line, quantity=quantities, unit_price=money("99999999.99"), tax_rate=percents)))
def test_without_discount_the_total_is_subtotal_plus_tax(items):
    totals = compute_totals(items)
    assert totals.discount == 0
    assert totals.total == totals.subtotal + totals.tax


@given(
    st.lists(
        st.builds(
            Line,
            quantity=quantities,
            unit_price=money("99999999.99"),
            discount_percent=st.just(Decimal(100)),
            tax_rate=percents,
        )
    )
)
def test_a_full_discount_costs_the_customer_nothing(items):
    totals = compute_totals(items)
    assert totals.tax == 0
    assert totals.total == 0


@given(line_lists, st.randoms(use_true_random=False))
def test_the_order_of_the_lines_does_not_change_the_totals(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert compute_totals(shuffled) == compute_totals(items)
    assert compute_totals(reversed(items)) == compute_totals(items)


@given(line_lists)
def test_totals_are_never_negative(items):
    totals = compute_totals(items)
    assert min(totals.subtotal, totals.discount, totals.tax, totals.total, totals.cost) >= 0
    assert totals.discount <= totals.subtotal


def test_rounding_once_differs_from_rounding_each_line():
    """Three lines of 0.10 with 5 % tax: 0.005 of tax each, 0.015 in all."""
    items = [Line(quantity=Decimal(1), unit_price=Decimal("0.10"), tax_rate=Decimal(5))] * 3

    per_line = sum(round_money(line.tax) for line in items)
    totals = compute_totals(items)

    assert per_line == Decimal("0.03")
    assert totals.tax == Decimal("0.02")
    assert totals.total == Decimal("0.32")


def test_a_typical_quote():
    items = [
        # 3 × 100,000 with 10 % off and 19 % VAT; cost 60,000 each.
        Line(
            quantity=Decimal(3),
            unit_price=Decimal("100000.00"),
            discount_percent=Decimal(10),
            tax_rate=Decimal(19),
            unit_cost=Decimal("60000.00"),
        ),
        # A service without VAT.
        Line(quantity=Decimal("2.5"), unit_price=Decimal("40000.00"), unit_cost=Decimal("10000.00")),
    ]

    totals = compute_totals(items)

    assert totals.subtotal == Decimal("400000.00")
    assert totals.discount == Decimal("30000.00")
    assert totals.tax == Decimal("51300.00")
    assert totals.total == Decimal("421300.00")
    assert totals.cost == Decimal("205000.00")
    assert totals.margin == Decimal("165000.00")
    assert totals.margin_percent == Decimal("44.59")


def test_half_cents_round_up():
    totals = compute_totals(
        [Line(quantity=Decimal(1), unit_price=Decimal("0.05"), discount_percent=Decimal(10))]
    )
    assert totals.discount == Decimal("0.01")  # 0.005 rounds half up
    assert totals.total == Decimal("0.04")


def test_no_lines_means_zero_and_no_margin_percent():
    totals = compute_totals([])
    assert totals.total == 0
    assert totals.margin_percent is None
