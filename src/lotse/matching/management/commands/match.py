"""``lotse match --need KEY --json``: ranked suggestions with reasons on the console."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.ecosystem.models import Need, Offer, Organisation, Person
from lotse.matching import selectors
from lotse.matching.engine import Match


class Command(BaseCommand):
    help = (
        "Passende Angebote zu einem Bedarf (--need), Bedarfe zu einem Angebot (--offer), "
        "Kontakte für eine Person (--person) oder Investoren/Start-ups (--funding) finden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--need", metavar="KEY", help="Schlüssel eines Bedarfs")
        target.add_argument("--offer", metavar="KEY", help="Schlüssel eines Angebots")
        target.add_argument("--person", metavar="KEY", help="Schlüssel einer Person")
        target.add_argument("--funding", metavar="KEY", help="Schlüssel einer Organisation")
        parser.add_argument("--json", action="store_true", help="Ausgabe als JSON")
        parser.add_argument("--limit", type=int, default=10, help="Anzahl (1–100)")
        parser.add_argument("--min-score", type=float, default=0.0, help="Mindestpassung 0–1")
        parser.add_argument("--kind", action="append", default=[], help="Art (mehrfach)")
        parser.add_argument("--residency", default="", help="on_premise oder eu_cloud")
        parser.add_argument("--region", default="", help="Region/Bundesland")
        parser.add_argument("--language", default="", help="Sprachcode, z. B. de")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(1, min(int(options["limit"]), selectors.MAX_LIMIT))
        min_score = float(options["min_score"])
        params = {
            "kind": options["kind"],
            "residency": options["residency"],
            "region": options["region"],
            "language": options["language"],
            "min_score": min_score,
            "limit": limit,
        }
        matches: list[Match]
        if options["need"]:
            need = Need.objects.filter(key=options["need"]).first()
            if need is None:
                raise CommandError(f"Bedarf „{options['need']}“ nicht gefunden.")
            filters = selectors.ListingFilters.from_params(params, entity="offer")
            matches, subject = selectors.match_need(need, filters), ("need", need.key)
        elif options["offer"]:
            offer = Offer.objects.filter(key=options["offer"]).first()
            if offer is None:
                raise CommandError(f"Angebot „{options['offer']}“ nicht gefunden.")
            filters = selectors.ListingFilters.from_params(params, entity="need")
            matches, subject = selectors.match_offer(offer, filters), ("offer", offer.key)
        elif options["person"]:
            person = Person.objects.filter(key=options["person"]).first()
            if person is None:
                raise CommandError(f"Person „{options['person']}“ nicht gefunden.")
            # The console sees what an anonymous visitor sees: public profiles only.
            matches = selectors.match_person(
                AnonymousUser(), person, limit=limit, min_score=min_score
            )
            subject = ("person", person.key)
        else:
            organisation = Organisation.objects.filter(key=options["funding"]).first()
            if organisation is None:
                raise CommandError(f"Organisation „{options['funding']}“ nicht gefunden.")
            matches = selectors.match_funding(organisation, limit=limit, min_score=min_score)
            subject = ("organisation", organisation.key)
        if options["json"]:
            payload = {
                "subject": {"type": subject[0], "key": subject[1]},
                "results": [match.as_json() for match in matches],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not matches:
            self.stdout.write("Keine passenden Vorschläge gefunden.")
        for rank, match in enumerate(matches, start=1):
            self.stdout.write(f"{rank:>2}. {match.percent:>3} %  {match.title}  [{match.key}]")
            for reason in match.reasons:
                self.stdout.write(f"       + {reason}")
            for caveat in match.caveats:
                self.stdout.write(f"       ! {caveat}")
