from django.core.management.base import BaseCommand

from crm.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from crm.accounts.models import User


class Command(BaseCommand):
    help = "Print the address of the CRM and the demo log-ins of each role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        existing = set(
            User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"  The CRM is at {url}"))
        if not existing:
            self.stdout.write("  No demo users: run `manage.py seed_demo`.")
            return
        self.stdout.write(f"  Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role, team in DEMO_USERS:
            if username in existing:
                where = f", team {team}" if team else ""
                self.stdout.write(f"    {username:<14} {role.label}{where}")
        self.stdout.write("")
