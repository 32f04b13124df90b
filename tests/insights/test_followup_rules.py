"""Each default follow-up rule fires once per customer and period, however often the job runs."""

from __future__ import annotations

from datetime import date

import pytest

from accounting.models import Order
from contacts.models import Customer, Task
from crm.accounts.models import Notification
from crm.insights.followup.models import FollowUp, FollowUpRule, FollowUpRun
from tests.factories import CustomerFactory, UserFactory
from tests.insights.followup_data import activity, created_on, only, run, sale, tasks_of
from tests.sales.factories import InstalledProductFactory, ProductFactory

d = date


def test_the_five_rules_of_the_issue_are_seeded_and_active(db):
    rules = FollowUpRule.objects.order_by("pk")
    assert [rule.kind for rule in rules] == [
        "after_sale",
        "news_by_activity",
        "licence_renewal",
        "inactivity",
        "segment_drop",
    ]
    assert all(rule.is_active for rule in rules)
    after_sale = rules.get(kind="after_sale")
    assert after_sale.interval_months == 3
    assert rules.get(kind="news_by_activity").interval_months == 3
    assert rules.get(kind="licence_renewal").alert_owner is True


# --- After a sale -----------------------------------------------------------------------


def test_after_a_sale_the_owner_reviews_every_three_months_once_each(customer, rep):
    only("after_sale")
    sale(customer, d(2026, 1, 10))

    run(d(2026, 4, 9))
    assert tasks_of(customer) == []

    run(d(2026, 4, 10))
    run(d(2026, 4, 10))
    run(d(2026, 4, 11))
    run(d(2026, 7, 9))
    [first] = tasks_of(customer)
    assert first.assignee == rep
    assert first.due_date == d(2026, 4, 17)
    assert (
        first.title == "Review the product with the customer and look for new sales (3 months after the sale)"
    )
    assert "Review after a sale" in first.notes

    run(d(2026, 7, 10))
    run(d(2026, 7, 10))
    assert [task.title for task in tasks_of(customer)][1].endswith("(6 months after the sale)")
    assert len(tasks_of(customer)) == 2


def test_a_new_sale_starts_the_count_again(customer):
    only("after_sale")
    sale(customer, d(2026, 1, 10))
    run(d(2026, 4, 10))
    sale(customer, d(2026, 4, 20))

    run(d(2026, 7, 10))  # three months after the first sale, but the last one is newer
    assert len(tasks_of(customer)) == 1

    run(d(2026, 7, 20))
    run(d(2026, 7, 21))
    assert len(tasks_of(customer)) == 2


def test_reviews_stop_a_year_after_the_last_sale(customer):
    only("after_sale")
    sale(customer, d(2026, 1, 10))
    for day in [
        d(2026, 4, 10),
        d(2026, 7, 10),
        d(2026, 10, 10),
        d(2027, 1, 10),
        d(2027, 4, 10),
        d(2027, 7, 10),
    ]:
        run(day)

    assert len(tasks_of(customer)) == 4


def test_cancelled_orders_customers_without_owner_and_lost_customers_get_no_review(rep):
    only("after_sale")
    cancelled = CustomerFactory(owner=rep)
    sale(cancelled, d(2026, 1, 10), status=Order.Status.CANCELLED)
    unowned = CustomerFactory(owner=None)
    sale(unowned, d(2026, 1, 10))
    lost = CustomerFactory(owner=rep, lifecycle_stage=Customer.Stage.LOST)
    sale(lost, d(2026, 1, 10))
    left = CustomerFactory(owner=UserFactory(is_active=False))
    sale(left, d(2026, 1, 10))

    run(d(2026, 4, 10))

    assert Task.objects.count() == 0


def test_imported_history_counts_as_a_sale(customer):
    only("after_sale")
    sale(customer, d(2026, 1, 10), is_history=True)

    run(d(2026, 4, 10))

    assert len(tasks_of(customer)) == 1


# --- Licence renewal --------------------------------------------------------------------


@pytest.fixture
def licence(customer):
    product = ProductFactory(name="ERP Nube", is_licence=True, licence_term_months=12)
    return InstalledProductFactory(customer=customer, product=product, licence_expires_on=d(2026, 5, 10))


def test_a_licence_gets_a_task_and_an_alert_thirty_days_before_it_expires_once(customer, rep, licence):
    only("licence_renewal")

    run(d(2026, 4, 9))
    assert tasks_of(customer) == []

    for _ in range(2):
        run(d(2026, 4, 10))
    run(d(2026, 5, 10))
    run(d(2026, 5, 11))

    [task] = tasks_of(customer)
    assert task.assignee == rep
    assert task.title == "Renew the licence of ERP Nube: it expires on 05/10/2026"
    assert task.due_date == d(2026, 4, 17)
    [alert] = Notification.objects.filter(recipient=rep)
    assert alert.message == "Distribuidora Andina S.A.S.: " + task.title
    assert alert.url == customer.get_absolute_url()


