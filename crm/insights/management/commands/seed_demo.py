from django.core.management.base import BaseCommand, CommandError

from contacts.demo import seed_demo_customers
from contacts.models import Customer
from crm.accounts.demo import ensure_demo_users
from crm.accounts.roles import Role


class Command(BaseCommand):
    help = (
        "Create the demo users (one per role) and add realistic Colombian demo customers with "
        "contacts, activities and tasks. Run it again to add more."
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

    def handle(self, *args, customers, seed, if_empty, activities_per_customer, **options):
        if customers < 0 or activities_per_customer < 0:
            raise CommandError("--customers and --activities-per-customer cannot be negative.")
        users = ensure_demo_users()
        existing = Customer.objects.count()
        if if_empty and existing:
            self.stdout.write(f"Demo data skipped: there are already {existing} customers.")
            return
        reps = [user for user in users if user.groups.filter(name=Role.SALES_REP).exists()]
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
