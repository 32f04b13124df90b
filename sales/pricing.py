"""Quote arithmetic: exact Decimal sums, rounded once at the end.

For each line::

    net      = quantity × unit price
    discount = net × discount % / 100
    tax      = (net − discount) × tax rate % / 100
    cost     = quantity × unit cost

Nothing is rounded per line. The lines' nets, discounts, taxes and costs are summed
exactly (in a Decimal context wide enough for the largest values the model fields hold),
and only the four sums are rounded to cents, half up::

    subtotal = round(Σ net)        discount = round(Σ discount)
    tax      = round(Σ tax)        cost     = round(Σ cost)

The remaining figures are plain differences of those rounded amounts, so they need no
rounding of their own and always add up on paper::

    total    = subtotal − discount + tax
    margin   = subtotal − discount − cost
    margin % = round(margin × 100 / (subtotal − discount))   (none when that is zero)

Why once: three lines of 0.10 with 5 % tax carry 0.005 of tax each. Rounded per line that
is 0.01 + 0.01 + 0.01 = 0.03; rounded once it is round(0.015) = 0.02, which is the tax
on what the customer actually buys. Exact sums also make the totals independent of the
order of the lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Quantities have 12 digits and prices 14, so a product has at most 26; a thousand such
# lines add three more. 60 digits keep every intermediate value exact.
EXACT = Context(prec=60)


def round_money(value: Decimal) -> Decimal:
    """Cents, half up: the one rounding step of this module."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One quote line's figures; percentages are given as 0–100."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    tax_rate: Decimal = ZERO
    unit_cost: Decimal = ZERO

    # Unrounded on purpose: only the totals are rounded.
    @property
    def net(self) -> Decimal:
        with localcontext(EXACT):
            return self.quantity * self.unit_price

    @property
    def discount(self) -> Decimal:
        with localcontext(EXACT):
            return self.net * self.discount_percent / HUNDRED

    @property
    def amount(self) -> Decimal:
        """Net after discount, before tax."""
        with localcontext(EXACT):
            return self.net - self.discount

    @property
    def tax(self) -> Decimal:
        with localcontext(EXACT):
            return self.amount * self.tax_rate / HUNDRED

    @property
    def cost(self) -> Decimal:
        with localcontext(EXACT):
            return self.quantity * self.unit_cost


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal = ZERO
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    cost: Decimal = ZERO
    margin: Decimal = ZERO
    margin_percent: Decimal | None = None

    @property
    def net(self) -> Decimal:
        """What is sold before tax: subtotal less discount."""
        return self.subtotal - self.discount


def compute_totals(lines: Iterable[Line]) -> Totals:
    """The quote's totals from its lines, by the rule in this module's docstring."""
    net = discount = tax = cost = ZERO
    with localcontext(EXACT):
        for line in lines:
            net += line.net
            discount += line.discount
            tax += line.tax
            cost += line.cost
        subtotal, discount, tax, cost = (round_money(value) for value in (net, discount, tax, cost))
        total = subtotal - discount + tax
        sold = subtotal - discount
        margin = sold - cost
        margin_percent = round_money(margin * HUNDRED / sold) if sold else None
    return Totals(
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=total,
        cost=cost,
        margin=margin,
        margin_percent=margin_percent,
    )
