import random

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from contacts.demo import seed_demo_customers
from contacts.models import Customer
from crm.accounts.demo import ensure_demo_users
from crm.accounts.roles import Role
from leads.demo import seed_leads_demo
from sales.demo import seed_sales_demo


class Command(BaseCommand):
    help = (
        "Create the demo users (one per role) and add realistic Colombian demo customers with "
        "contacts, activities and tasks, then sales data for them: a product catalogue, products "
        "owned, opportunities over the pipeline and quotes; marketing campaigns and leads for "
        "telemarketing. Run it again to add more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000, help="How many customers to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when there are customers already."
        )
        parser.add_argument(
            "--activities-per-customer",
            type=int,
            default=3,
            help="Average number of timeline activities per customer.",
        )
        parser.add_argument(
            "--opportunities",
            type=int,
            default=None,
            help=(
                "How many open opportunities to add for the new customers (default: one per five "
                "customers); a quarter as many won and lost ones come with them."
            ),
        )

    def handle(self, *args, customers, seed, if_empty, activities_per_customer, opportunities, **options):
        if customers < 0 or activities_per_customer < 0 or (opportunities or 0) < 0:
            raise CommandError(
                "--customers, --activities-per-customer and --opportunities cannot be negative."
            )
        users = ensure_demo_users()
        existing = Customer.objects.count()
        if if_empty and existing:
            self.stdout.write(f"Demo data skipped: there are already {existing} customers.")
            return
        reps = [user for user in users if user.groups.filter(name=Role.SALES_REP).exists()]
        last_pk = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
        result = seed_demo_customers(
            customers=customers, owners=reps, seed=seed, activities_per_customer=activities_per_customer
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.customers} customers, {result.contacts} contacts, "
                f"{result.activities} activities and {result.tasks} tasks "
                f"in {result.seconds:.1f} s ({existing + result.customers} customers in total)."
            )
        )
        sales = seed_sales_demo(
            rng=random.Random(seed * 1_000_033 + existing),
            customers=Customer.objects.filter(pk__gt=last_pk),
            opportunities=customers // 5 if opportunities is None else opportunities,
            owners=reps,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {sales.opportunities} opportunities ({sales.open} open), "
                f"{sales.stage_changes} stage changes, {sales.quotes} quotes with "
                f"{sales.quote_lines} lines and {sales.installed} products owned "
                f"in {sales.seconds:.1f} s."
            )
        )
        marketer = next((user for user in users if user.groups.filter(name=Role.MARKETING).exists()), None)
        telemarketers = [user for user in users if user.groups.filter(name=Role.TELEMARKETER).exists()]
        leads = seed_leads_demo(
            rng=random.Random(seed * 7_919 + existing),
            customers=Customer.objects.filter(pk__gt=last_pk),
            leads=customers // 10,
            telemarketers=telemarketers,
            owner=marketer,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {leads.leads} leads for telemarketing and {leads.members} campaign members "
                f"({leads.campaigns} campaigns)."
            )
        )
