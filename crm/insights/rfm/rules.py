"""The parts of the RFM rules that are plain arithmetic, shared by the SQL job and the pages."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SCORES = range(1, 6)
# Weights are percentages with four decimals: in these units they are whole numbers, and a
# value score (sum of weight x score / 100) is a whole number of millionths.
WEIGHT_UNITS = 10_000
VALUE_SCALE = 1_000_000


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, or that month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_start(as_of: date, window_months: int) -> date | None:
    """The first order date that counts; None when the window is 0 (all history)."""
    return months_before(as_of, window_months) if window_months else None


def quintile_score(rank: int, scored: int) -> int:
    """1 + floor(5 x (rank - 1) / n): the rule the SQL applies, for the docs and the tests."""
    return 1 + (5 * (rank - 1)) // scored


@dataclass(frozen=True)
class Weights:
    recency: Decimal
    frequency: Decimal
    monetary: Decimal

    def units(self) -> tuple[int, int, int]:
        return tuple(int(weight * WEIGHT_UNITS) for weight in (self.recency, self.frequency, self.monetary))

    def value_score(self, r_score: int, f_score: int, m_score: int) -> Decimal:
        r, f, m = self.units()
        return (Decimal(r * r_score + f * f_score + m * m_score) / VALUE_SCALE).quantize(Decimal("0.000001"))


def segment_map(rules: Iterable) -> dict[tuple[int, int], str]:
    """(R, F) -> segment code for all 25 pairs, the first rule in order that matches; '' for none."""
    rules = list(rules)
    mapping = {}
    for r_score in SCORES:
        for f_score in SCORES:
            rule = next((rule for rule in rules if rule.matches(r_score, f_score)), None)
            mapping[r_score, f_score] = rule.slug if rule else ""
    return mapping
