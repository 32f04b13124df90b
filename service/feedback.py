"""Product feedback for the product designers: problems and wishes by product and theme.

Each line counts the tickets, the distinct customers behind them, and the revenue those
customers stand for: the total of all their orders that were not cancelled (any product),
each customer counted once per line. One SQL query, the revenue a correlated subquery.
"""

from __future__ import annotations

from django.db.models import Count, DecimalField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower

from accounting.models import Order
from service.models import Ticket


def feedback_lines(tickets: QuerySet[Ticket]) -> QuerySet:
    """Group ``tickets`` (already limited to what the user sees and the filters) by product and theme.

    Themes group without regard to case: "Slow reports" and "slow reports" are one line.
    """
    tagged = (
        tickets.exclude(feedback="").filter(product__isnull=False).annotate(theme_key=Lower("feedback_theme"))
    )
    # Two levels down (line > orders > tickets), so each reference reaches out twice.
    customers_of_line = tagged.filter(
        product=OuterRef(OuterRef("product")), theme_key=OuterRef(OuterRef("theme_key"))
    ).values("customer")
    revenue = (
        Order.objects.filter(customer__in=customers_of_line)
        .exclude(status=Order.Status.CANCELLED)
        .order_by()
        .annotate(line=Value(1))
        .values("line")
        .annotate(total=Sum("total"))
        .values("total")
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    return (
        tagged.order_by()
        .values("product", "product__name", "theme_key")
        .annotate(
            theme=Min("feedback_theme"),
            problems=Count("pk", filter=Q(feedback=Ticket.Feedback.PROBLEM)),
            wishes=Count("pk", filter=Q(feedback=Ticket.Feedback.WISH)),
            tickets=Count("pk"),
            customers=Count("customer", distinct=True),
            revenue=Coalesce(Subquery(revenue, output_field=money), Value(0), output_field=money),
        )
        .order_by("product__name", "product", "-customers", "theme_key")
    )
