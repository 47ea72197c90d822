"""``lotse run``: set up the database, load the demo network if empty, start the site."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser

from lotse.ecosystem.models import Organisation


class Command(BaseCommand):
    help = (
        "Richtet die Datenbank ein, lädt bei leerer Datenbank das Demo-Netzwerk "
        "und startet die Website."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Adresse:Port (Standard 127.0.0.1:8000)"
        )
        parser.add_argument("--no-demo", action="store_true", help="kein Demo-Netzwerk laden")
        parser.add_argument(
            "--setup-only", action="store_true", help="nur einrichten, nicht starten"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Datenbank ist eingerichtet."))
        if (
            not options["no_demo"]
            and not Organisation.objects.exists()
            and "demo" in get_commands()
        ):
            self.stdout.write("Lade das Demo-Netzwerk …")
            call_command("demo", verbosity=1)  # prints the demo logins itself
        elif "demo" in get_commands():
            from lotse.ecosystem.demo import DEMO_LOGINS

            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("Demo-Zugänge:"))
            for role, (email, password) in DEMO_LOGINS.items():
                self.stdout.write(f"  {role}: {email} / {password}")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Lotse läuft auf http://{options['addr']}/  (Strg+C beendet)")
        )
        if options["setup_only"]:
            return
        call_command("runserver", options["addr"], use_reloader=False)
