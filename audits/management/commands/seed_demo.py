from typing import Any

from django.core.management.base import BaseCommand

from audits.demo import DEMO_PASSWORD, seed_demo, sign_ins


class Command(BaseCommand):
    help = "Create or refresh the demo organization, its users and data (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {demo.organization.name} / {demo.client.name}"))
        for email, role in sign_ins():
            self.stdout.write(f"  {email:<34} {role:<22} password: {DEMO_PASSWORD}")