def test_a_renewed_licence_is_followed_up_again_the_next_year(customer, licence):
    only("licence_renewal")
    run(d(2026, 4, 10))
    licence.licence_expires_on = d(2027, 5, 10)
    licence.save()

    run(d(2027, 4, 10))
    run(d(2027, 4, 11))

    assert len(tasks_of(customer)) == 2


def test_a_licence_task_is_never_due_after_the_expiry(customer, licence):
    rule = only("licence_renewal")
    rule.due_in_days = 20
    rule.save()

    run(d(2026, 5, 1))

    [task] = tasks_of(customer)
    assert task.due_date == d(2026, 5, 10)


def test_a_product_without_licence_date_or_an_expired_licence_gets_nothing(customer, licence):
    only("licence_renewal")
    InstalledProductFactory(customer=customer, licence_expires_on=None)

    run(d(2026, 5, 11))

    assert tasks_of(customer) == []


# --- No activity ------------------------------------------------------------------------


def test_ninety_days_without_activity_gives_the_owner_a_task_once_per_ninety_days(customer, rep):
    only("inactivity")
    created_on(customer, d(2026, 1, 1))
    activity(customer, d(2026, 2, 1))

    run(d(2026, 5, 1))
    assert tasks_of(customer) == []

    run(d(2026, 5, 2))
    run(d(2026, 5, 2))
    run(d(2026, 6, 15))
    [task] = tasks_of(customer)
    assert task.title == "No activity for 90 days: get in touch"
    assert task.assignee == rep

    run(d(2026, 7, 31))
    run(d(2026, 8, 1))
    assert [task.title for task in tasks_of(customer)][1] == "No activity for 180 days: get in touch"
    assert len(tasks_of(customer)) == 2


def test_an_activity_or_an_order_resets_the_silence(customer):
    only("inactivity")
    created_on(customer, d(2026, 1, 1))
    activity(customer, d(2026, 2, 1))
    sale(customer, d(2026, 3, 1))

    run(d(2026, 5, 2))
    assert tasks_of(customer) == []

    run(d(2026, 5, 30))
    assert len(tasks_of(customer)) == 1


def test_a_customer_never_contacted_counts_from_its_creation(customer):
    only("inactivity")
    created_on(customer, d(2026, 1, 1))

    run(d(2026, 3, 31))
    assert tasks_of(customer) == []
    run(d(2026, 4, 1))
    assert len(tasks_of(customer)) == 1


# --- Every rule at once -----------------------------------------------------------------


def test_running_every_rule_twice_and_the_next_day_creates_nothing_more(customer, rep, licence):
    created_on(customer, d(2025, 12, 1))
    sale(customer, d(2026, 1, 10))

    first = run(d(2026, 4, 10))
    tasks = Task.objects.count()
    notifications = Notification.objects.count()
    second = run(d(2026, 4, 10))
    third = run(d(2026, 4, 11))

    assert first == tasks == 3  # after the sale, 90 days since that sale, and the licence
    assert (second, third) == (0, 0)
    assert Task.objects.count() == tasks
    assert Notification.objects.count() == notifications
    assert FollowUpRun.objects.count() == 3
    assert FollowUp.objects.filter(task__isnull=False).count() == 3


# --- Rules are data ---------------------------------------------------------------------


def test_an_inactive_rule_never_fires(customer):
    rule = only("after_sale")
    rule.is_active = False
    rule.save()
    sale(customer, d(2026, 1, 10))

    run(d(2026, 4, 10))

    assert tasks_of(customer) == []


def test_a_rule_s_interval_and_title_are_read_from_the_database(customer):
    rule = only("after_sale")
    rule.interval_months = 1
    rule.task_title = "Llamar: {months} meses desde la venta del {last_sale}"
    rule.due_in_days = 0
    rule.save()
    sale(customer, d(2026, 1, 10))

    run(d(2026, 2, 10))

    [task] = tasks_of(customer)
    assert task.title == "Llamar: 1 meses desde la venta del 01/10/2026"
    assert task.due_date == d(2026, 2, 10)


def test_titles_are_written_in_the_owner_s_language(customer, rep):
    rep.language = "es"
    rep.save()
    rule = only("after_sale")
    rule.task_title = "{last_sale}"
    rule.save()
    sale(customer, d(2026, 1, 10))

    run(d(2026, 4, 10))

    [task] = tasks_of(customer)
    assert task.title == "10/01/2026"


def test_a_second_rule_of_the_same_kind_fires_on_its_own(customer, licence):
    only("licence_renewal")
    FollowUpRule.objects.create(
        name="Última semana",
        kind="licence_renewal",
        days=7,
        task_title="Última semana para renovar {product}",
    )

    run(d(2026, 4, 10))
    run(d(2026, 5, 3))
    run(d(2026, 5, 4))

    assert [task.title for task in tasks_of(customer)] == [
        "Renew the licence of ERP Nube: it expires on 05/10/2026",
        "Última semana para renovar ERP Nube",
    ]
