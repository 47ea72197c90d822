"""``lotse meetings schedule EVENT``: run the 1:1 meeting optimiser on an event.

(``lotse meetings solve INPUT.json`` is routed by the ``lotse`` CLI straight to the
plain optimiser package and never reaches this command.)
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.events.domain import meetings as domain
from lotse.events.models import Event


class Command(BaseCommand):
    help = "1:1-Meetings einer Veranstaltung planen (schedule EVENT [--publish])."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        schedule = sub.add_parser("schedule", help="Optimierung für eine Veranstaltung")
        schedule.add_argument("event", help="Schlüssel (slug) der Veranstaltung")
        schedule.add_argument("--method", default="auto")
        schedule.add_argument("--time-limit", type=float, default=60.0)
        schedule.add_argument(
            "--publish", action="store_true", help="den vorläufigen Plan gleich veröffentlichen"
        )
        schedule.add_argument("--json", action="store_true", help="Bericht als JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"Unbekannte Veranstaltung: {options['event']}")
        try:
            report = domain.run_optimiser(
                event, method=options["method"], time_limit=options["time_limit"]
            )
            published = domain.publish_meetings(event) if options["publish"] else 0
        except (domain.MeetingError, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps({**report, "published": published}, indent=1))
            return
        self.stdout.write(
            f"{report['meetings']} Meetings für {report['attendees']} Personen; "
            f"Gewicht {report['total_weight']:.1f} (Schranke {report['weight_upper_bound']:.1f}), "
            f"Abstand {100 * report['gap']:.1f} % ({report['solver']}, {report['seconds']} s)"
        )
        for warning in report["warnings"]:
            self.stdout.write(f"  Hinweis: {warning}")
        self.stdout.write(
            f"veröffentlicht: {published}"
            if published
            else "vorläufig – prüfen und veröffentlichen"
        )
