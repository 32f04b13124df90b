"""The bench's order-history file is a good file, and timing it leaves nothing behind."""

from __future__ import annotations

from accounting.models import NumberSequence, Order
from contacts.models import Customer
from crm.insights import bench_orders
from tests.factories import CustomerFactory


def test_the_bench_file_imports_and_is_rolled_back(accountant):
    known = CustomerFactory(tax_id="900123456-8")

    figures = bench_orders.import_figures(bench_orders.order_history(200), by=accountant)

    assert (figures.rows, figures.orders) == (200, 200)
    assert figures.new_customers == 28  # 140 rows of new customers, 5 orders each
    assert 0 < figures.without_number < 200
    assert figures.rows_per_second > 0
    assert list(Customer.objects.all()) == [known] and not Order.objects.exists()
    assert not NumberSequence.objects.exists()
