"""``lotse demo``: load the demo network, or generate a large synthetic one."""

from __future__ import annotations

import time
from typing import Any

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lotse.ecosystem import demo


class Command(BaseCommand):
    help = (
        "Lädt das Demo-Netzwerk (Organisationen aus den Quellartikeln, fiktive Einträge, "
        "Demo-Zugänge). Mit --size N wird stattdessen ein großes synthetisches Netzwerk "
        "für Benchmarks erzeugt; --reset entfernt vorher alle Demo- und synthetischen Daten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            help="synthetisches Netzwerk mit N Organisationen und 3×N Personen erzeugen",
        )
        parser.add_argument(
            "--listings",
            type=int,
            help="Anzahl Angebote und Bedarfe zusammen (nur mit --size; Standard 2×N)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"Zufalls-Seed (Standard {demo.DEFAULT_SEED}); gleiche Seeds, gleiche Daten",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="alle Demo- und synthetischen Einträge sowie die Demo-Konten zuerst löschen",
        )
        parser.add_argument(
            "--no-index", action="store_true", help="den Suchindex danach nicht neu aufbauen"
        )
        parser.add_argument("--no-progress", action="store_true", help="ohne Fortschrittsbalken")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["listings"] is not None and options["size"] is None:
            raise CommandError("--listings gilt nur zusammen mit --size.")
        if options["reset"]:
            removed = demo.remove_demo_data()
            self.stdout.write(f"Entfernt: {removed}.")
        started = time.perf_counter()
        try:
            if options["size"] is not None:
                counts = self._generate(options)
            else:
                counts = demo.load_demo_network(seed=options["seed"])
        except demo.DemoError as error:
            if options["size"] is None and demo.demo_loaded():
                # Loading twice is harmless: say so and leave the data as it is.
                self.stdout.write(self.style.WARNING(str(error)))
                return
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Angelegt in {elapsed:.1f} s: {counts}."))
        if options["size"] is None:
            self._load_other_apps()
        self._reindex(options)
        if options["size"] is None:
            self.stdout.write("Demo-Zugänge:")
            for role, (email, password) in demo.DEMO_LOGINS.items():
                self.stdout.write(f"  {role}: {email} / {password}")

    def _load_other_apps(self) -> None:
        """The demo network's events and funding profiles (apps that build on it)."""
        if apps.is_installed("lotse.events"):
            from lotse.events.demo import load_demo_events

            self.stdout.write(f"Veranstaltungen: {load_demo_events()}.")
        if apps.is_installed("lotse.matching"):
            from lotse.matching.demo import load_demo_funding

            self.stdout.write(f"Finanzierungsprofile: {load_demo_funding()}.")

    def _generate(self, options: dict[str, Any]) -> demo.DemoCounts:
        size = options["size"]
        listings = options["listings"] if options["listings"] is not None else 2 * size
        if size < 1 or listings < 0:
            raise CommandError("--size muss mindestens 1, --listings mindestens 0 sein.")
        total = size * 4 + listings
        with tqdm(
            total=total,
            unit=" Zeilen",
            unit_scale=True,
            disable=options["no_progress"],
            file=self.stderr._out,
        ) as bar:
            return demo.generate_network(
                size=size, listings=listings, seed=options["seed"], progress=bar.update
            )

    def _reindex(self, options: dict[str, Any]) -> None:
        if "reindex" not in get_commands():
            return
        if options["no_index"]:
            self.stdout.write("Suchindex nicht aktualisiert (»lotse reindex« holt das nach).")
            return
        if options["size"] is not None and options["size"] > 5000:
            self.stdout.write(
                "Hinweis: Der Suchindex wurde nicht neu aufgebaut; bei großen Netzen "
                "bitte »lotse reindex« ausführen."
            )
            return
        call_command("reindex", no_progress=True, stdout=self.stdout._out)
