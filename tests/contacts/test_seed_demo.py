"""``manage.py seed_demo``: demo users per role and realistic customers a new user can explore."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from contacts.models import Activity, Contact, Customer, EconomicActivity, RelationshipType, Task
from contacts.validators import validate_nit
from crm.accounts.demo import DEMO_USERS
from crm.accounts.models import User
from crm.accounts.roles import Role

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    seed("--customers", "30", "--seed", "7")


def test_every_role_has_a_demo_user_in_its_group(seeded):
    for username, _first, _last, role, team in DEMO_USERS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert (user.team.name if user.team else None) == team


def test_customers_have_valid_unique_nits(seeded):
    tax_ids = list(Customer.objects.values_list("tax_id", flat=True))
    assert len(tax_ids) == 30
    assert len(set(tax_ids)) == 30
    for tax_id in tax_ids:
        validate_nit(tax_id)


def test_customers_are_spread_over_the_sales_reps_and_their_teams(seeded):
    reps = set(User.objects.filter(groups__name=Role.SALES_REP).values_list("pk", flat=True))
    owned = Customer.objects.filter(owner__isnull=False).select_related("owner")
    assert owned.exists()
    for customer in owned:
        assert customer.owner_id in reps
        assert customer.team_id == customer.owner.team_id
    assert Customer.objects.filter(owner__isnull=True).exists()


def test_companies_and_people_look_real(seeded):
    companies = Customer.objects.exclude(segment=Customer.Segment.NATURAL_PERSON)
    assert companies.exists()
    assert all(company.legal_name.endswith(("S.A.S.", "Ltda.", "S.A.", "S. en C.")) for company in companies)
    assert all(
        customer.city and customer.phone and "@" in customer.email for customer in Customer.objects.all()
    )
    assert EconomicActivity.objects.filter(code="6201").exists()
    assert RelationshipType.objects.filter(customers__isnull=False).exists()


def test_contacts_activities_and_tasks_exist(seeded):
    assert Contact.objects.exists()
    assert Contact.objects.filter(is_legal_representative=True).exists()
    assert Activity.objects.exists()
    assert set(Activity.objects.values_list("kind", flat=True)) <= set(Activity.Kind.values)
    for activity in Activity.objects.filter(customer__owner__isnull=False).select_related("customer"):
        assert activity.user_id == activity.customer.owner_id
    for task in Task.objects.select_related("customer"):
        assert task.assignee_id == task.customer.owner_id


def test_seeded_customers_are_found_by_the_search_box(seeded):
    customer = Customer.objects.order_by("pk").first()
    assert customer.search_text
    assert customer in Customer.objects.search(customer.legal_name)
    assert customer in Customer.objects.search(customer.tax_id)
    contact = Contact.objects.select_related("customer").first()
    assert contact.customer in Customer.objects.search(contact.name)


def test_if_empty_seeds_an_empty_database_once():
    first = seed("--customers", "5", "--if-empty")
    assert Customer.objects.count() == 5
    assert "Added 5 customers" in first
    second = seed("--customers", "5", "--if-empty")
    assert Customer.objects.count() == 5
    assert "skipped" in second


def test_running_again_adds_customers_without_tax_id_collisions(seeded):
    seed("--customers", "30", "--seed", "7")
    tax_ids = list(Customer.objects.values_list("tax_id", flat=True))
    assert len(tax_ids) == 60
    assert len(set(tax_ids)) == 60
    for tax_id in tax_ids:
        validate_nit(tax_id)
    assert User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).count() == len(DEMO_USERS)
