"""``lotse schedule export EVENT --format xml|json`` and ``lotse schedule import FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.events.domain import schedule_export, schedule_import
from lotse.events.models import Event


class Command(BaseCommand):
    help = "Programm als frab/pretalx schedule.xml/json exportieren oder importieren."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Programm einer Veranstaltung exportieren")
        export.add_argument("event", help="Schlüssel (slug) der Veranstaltung")
        export.add_argument("--format", choices=["xml", "json"], default="xml")
        export.add_argument("-o", "--output", help="Datei (sonst Standardausgabe)")
        imp = sub.add_parser("import", help="schedule.xml/json als neue Veranstaltung anlegen")
        imp.add_argument("file", help="Pfad zur Datei")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options: dict[str, Any]) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"Unbekannte Veranstaltung: {options['event']}")
        if options["format"] == "xml":
            text = schedule_export.export_xml(event)
        else:
            text = json.dumps(schedule_export.export_json(event), ensure_ascii=False, indent=1)
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"geschrieben: {options['output']}")
        else:
            self.stdout.write(text, ending="")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        if path.stat().st_size > settings.LOTSE_MAX_IMPORT_BYTES:
            raise CommandError(
                f"Die Datei ist zu groß (höchstens {settings.LOTSE_MAX_IMPORT_BYTES} Bytes)."
            )
        try:
            report = schedule_import.import_schedule(path.read_bytes())
        except schedule_import.ScheduleImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.event.title} ({report.event.slug}): {report.created} Programmpunkte, "
            f"{len(report.rooms)} Räume, als Entwurf angelegt."
        )
        for line in report.skipped:
            self.stdout.write(f"  übersprungen: {line}")
        if report.unmatched_speakers:
            self.stdout.write(
                "  ohne Profil im Verzeichnis: " + ", ".join(report.unmatched_speakers)
            )
