"""A hand-computed RFM data set, as of 30 June 2026, and a helper to make orders directly.

Ten customers are scored (n = 10, so score = 1 + floor((rank - 1) / 2)). The expected
values below were worked out by hand from the rules in docs/rfm.md, not by the code:

customer  recency  freq  monetary   R rank  R  F rank  F  M rank  M   value  segment
andes         0     1     100.00      10    5    1     1    4     2   2.8    new
bolivar      10     2     100.00       8    4    6     3    4     2   2.7    potential
caribe       30     1       0.00       5    3    1     1    1     1   1.6    need_attention
delta       121     3      60.60       3    2    8     4    3     2   2.2    at_risk
estrella    365     1    1000.00       2    1    1     1    9     5   3.4    lost
faro         76     1     100.00       4    2    1     1    4     2   1.9    hibernating
guajira      20     1     200.00       7    4    1     1    7     4   3.7    potential
kiosko       10     5    5000.00       8    4   10     5   10     5   4.7    loyal
llanos      400     2       0.10       1    1    6     3    2     1   1.2    at_risk
meta         30     4     250.00       5    3    9     5    8     4   3.8    loyal

Ties at quintile edges: bolivar and kiosko share R rank 8 (kiosko, ninth in line, would
otherwise score 5); andes, bolivar and faro share M rank 4 (the fifth and sixth would score
3). Five one-order customers share F rank 1, so no one gets F = 2.
Not scored: helados (only a cancelled order), islas (only an order after the as-of date),
nevado (no orders).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from accounting.models import Order, OrderLine
from tests.factories import CustomerFactory
from tests.sales.factories import ProductFactory

AS_OF = date(2026, 6, 30)
_numbers = itertools.count(1)

# name: (recency_days, frequency, monetary, r, f, m, value, segment)
EXPECTED = {
    "andes": (0, 1, "100.00", 5, 1, 2, "2.800000", "new"),
    "bolivar": (10, 2, "100.00", 4, 3, 2, "2.700000", "potential"),
    "caribe": (30, 1, "0.00", 3, 1, 1, "1.600000", "need_attention"),
    "delta": (121, 3, "60.60", 2, 4, 2, "2.200000", "at_risk"),
    "estrella": (365, 1, "1000.00", 1, 1, 5, "3.400000", "lost"),
    "faro": (76, 1, "100.00", 2, 1, 2, "1.900000", "hibernating"),
    "guajira": (20, 1, "200.00", 4, 1, 4, "3.700000", "potential"),
    "kiosko": (10, 5, "5000.00", 4, 5, 5, "4.700000", "loyal"),
    "llanos": (400, 2, "0.10", 1, 3, 1, "1.200000", "at_risk"),
    "meta": (30, 4, "250.00", 3, 5, 4, "3.800000", "loyal"),
}


def order(
    customer, day: date, total: str, *, status=Order.Status.CONFIRMED, lines: int = 1, **kwargs
) -> Order:
    made = Order.objects.create(
        customer=customer,
        number=f"T-{next(_numbers):06d}",
        status=status,
        order_date=day,
        total=Decimal(total),
        subtotal=Decimal(total),
        **kwargs,
    )
    product = ProductFactory()
    share = Decimal(total) / lines
    OrderLine.objects.bulk_create(
        OrderLine(
            order=made,
            position=index,
            product=product,
            description=product.name,
            quantity=1,
            unit_price=share,
            tax_rate=0,
        )
        for index in range(lines)
    )
    return made


def build_data_set(**customer_kwargs) -> dict:
    """The customers above with their orders; returns them by name."""
    c = {
        name: CustomerFactory(legal_name=name.capitalize(), **customer_kwargs)
        for name in [*EXPECTED, "helados", "islas", "nevado"]
    }
    d = date
    order(c["andes"], d(2026, 6, 30), "100.00")
    order(c["bolivar"], d(2026, 6, 20), "50.00")
    order(c["bolivar"], d(2026, 6, 20), "50.00")  # two orders on one day count twice
    order(c["caribe"], d(2026, 5, 31), "0.00")  # a zero total
    order(c["delta"], d(2026, 1, 1), "10.10")
    order(c["delta"], d(2026, 2, 1), "20.20", status=Order.Status.FULFILLED)
    order(c["delta"], d(2026, 3, 1), "30.30")  # 60.60 exactly, never 60.599999...
    order(c["estrella"], d(2025, 6, 30), "1000.00", is_history=True)  # imported history counts
    order(c["faro"], d(2026, 4, 15), "100.00")
    order(c["faro"], d(2026, 6, 1), "9999.00", status=Order.Status.CANCELLED)
    order(c["guajira"], d(2026, 6, 10), "200.00", lines=3)  # one order, however many lines
    order(c["guajira"], d(2026, 7, 5), "500.00")  # after the as-of date
    for month in (2, 3, 4, 5, 6):
        order(c["kiosko"], d(2026, month, 20), "1000.00")
    order(c["llanos"], d(2025, 1, 10), "0.03")
    order(c["llanos"], d(2025, 5, 26), "0.07")
    order(c["meta"], d(2026, 2, 28), "50.00")
    order(c["meta"], d(2026, 3, 31), "50.00")
    order(c["meta"], d(2026, 4, 30), "50.00")
    order(c["meta"], d(2026, 5, 31), "100.00")
    order(c["helados"], d(2026, 6, 15), "300.00", status=Order.Status.CANCELLED)
    order(c["islas"], d(2026, 7, 1), "400.00")
    return c
