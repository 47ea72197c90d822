"""``lotse worker``: run background jobs with the configured task backend."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Arbeitet Hintergrundaufgaben ab: mit Redis (LOTSE_TASKS_BACKEND=rq) über RQ, "
        "mit LOTSE_TASKS_BACKEND=database aus der Datenbank. Bei 'immediate' laufen "
        "Aufgaben sofort im Webprozess; dann ist kein Worker nötig."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="alle wartenden Aufgaben abarbeiten und beenden"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.LOTSE_TASKS_BACKEND
        if backend == "rq":
            extra = ["--burst"] if options["burst"] else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        elif backend == "database":
            extra = ["--batch"] if options["burst"] else []
            call_command("db_worker", *extra)
        else:
            self.stdout.write(
                "LOTSE_TASKS_BACKEND=immediate: Aufgaben laufen sofort, kein Worker nötig."
            )
