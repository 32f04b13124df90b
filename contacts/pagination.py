"""A paginator whose last pages cost as little as its first ones."""

from __future__ import annotations

from django.core.paginator import Paginator


class EitherEndPaginator(Paginator):
    """Read pages past the middle from the far end of the ordering.

    ``OFFSET 100000`` makes the database walk and discard every earlier row; reversing the
    ORDER BY turns the last page into a short index scan from the other end. The rows are
    put back in order in Python. Used only for ordered querysets, as every list's is.

    ``count``, when the caller already knows it (``contacts.counts``), saves the COUNT query.
    """

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # takes the place of Paginator.count, a cached_property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if bottom <= self.count // 2 or not getattr(queryset, "ordered", False):
            return super().page(number)
        rows = list(queryset.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)
