"""``lotse createmanager``: an account for the network management."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from lotse.accounts.domain import create_manager


class Command(BaseCommand):
    help = (
        "Legt ein Konto für das Netzwerk-Management an (oder macht ein bestehendes dazu). "
        "Das Passwort kommt aus --password, LOTSE_MANAGER_PASSWORD oder einer Eingabeaufforderung."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="E-Mail-Adresse des Kontos")
        parser.add_argument("--password", help="Passwort (sonst Abfrage)")
        parser.add_argument("--name", default="", help="Vor- und Nachname")
        parser.add_argument("--superuser", action="store_true", help="auch alle Admin-Rechte")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Ungültige E-Mail-Adresse: {email}") from error
        password = options["password"] or os.environ.get("LOTSE_MANAGER_PASSWORD")
        if not password:
            password = getpass.getpass("Passwort: ")
        try:
            user, created = create_manager(
                email=email, password=password, name=options["name"],
                superuser=options["superuser"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        verb = "angelegt" if created else "aktualisiert"
        self.stdout.write(self.style.SUCCESS(f"Management-Konto {user.email} {verb}."))
