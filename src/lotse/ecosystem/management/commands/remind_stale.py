"""``lotse remind-stale``: e-mail the profile admins of stale organisations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from lotse.ecosystem.domain.reminders import REMIND_EVERY_DAYS, send_stale_reminders


class Command(BaseCommand):
    help = (
        "Erinnert die Profilverwaltung jeder Organisation, deren Angaben länger als "
        "LOTSE_STALE_AFTER_DAYS Tage nicht bestätigt wurden, per E-Mail (höchstens alle "
        f"{REMIND_EVERY_DAYS} Tage je Organisation)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur anzeigen, wer erinnert würde; nichts senden, nichts speichern.",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="Höchstens so viele Organisationen erinnern."
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Adresse der Website für die Links in der E-Mail (Standard: LOTSE_SITE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_stale_reminders(
            dry_run=options["dry_run"], limit=options["limit"], base_url=options["base_url"]
        )
        prefix = "[Probelauf] " if report.dry_run else ""
        for reminder in report.reminders:
            state = (
                "würde erinnert" if report.dry_run
                else "erinnert" if reminder.sent else f"FEHLER: {reminder.error}"
            )
            self.stdout.write(
                f"{prefix}{reminder.organisation_key}: {state} "
                f"({', '.join(reminder.recipients)})"
            )
        for key in report.without_recipient:
            self.stdout.write(f"{prefix}{key}: keine Profilverwaltung mit Konto, übersprungen")
        summary = (
            f"{prefix}{len(report.reminders)} Organisation(en) fällig "
            f"(älter als {settings.LOTSE_STALE_AFTER_DAYS} Tage), "
            f"{report.sent} erinnert, {report.failed} fehlgeschlagen, "
            f"{len(report.without_recipient)} ohne Empfänger."
        )
        self.stdout.write(self.style.WARNING(summary) if report.failed else summary)
        if report.failed:
            raise SystemExit(1)
