"""Pages read from the far end hold exactly the rows that plain OFFSET paging gives."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from contacts.models import Customer
from contacts.pagination import EitherEndPaginator
from tests.factories import CustomerFactory


@pytest.mark.parametrize("orphans", [0, 2])
@pytest.mark.parametrize("ordering", [("legal_name", "pk"), ("-city", "legal_name", "pk")])
def test_every_page_matches_offset_paging(db, orphans, ordering):
    for index in range(23):
        CustomerFactory(legal_name=f"Cliente {index % 7}", city=f"Ciudad {index % 3}")
    queryset = Customer.objects.order_by(*ordering)
    plain = Paginator(queryset, 5, orphans=orphans)
    either_end = EitherEndPaginator(queryset, 5, orphans=orphans)
    assert either_end.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(either_end.page(number)) == list(plain.page(number)), f"page {number}"


def test_last_page_query_reads_from_the_end(db, django_assert_num_queries):
    for index in range(12):
        CustomerFactory(legal_name=f"Cliente {index:02d}")
    paginator = EitherEndPaginator(Customer.objects.order_by("legal_name", "pk"), 5)
    paginator.count  # noqa: B018 - counted once, as the list page does
    with django_assert_num_queries(1) as captured:
        rows = list(paginator.page(3))
    assert [row.legal_name for row in rows] == ["Cliente 10", "Cliente 11"]
    assert "DESC" in captured.captured_queries[0]["sql"]
    assert "OFFSET" not in captured.captured_queries[0]["sql"]
