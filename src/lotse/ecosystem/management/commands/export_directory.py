"""``lotse export``: export the directory as CSV (one file per entity) or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.ecosystem.domain.exports import iter_csv, iter_json
from lotse.ecosystem.importing.schema import ENTITIES


class Command(BaseCommand):
    help = (
        "Exportiert das Verzeichnis im Importformat (docs/import-format.md). JSON: eine "
        "Datei mit allen Listen; CSV: eine Datei je Art (ohne --entity: ein Verzeichnis mit "
        "organisations.csv, people.csv, offers.csv, needs.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", choices=ENTITIES, help="Nur diese Art exportieren")
        parser.add_argument("--format", choices=("csv", "json"), default="json")
        parser.add_argument(
            "-o",
            "--output",
            default="-",
            help="Zieldatei (oder Verzeichnis für CSV ohne --entity); '-' = Standardausgabe",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entity, output, file_format = options["entity"], options["output"], options["format"]
        entities = [entity] if entity else list(ENTITIES)
        if file_format == "json":
            self._write(output, iter_json(entities))
            return
        if entity:
            self._write(output, iter_csv(entity))
            return
        if output == "-":
            raise CommandError(
                "CSV ohne --entity ergibt vier Dateien: bitte mit -o ein Verzeichnis angeben."
            )
        directory = Path(output)
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{output} ist kein Verzeichnis.")
        directory.mkdir(parents=True, exist_ok=True)
        for name in entities:
            self._write(str(directory / f"{name}.csv"), iter_csv(name))

    def _write(self, output: str, chunks: Any) -> None:
        if output == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"{output} ist ein Verzeichnis; bitte einen Dateinamen angeben.")
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        tmp.replace(path)
        self.stderr.write(f"Geschrieben: {path}")
