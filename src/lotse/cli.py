"""The ``lotse`` console command: one entry point for what operators and users run.

``lotse <command> [options]`` runs the Django management command of that name with
Lotse's settings, so every command has ``--help``.  ``lotse meetings solve`` runs
the meeting optimiser on a file without touching the database.
"""

from __future__ import annotations

import os
import sys

COMMANDS: dict[str, str] = {
    "run": "Datenbank einrichten, Demo-Netzwerk laden (falls leer) und Website starten",
    "demo": "Demo-Netzwerk laden oder synthetisches Netzwerk erzeugen (--size N)",
    "import": "Organisationen, Personen, Angebote, Bedarfe aus CSV/JSON importieren",
    "export": "Verzeichnis als CSV/JSON exportieren",
    "createmanager": "Konto für das Netzwerk-Management anlegen",
    "remind-stale": "Verantwortliche veralteter Profile per E-Mail erinnern",
    "reindex": "Suchindex vollständig neu aufbauen",
    "search": "Im Verzeichnis suchen (--json)",
    "match": "Passende Angebote zu einem Bedarf finden (--need KEY --json)",
    "meetings": "1:1-Meetings planen (solve INPUT.json -o OUTPUT.json | schedule EVENT)",
    "schedule": "Programm als schedule.xml/json exportieren oder importieren",
    "worker": "Hintergrundaufgaben abarbeiten",
    "migrate": "Datenbankschema aktualisieren",
    "check": "Konfiguration prüfen (z. B. --deploy)",
}

ALIASES = {
    "import": "import_directory",
    "export": "export_directory",
    "remind-stale": "remind_stale",
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "Aufruf: lotse BEFEHL [OPTIONEN]   (lotse BEFEHL --help zeigt die Optionen)",
        "",
        "Befehle:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "Jeder andere Django-Verwaltungsbefehl funktioniert ebenso (lotse help)."]
    return "\n".join(lines)


def _register_meetings_schedule() -> None:
    """``lotse meetings schedule EVENT`` runs the events app's Django command."""
    import argparse

    from lotse.meetings.cli import register_subcommand

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("event", help="Schlüssel (slug) der Veranstaltung")
        parser.add_argument(
            "options",
            nargs=argparse.REMAINDER,
            help="weitere Optionen: --method, --time-limit, --publish, --json",
        )

    def run(args: argparse.Namespace) -> int:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["lotse", "meetings", "schedule", args.event, *args.options])
        return 0

    register_subcommand(
        "schedule",
        help="Meetings einer Veranstaltung in der Datenbank planen / schedule an event",
        configure=configure,
        handler=run,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    command, rest = argv[0], argv[1:]
    if command == "meetings":
        from lotse.meetings.cli import main as meetings_main

        _register_meetings_schedule()
        return meetings_main(rest)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lotse", ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
