"""The scoring page, recompute, the CSV download, the customer panel and the customer-list filter."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import reset_queries
from django.urls import reverse
from django.utils import timezone

from contacts.models import CustomerValue
from crm.insights.models import RfmSnapshot
from crm.insights.rfm.scoring import score_customers
from marketing.segments import members_for_filters
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.insights.rfm_data import AS_OF, build_data_set, order

RFM_URL = reverse("insights:rfm")
RECOMPUTE_URL = reverse("insights:rfm_recompute")
EXPORT_URL = reverse("insights:rfm_export")


def customers_with_orders(count: int, *, start: int = 0, **kwargs) -> list:
    customers = []
    for index in range(start, start + count):
        customer = CustomerFactory(legal_name=f"Cliente {index:03d}", **kwargs)
        for number in range(index % 3 + 1):
            order(customer, date(2026, 1 + index % 6, 1 + number), f"{(index + 1) * 10}.00")
        customers.append(customer)
    return customers


# --- the scoring page -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "admin_user"], indirect=True)
def test_managers_and_admins_see_the_scoring_page(client, persona):
    build_data_set()
    score_customers(as_of=AS_OF)
    client.force_login(persona)

    response = client.get(RFM_URL)

    assert response.status_code == 200
    page = text(response)
    assert "How customers are scored" in page
    assert "score = 1 + floor(5 × (rank − 1) / n)" in page
    assert "30 % × R + 10 % × F + 60 % × M" in page
    assert "Recompute now" in page


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_other_roles_may_not_open_the_scoring_page_recompute_or_download(client, persona):
    client.force_login(persona)

    assert client.get(RFM_URL).status_code == 403
    assert client.post(RECOMPUTE_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403
    assert not RfmSnapshot.objects.exists()


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(RFM_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_shows_the_current_snapshot_segments_and_movements(client, manager):
    build_data_set()
    score_customers(as_of=AS_OF, window_months=3)
    score_customers(as_of=AS_OF)
    client.force_login(manager)

    response = client.get(RFM_URL)

    page = text(response)
    assert response.context["snapshot"].window_months == 0
    assert 'data-testid="rfm-customers">10<' in page
    assert 'data-testid="rfm-orders">21<' in page
    assert 'data-testid="segment-loyal">2<' in page
    assert 'data-testid="segment-champions">0<' in page
    loyal = next(row for row in response.context["segments"] if row.code == "loyal")
    assert loyal.share == 20.0
    assert "?value_segment=loyal" in page
    movements = {(move.before, move.after): move.customers for move in response.context["movements"]}
    assert movements[("Need attention", "Potential")] == 2
    assert movements[("Not scored", "At risk")] == 2


def test_the_page_says_when_a_run_is_in_progress(client, manager):
    build_data_set()
    score_customers(as_of=AS_OF)
    current = RfmSnapshot.objects.get()
    running = RfmSnapshot.objects.create(
        as_of=AS_OF,
        recency_weight=30,
        frequency_weight=10,
        monetary_weight=60,
        trigger=RfmSnapshot.Trigger.MANUAL,
        started_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(manager)

    response = client.get(RFM_URL)

    assert 'data-testid="rfm-running"' in text(response)
    assert response.context["snapshot"] == current
    running.started_at = timezone.now() - timedelta(hours=2)  # died long ago
    running.save()
    assert 'data-testid="rfm-running"' not in text(client.get(RFM_URL))


def test_the_page_before_any_scoring_says_so(client, manager):
    client.force_login(manager)

    response = client.get(RFM_URL)

    assert response.status_code == 200
    assert "Customers have not been scored yet" in text(response)
    assert "No earlier snapshot to compare with yet" in text(response)


def test_the_page_costs_the_same_queries_for_few_and_many_customers(
    client, manager, django_assert_max_num_queries
):
    customers_with_orders(10)
    score_customers(as_of=AS_OF)
    score_customers(as_of=AS_OF)
    client.force_login(manager)
    client.get(RFM_URL)
    with django_assert_max_num_queries(12) as few:
        client.get(RFM_URL)

    customers_with_orders(90, start=10)
    score_customers(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(RFM_URL)


# --- recompute now ----------------------------------------------------------------------


def test_recompute_now_scores_and_publishes_a_snapshot(client, manager, django_capture_on_commit_callbacks):
    build_data_set()
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RECOMPUTE_URL, follow=True)

    assert response.redirect_chain[-1][0] == RFM_URL
    assert "Scoring has started" in text(response)
    snapshot = RfmSnapshot.objects.get()
    assert snapshot.is_complete
    assert snapshot.trigger == RfmSnapshot.Trigger.MANUAL
    assert snapshot.requested_by == manager
    assert snapshot.customers_scored > 0


def test_recompute_is_a_post(client, manager):
    client.force_login(manager)

    assert client.get(RECOMPUTE_URL).status_code == 405


# --- the CSV download -------------------------------------------------------------------


def test_managers_download_the_current_snapshot_as_csv(client, manager):
    customers = build_data_set()
    customers["kiosko"].external_ref = "ERP-77"
    customers["kiosko"].save()
    score_customers(as_of=AS_OF)
    client.force_login(manager)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="rfm-2026-06-30.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "customer_ref",
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "value_score",
        "segment",
    ]
    assert len(rows) == 10
    by_ref = {row["customer_ref"]: row for row in rows}
    assert by_ref["ERP-77"] == {
        "customer_ref": "ERP-77",
        "recency_days": "10",
        "frequency": "5",
        "monetary": "5000.00",
        "r_score": "4",
        "f_score": "5",
        "m_score": "5",
        "value_score": "4.700000",
        "segment": "loyal",
    }
    assert by_ref[str(customers["delta"].pk)]["monetary"] == "60.60"


def test_downloading_before_any_scoring_explains_why_not(client, manager):
    client.force_login(manager)

    response = client.get(EXPORT_URL, follow=True)

    assert response.redirect_chain[-1][0] == RFM_URL
    assert "no scores to download yet" in text(response)


# --- the customer page panel ------------------------------------------------------------


def panel_url(customer) -> str:
    return reverse("contacts:customer_detail", args=[customer.pk])


def panel_html(client, customer) -> str:
    from contacts.panels import customer_panels
    from crm.insights.panels import ValuePanel

    assert ValuePanel in customer_panels.panel_classes()
    response = client.get(panel_url(customer))
    assert response.status_code == 200
    page = text(response)
    # The panel may be rendered in the page or loaded from its own URL afterwards.
    if 'data-testid="value-panel"' not in page:
        response = client.get(reverse("contacts:customer_panel", args=[customer.pk, "value"]))
        assert response.status_code == 200
        page = text(response)
    return page


def test_the_customer_page_shows_the_segment_scores_and_movement(client, rep):
    customers = build_data_set(owner=rep)
    score_customers(as_of=AS_OF, window_months=3)
    score_customers(as_of=AS_OF)
    client.force_login(rep)

    page = panel_html(client, customers["kiosko"])

    assert 'data-testid="value-segment">Loyal<' in page
    assert 'data-testid="value-score">4.70<' in page
    assert "10 days since the last order" in page
    assert "5 orders" in page
    assert "5,000.00" in page or "5000.00" in page

    faro = panel_html(client, customers["faro"])
    assert "Moved from Lost to Hibernating." in faro


def test_the_panel_says_when_a_customer_is_not_scored(client, rep):
    customers = build_data_set(owner=rep)
    client.force_login(rep)
    assert "Customers have not been scored yet" in panel_html(client, customers["nevado"])

    score_customers(as_of=AS_OF)

    assert "Not scored: no orders that count" in panel_html(client, customers["nevado"])


def test_the_panel_costs_the_same_queries_with_one_or_many_snapshots(
    client, rep, django_assert_max_num_queries
):
    from crm.insights.panels import ValuePanel

    customer = customers_with_orders(1, owner=rep)[0]
    score_customers(as_of=AS_OF)
    request = type("Request", (), {"user": rep})()
    with django_assert_max_num_queries(4) as few:
        ValuePanel().get_context(request, customer)
    customers_with_orders(50, start=1, owner=rep)
    for _run in range(3):
        score_customers(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        ValuePanel().get_context(request, customer)


# --- the customer list filter and marketing segments ------------------------------------


def test_the_customer_list_filters_by_value_segment(client, manager):
    build_data_set()
    score_customers(as_of=AS_OF)
    client.force_login(manager)

    response = client.get(reverse("contacts:customer_list"), {"value_segment": "loyal"})

    page = text(response)
    assert "Kiosko" in page and "Meta" in page
    assert "Andes" not in page
    assert '<option value="loyal" selected>Loyal</option>' in page


def test_an_unknown_value_segment_filters_nothing_out_of_sight(client, manager):
    build_data_set()
    score_customers(as_of=AS_OF)
    client.force_login(manager)

    response = client.get(reverse("contacts:customer_list"), {"value_segment": "nonsense"})

    assert response.status_code == 200


def test_the_customer_list_costs_the_same_with_the_value_filter(
    client, manager, django_assert_max_num_queries
):
    customers_with_orders(10)
    score_customers(as_of=AS_OF)
    client.force_login(manager)
    url = reverse("contacts:customer_list")
    client.get(url, {"value_segment": "new"})
    reset_queries()
    with django_assert_max_num_queries(30) as captured:
        client.get(url, {"value_segment": "new"})
    few = len(captured)

    customers_with_orders(90, start=10)
    score_customers(as_of=AS_OF)
    client.get(url, {"value_segment": "new"})  # the new owners fill the dropdowns' cache again
    reset_queries()  # the query log keeps 9,000 entries: scoring filled it
    with django_assert_max_num_queries(few):
        client.get(url, {"value_segment": "new"})


def test_marketing_segments_can_use_the_value_segment(marketer):
    customers = build_data_set()
    score_customers(as_of=AS_OF)

    members = members_for_filters({"value_segment": "at_risk"}, user=marketer)

    assert set(members) == {customers["delta"], customers["llanos"]}
    assert CustomerValue.objects.filter(segment="at_risk").count() == 2


def test_marketing_saves_a_segment_of_a_value_segment(client, marketer):
    from marketing.models import Segment

    customers = build_data_set()
    score_customers(as_of=AS_OF)
    client.force_login(marketer)

    response = client.post(
        reverse("marketing:segment_create"),
        {"name": "Win back", "description": "", "value_segment": "at_risk"},
    )

    assert response.status_code == 302
    segment = Segment.objects.get(name="Win back")
    assert segment.filters == {"value_segment": "at_risk"}
    page = text(client.get(reverse("marketing:segment_detail", args=[segment.pk])))
    assert customers["delta"].legal_name in page and customers["llanos"].legal_name in page
    assert customers["kiosko"].legal_name not in page


def test_a_marketing_segment_of_an_unknown_value_segment_is_refused(client, marketer):
    from marketing.models import Segment

    client.force_login(marketer)

    response = client.post(
        reverse("marketing:segment_create"), {"name": "Nonsense", "description": "", "value_segment": "vip"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Segment.objects.filter(name="Nonsense").exists()
