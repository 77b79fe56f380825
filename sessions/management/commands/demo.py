"""`manage.py demo`: load the demo client, people, stations and session (idempotent).

Prints the demo credentials every time, so a second run is a way to look them up again.
"""

from django.core.management.base import BaseCommand

from sessions.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create demo data (client DEMO, SKU mappings, users admin/supervisor/packer/packer2, "
        "stations, a session with two packing lists). Safe to run twice. Demo passwords are "
        "<username>-demo, or DEMO_PASSWORD; for demonstration only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords", action="store_true",
            help="Set the demo passwords and PINs again even if the users already exist.",
        )

    def handle(self, *args, reset_passwords=False, **options):
        result = load_demo(reset_passwords=reset_passwords)
        created = {what: n for what, n in result.created.items() if n}
        if created:
            summary = ", ".join(f"{n} {what}" for what, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        session = result.session
        self.stdout.write(
            f"Demo session: {session.client.code} / {session.external_id} "
            f"({', '.join(session.lists.values_list('name', flat=True))})"
        )
        self.stdout.write("")
        self.stdout.write("Demo sign-in (demonstration only — never use these in production):")
        for cred in result.credentials:
            extra = ""
            if cred["badge"]:
                extra += f"  badge {cred['badge']}"
            if cred["pin"]:
                extra += f"  PIN {cred['pin']}"
            note = "" if cred["password_set_now"] else "  (set at first run; --reset-passwords)"
            self.stdout.write(
                f"  {cred['role']:<10} {cred['username']:<10} / {cred['password']}{extra}{note}"
            )
