import os
import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from lotse.search.documents import ENTITY_TYPES, queryset
from lotse.search.index import embed_missing, rebuild
from lotse.search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Baut den Suchindex neu auf: erst die Stichwortsuche, dann die Vektoren "
        "(--keyword-only: nur Stichwörter; --semantic: nur fehlende Vektoren nachholen)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", action="append", choices=ENTITY_TYPES, dest="types")
        parser.add_argument("--no-progress", action="store_true", help="ohne Fortschrittsbalken")
        stage = parser.add_mutually_exclusive_group()
        stage.add_argument(
            "--keyword-only",
            action="store_true",
            help="nur die Stichwortsuche aufbauen; Vektoren später mit --semantic",
        )
        stage.add_argument(
            "--semantic",
            action="store_true",
            help="nur Einträge ohne Vektor einbetten (fortsetzbar, ändert sonst nichts)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="Arbeitsprozesse für Analyse und Einbettung (Voreinstellung: "
            "LOTSE_EMBED_PROCESSES, sonst Anzahl der Kerne)",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        processes = options["processes"]
        if processes is None and not os.environ.get("LOTSE_EMBED_PROCESSES"):
            processes = os.cpu_count() or 1
        bar_options = {"disable": options["no_progress"], "file": self.stderr._out}
        if not options["semantic"]:
            types = options["types"] or list(ENTITY_TYPES)
            total = sum(queryset(t).count() for t in types)
            # Without --keyword-only the workers embed while they analyse: the
            # rows are written with their vectors, one pass for both halves.
            with tqdm(total=total, unit="Einträge", **bar_options) as bar:
                counts = rebuild(
                    types=types,
                    progress=lambda _type, n: bar.update(n),
                    semantic=not options["keyword_only"],
                    processes=processes,
                )
            summary = ", ".join(f"{t}: {n}" for t, n in counts.items())
            if options["keyword_only"]:
                self.stdout.write(
                    f"Stichwortsuche aufgebaut in {time.perf_counter() - started:.1f} s "
                    f"({summary})."
                )
                self.stdout.write("Vektoren fehlen noch: »lotse reindex --semantic« holt sie nach.")
                return
            self.stdout.write(
                f"Stichwortsuche und Vektoren aufgebaut in {time.perf_counter() - started:.1f} s "
                f"({summary})."
            )
        semantic_started = time.perf_counter()
        missing = SearchDocument.objects.filter(embedding__isnull=True).count()
        with tqdm(total=missing, unit="Vektoren", **bar_options) as bar:
            done = embed_missing(progress=bar.update, processes=processes)
        self.stdout.write(
            f"{done} Vektoren berechnet in {time.perf_counter() - semantic_started:.1f} s "
            f"(gesamt {time.perf_counter() - started:.1f} s)."
        )
