import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from lotse.search.documents import ENTITY_TYPES, queryset
from lotse.search.index import rebuild


class Command(BaseCommand):
    help = "Baut den Suchindex (Volltext und Vektoren) vollständig neu auf."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", action="append", choices=ENTITY_TYPES, dest="types")
        parser.add_argument("--no-progress", action="store_true", help="ohne Fortschrittsbalken")

    def handle(self, *args, **options) -> None:
        types = options["types"] or list(ENTITY_TYPES)
        total = sum(queryset(t).count() for t in types)
        started = time.perf_counter()
        with tqdm(
            total=total, unit="Einträge", disable=options["no_progress"], file=self.stderr._out
        ) as bar:
            counts = rebuild(types=types, progress=lambda _type, n: bar.update(n))
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{t}: {n}" for t, n in counts.items())
        self.stdout.write(f"Suchindex neu aufgebaut in {elapsed:.1f} s ({summary}).")
