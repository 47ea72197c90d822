import json

from django.core.management.base import BaseCommand, CommandParser

from lotse.search.documents import ENTITY_TYPES
from lotse.search.selectors import MODES, search


class Command(BaseCommand):
    help = "Durchsucht das Verzeichnis und gibt die Treffer nach Rang aus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="Suchanfrage")
        parser.add_argument("--json", action="store_true", help="Treffer als JSON ausgeben")
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument("--type", action="append", choices=ENTITY_TYPES, dest="types")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument(
            "--members", action="store_true", help="auch Profile nur für Mitglieder"
        )

    def handle(self, *args, **options) -> None:
        result = search(
            options["query"],
            types=set(options["types"]) if options["types"] else None,
            limit=options["limit"],
            mode=options["mode"],
            members=options["members"],
        )
        if options["json"]:
            payload = {
                "query": result.query,
                "mode": result.mode,
                "total": result.total,
                "message": result.message,
                "hits": [hit.as_dict() for hit in result.hits],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if result.message:
            self.stdout.write(result.message)
        for rank, hit in enumerate(result.hits, start=1):
            self.stdout.write(
                f"{rank:>3}. {hit.score:8.4f}  {hit.type:<12} {hit.key:<40} {hit.title}"
            )
