"""RFM scoring against the hand-computed data set in rfm_data.py (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contacts.models import Customer, CustomerValue
from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot, SegmentRule
from crm.insights.rfm.rules import months_before, quintile_score, window_start
from crm.insights.rfm.scoring import prune_snapshots, score_customers
from tests.factories import CustomerFactory
from tests.insights.rfm_data import AS_OF, EXPECTED, build_data_set, order


def scores_by_name(snapshot: RfmSnapshot) -> dict[str, tuple]:
    rows = RfmScore.objects.filter(snapshot=snapshot).select_related("customer")
    return {
        row.customer.legal_name.lower(): (
            row.recency_days,
            row.frequency,
            f"{row.monetary:.2f}",
            row.r_score,
            row.f_score,
            row.m_score,
            f"{row.value_score:.6f}",
            row.segment,
        )
        for row in rows
    }


@pytest.fixture
def data_set(db):
    return build_data_set()


def test_scores_match_the_hand_computed_table(data_set):
    snapshot = score_customers(as_of=AS_OF)

    assert scores_by_name(snapshot) == EXPECTED


def test_the_snapshot_records_its_inputs_and_figures(data_set):
    snapshot = score_customers(as_of=AS_OF)

    snapshot.refresh_from_db()
    assert snapshot.is_complete
    assert snapshot.as_of == AS_OF
    assert snapshot.window_months == 0
    assert snapshot.window_start is None
    assert (snapshot.recency_weight, snapshot.frequency_weight, snapshot.monetary_weight) == (30, 10, 60)
    assert snapshot.customers_scored == 10
    # 1+2+1+3+1+1+1+5+2+4: cancelled and later orders left out, lines not counted.
    assert snapshot.orders_counted == 21
    assert snapshot.segment_counts == {
        "new": 1,
        "potential": 2,
        "need_attention": 1,
        "at_risk": 2,
        "lost": 1,
        "hibernating": 1,
        "loyal": 2,
    }
    assert snapshot.duration_ms is not None
    assert snapshot.finished_at >= snapshot.started_at


def test_monetary_is_exact_in_cents(data_set):
    snapshot = score_customers(as_of=AS_OF)

    delta = RfmScore.objects.get(snapshot=snapshot, customer=data_set["delta"])
    llanos = RfmScore.objects.get(snapshot=snapshot, customer=data_set["llanos"])
    assert delta.monetary == Decimal("60.60")
    assert llanos.monetary == Decimal("0.10")


def test_cancelled_later_and_order_less_customers_are_not_scored(data_set):
    snapshot = score_customers(as_of=AS_OF)

    scored = set(RfmScore.objects.filter(snapshot=snapshot).values_list("customer__legal_name", flat=True))
    assert {"Helados", "Islas", "Nevado"}.isdisjoint(scored)


def test_an_order_after_the_as_of_date_counts_once_that_date_is_reached(data_set):
    snapshot = score_customers(as_of=date(2026, 7, 5))

    guajira = RfmScore.objects.get(snapshot=snapshot, customer=data_set["guajira"])
    assert (guajira.recency_days, guajira.frequency, guajira.monetary) == (0, 2, Decimal("700.00"))
    assert RfmScore.objects.filter(snapshot=snapshot, customer=data_set["islas"]).exists()


def test_the_window_counts_only_recent_orders(data_set):
    snapshot = score_customers(as_of=AS_OF, window_months=3)

    assert snapshot.window_start == date(2026, 3, 30)
    rows = {
        name: (recency, frequency, monetary)
        for name, (recency, frequency, monetary, *_rest) in scores_by_name(snapshot).items()
    }
    assert rows == {
        "andes": (0, 1, "100.00"),
        "bolivar": (10, 2, "100.00"),
        "caribe": (30, 1, "0.00"),
        "faro": (76, 1, "100.00"),
        "guajira": (20, 1, "200.00"),
        "kiosko": (10, 3, "3000.00"),
        "meta": (30, 3, "200.00"),
    }


def test_the_window_starts_on_the_same_day_months_earlier_and_includes_it(db):
    inside, outside = CustomerFactory(legal_name="Inside"), CustomerFactory(legal_name="Outside")
    order(inside, date(2026, 2, 28), "10.00")  # 31 May minus 3 months: 28 February
    order(outside, date(2026, 2, 27), "10.00")

    snapshot = score_customers(as_of=date(2026, 5, 31), window_months=3)

    assert snapshot.window_start == date(2026, 2, 28)
    assert list(RfmScore.objects.filter(snapshot=snapshot).values_list("customer", flat=True)) == [inside.pk]


def test_the_default_window_and_weights_come_from_the_settings(data_set):
    RfmSettings.objects.filter(pk=1).update(
        window_months=3, recency_weight=50, frequency_weight=50, monetary_weight=0
    )

    snapshot = score_customers(as_of=AS_OF)

    assert snapshot.window_months == 3
    assert snapshot.customers_scored == 7
    kiosko = RfmScore.objects.get(snapshot=snapshot, customer=data_set["kiosko"])
    assert kiosko.value_score == Decimal(kiosko.r_score + kiosko.f_score) / 2


def test_value_scores_keep_six_decimals(data_set):
    RfmSettings.objects.filter(pk=1).update(
        recency_weight=Decimal("33.3333"),
        frequency_weight=Decimal("33.3333"),
        monetary_weight=Decimal("33.3334"),
    )

    snapshot = score_customers(as_of=AS_OF)

    # andes: R5 F1 M2 -> (5 x 33.3333 + 1 x 33.3333 + 2 x 33.3334) / 100
    andes = RfmScore.objects.get(snapshot=snapshot, customer=data_set["andes"])
    assert andes.value_score == Decimal("2.666666")


def test_segments_follow_the_rule_table_first_match_wins(data_set):
    SegmentRule.objects.create(slug="best", label="Best", r_min=4, r_max=5, f_min=1, f_max=5, priority=1)

    snapshot = score_customers(as_of=AS_OF)

    segments = {name: row[-1] for name, row in scores_by_name(snapshot).items()}
    assert {name for name, segment in segments.items() if segment == "best"} == {
        "andes",
        "bolivar",
        "guajira",
        "kiosko",
    }
    assert segments["meta"] == "loyal"


def test_scores_no_rule_matches_are_left_without_a_segment(data_set):
    SegmentRule.objects.filter(slug="lost").delete()

    snapshot = score_customers(as_of=AS_OF)

    assert scores_by_name(snapshot)["estrella"][-1] == ""


def test_the_customers_value_fields_follow_the_published_snapshot(data_set):
    score_customers(as_of=AS_OF)

    values = {value.customer_id: value for value in CustomerValue.objects.all()}
    kiosko = values[data_set["kiosko"].pk]
    assert (kiosko.segment, kiosko.score, kiosko.scored_on) == ("loyal", Decimal("4.700000"), AS_OF)
    assert len(values) == 10
    assert list(
        Customer.objects.filter(value__segment="loyal")
        .order_by("legal_name")
        .values_list("legal_name", flat=True)
    ) == ["Kiosko", "Meta"]


def test_a_customer_no_longer_scored_loses_the_value_fields(data_set):
    score_customers(as_of=AS_OF)

    score_customers(as_of=AS_OF, window_months=3)

    assert not CustomerValue.objects.filter(customer=data_set["delta"]).exists()
    assert CustomerValue.objects.count() == 7


def test_running_twice_gives_two_snapshots_with_the_same_scores(data_set):
    first = score_customers(as_of=AS_OF)
    second = score_customers(as_of=AS_OF)

    assert first.pk != second.pk
    assert scores_by_name(first) == scores_by_name(second) == EXPECTED
    assert CustomerValue.objects.count() == 10
    assert RfmSnapshot.objects.latest_first().first() == second


def test_movements_between_the_last_two_snapshots(data_set):
    # With a 3-month window (n = 7) the segments are, by hand: andes new (R5 F1); bolivar
    # (R3 F3) and guajira (R3 F1) need attention; kiosko loyal (R3 F4); caribe and faro
    # lost (R1 F1); meta at risk (R1 F4).
    score_customers(as_of=AS_OF, window_months=3)

    current = score_customers(as_of=AS_OF)

    assert {(before, after): count for before, after, count in current.movements} == {
        ("new", "new"): 1,
        ("need_attention", "potential"): 2,  # bolivar, guajira
        ("loyal", "loyal"): 1,  # kiosko
        ("lost", "need_attention"): 1,  # caribe
        ("lost", "hibernating"): 1,  # faro
        ("at_risk", "loyal"): 1,  # meta
        (None, "at_risk"): 2,  # delta, llanos: scored again with all history
        (None, "lost"): 1,  # estrella
    }
    current.refresh_from_db()
    assert current.previous is not None


def test_movements_count_customers_who_drop_out(data_set):
    score_customers(as_of=AS_OF)

    current = score_customers(as_of=AS_OF, window_months=3)

    moves = {(before, after): count for before, after, count in current.movements}
    assert moves[("at_risk", None)] == 2
    assert moves[("lost", None)] == 1


def test_the_first_snapshot_has_no_movements(data_set):
    assert score_customers(as_of=AS_OF).movements == []


def test_nobody_to_score_makes_an_empty_snapshot(db):
    snapshot = score_customers(as_of=AS_OF)

    assert snapshot.is_complete
    assert snapshot.customers_scored == 0
    assert snapshot.orders_counted == 0


def test_pruning_keeps_the_newest_snapshots_scores_and_every_snapshots_totals(data_set):
    RfmSettings.objects.filter(pk=1).update(keep_snapshots=2)
    oldest = score_customers(as_of=AS_OF)
    middle = score_customers(as_of=AS_OF)
    newest = score_customers(as_of=AS_OF)

    assert prune_snapshots() == 1

    assert not RfmScore.objects.filter(snapshot=oldest).exists()
    assert RfmScore.objects.filter(snapshot__in=[middle, newest]).count() == 20
    oldest.refresh_from_db()
    assert oldest.scores_pruned and oldest.customers_scored == 10
    assert prune_snapshots() == 0


def test_deleting_a_customer_takes_its_scores_along(db):
    customer = CustomerFactory()
    order(customer, AS_OF, "10.00")
    score_customers(as_of=AS_OF)
    customer.orders.all().delete()

    customer.delete()

    assert not RfmScore.objects.exists()
    assert not CustomerValue.objects.exists()


@pytest.mark.parametrize(
    ("rank", "scored", "score"),
    [(1, 10, 1), (2, 10, 1), (3, 10, 2), (9, 10, 5), (10, 10, 5), (1, 1, 1), (3, 7, 2), (6, 7, 4)],
)
def test_quintile_formula(rank, scored, score):
    assert quintile_score(rank, scored) == score


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 6, 30), 24, date(2024, 6, 30)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_no_window_means_all_history():
    assert window_start(AS_OF, 0) is None


def test_merging_two_scored_customers_keeps_the_survivors_value_until_the_next_run(db):
    from contacts.merging import merge_customers

    survivor, duplicate = CustomerFactory(legal_name="Survivor"), CustomerFactory(legal_name="Duplicate")
    order(survivor, AS_OF, "10.00")
    order(duplicate, AS_OF, "20.00")
    score_customers(as_of=AS_OF)

    merge_customers(survivor=survivor, duplicate=duplicate, by=None)

    assert list(CustomerValue.objects.values_list("customer", flat=True)) == [survivor.pk]
    snapshot = score_customers(as_of=AS_OF)
    merged = RfmScore.objects.get(snapshot=snapshot, customer=survivor)
    assert (merged.frequency, merged.monetary) == (2, Decimal("30.00"))
