"""``lotse import FILE``: import organisations, people, offers and needs (CSV/JSON)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lotse.ecosystem.domain.imports import ImportReport, Progress, import_directory
from lotse.ecosystem.importing.schema import ENTITIES

STAGES = {"check": "Prüfen", "write": "Schreiben"}
MAX_PRINTED_ERRORS = 200


class TqdmProgress(Progress):
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self.bar = tqdm(
            total=total,
            desc=STAGES.get(stage, stage),
            unit=" Zeilen",
            disable=not self.enabled,
            file=sys.stderr,
            mininterval=0.5,
        )

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Importiert Organisationen, Personen, Angebote und Bedarfe aus einer CSV- oder "
        "JSON-Datei (Format: docs/import-format.md). Standard: alles oder nichts – enthält "
        "die Datei eine fehlerhafte Zeile, wird nichts importiert. Vorhandene Einträge "
        "werden über ihren Schlüssel (key) aktualisiert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV- oder JSON-Datei ('-' liest von der Standardeingabe)")
        parser.add_argument(
            "--entity",
            choices=ENTITIES,
            help="Was die Datei enthält (bei CSV sonst aus Dateiname oder Kopfzeile erkannt)",
        )
        parser.add_argument(
            "--format", choices=("csv", "json"), help="Dateiformat (sonst aus Endung/Inhalt)"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Fehlerhafte Zeilen überspringen und den Rest importieren",
        )
        parser.add_argument(
            "--encoding",
            help="Zeichenkodierung erzwingen, z. B. utf-8, cp1252, latin-1 "
            "(sonst: UTF-8, ersatzweise Windows-1252)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Nur prüfen und berichten, nichts speichern"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"Datei nicht gefunden: {name}")
            data = path.read_bytes()
        progress = TqdmProgress(enabled=not options["no_progress"])
        report = import_directory(
            data,
            filename="" if name == "-" else name,
            entity=options["entity"],
            format=options["format"],
            encoding=options["encoding"],
            skip_invalid=options["skip_invalid"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        progress.finish()
        self._print(report)
        if not report.ok:
            raise CommandError(
                "Import abgebrochen – es wurde nichts gespeichert. "
                "Korrigieren Sie die Datei oder verwenden Sie --skip-invalid."
            )

    def _print(self, report: ImportReport) -> None:
        errors = report.all_errors()
        if report.format:
            self.stdout.write(f"Format: {report.format}, Kodierung: {report.encoding}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Hinweis: {warning}"))
        if errors:
            self.stderr.write(f"{report.error_count + len(report.file_errors)} Fehler:")
            for error in errors[:MAX_PRINTED_ERRORS]:
                self.stderr.write(f"  {error}")
            if len(errors) > MAX_PRINTED_ERRORS:
                self.stderr.write(f"  … und {len(errors) - MAX_PRINTED_ERRORS} weitere")
        if report.results:
            prefix = "Probelauf (nichts gespeichert): " if report.dry_run else ""
            if report.ok:
                style = self.style.SUCCESS
            else:
                style = self.style.ERROR
                prefix = "Nicht importiert: "
            self.stdout.write(style(prefix + report.summary()))
            written = sum(r.created + r.updated for r in report.results.values())
            if report.ok and not report.dry_run and written > 5000:
                self.stdout.write(
                    "Große Importe fließen nicht sofort in die Suche: "
                    "bitte »lotse reindex« ausführen."
                )
