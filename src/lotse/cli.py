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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    command, rest = argv[0], argv[1:]
    if command == "meetings" and rest[:1] == ["solve"]:
        from lotse.meetings.cli import main as meetings_main

        return meetings_main(rest)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lotse", ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
