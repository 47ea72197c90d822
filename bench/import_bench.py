"""Benchmark: import 100,000 organisations from CSV (target: under 2 minutes).

Usage (from the repository root)::

    # SQLite (a fresh database file under /tmp)
    .venv/bin/python bench/import_bench.py --rows 100000
    # PostgreSQL (the database is created if missing and emptied first)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench_import \\
        .venv/bin/python bench/import_bench.py --rows 100000

It writes a synthetic CSV (every column of the format, 2–3 topics and 1–2
sectors per organisation, a Markdown description), migrates the database,
empties the directory, then times: the first import (all rows created), a
re-import of the same file (all rows updated) and an export of all organisations.
Figures go to stdout and, with ``--json``, as one JSON line.  ``*_cpu_s`` is the
CPU time of this process (with SQLite that includes the database work), which
stays meaningful when the machine is busy with other jobs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

KINDS = [
    "media_house", "broadcaster", "production_studio", "agency", "ai_company", "startup",
    "research_institute", "university_chair", "cultural_organisation", "network", "investor",
    "public_body",
]
CITIES = [
    ("Hamburg", "Hamburg", 53.55, 9.99), ("München", "Bayern", 48.14, 11.58),
    ("Berlin", "Berlin", 52.52, 13.40), ("Köln", "Nordrhein-Westfalen", 50.94, 6.96),
    ("Leipzig", "Sachsen", 51.34, 12.37), ("Nürnberg", "Bayern", 49.45, 11.08),
]
WORDS = [
    "KI", "Medien", "Kultur", "Archiv", "Untertitel", "Übersetzung", "Redaktion", "Podcast",
    "Film", "Musik", "Verlag", "Sprache", "Daten", "Plattform", "Studio", "Bewegtbild",
    "Förderung", "Netzwerk", "Analyse", "Personalisierung",
]


def write_csv(path: Path, rows: int, topics: list[str], sectors: list[str]) -> None:
    rng = random.Random(42)
    header = [
        "key", "kind", "name", "short_description", "description", "website", "email",
        "street", "postcode", "city", "region", "country", "latitude", "longitude",
        "size_band", "founded_year", "topics", "sectors", "verified", "is_fictional",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(rows):
            city, region, lat, lon = rng.choice(CITIES)
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
            writer.writerow([
                f"bench-org-{number}",
                rng.choice(KINDS),
                name,
                " ".join(rng.choices(WORDS, k=12)),
                "**" + " ".join(rng.choices(WORDS, k=40)) + "**\n\n" + " ".join(
                    rng.choices(WORDS, k=30)
                ),
                f"https://org{number}.example.org",
                f"kontakt@org{number}.example.org",
                f"Musterstraße {number % 200 + 1}",
                f"{20000 + number % 80000:05d}",
                city,
                region,
                "DE",
                round(lat + rng.uniform(-0.1, 0.1), 5),
                round(lon + rng.uniform(-0.1, 0.1), 5),
                rng.choice(["1", "2-9", "10-49", "50-249", "250+", ""]),
                rng.randint(1950, 2025),
                "|".join(rng.sample(topics, k=rng.randint(2, 3))),
                "|".join(rng.sample(sectors, k=rng.randint(1, 2))),
                rng.choice(["true", "false"]),
                "true",
            ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print one JSON line at the end")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lotse-import-bench-"))
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    os.environ.setdefault("LOTSE_DATA_DIR", str(tmp))
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lotse.ecosystem.domain.exports import iter_csv
    from lotse.ecosystem.domain.imports import import_directory
    from lotse.ecosystem.models import Need, Offer, Organisation, Person, Term

    call_command("migrate", verbosity=0)
    for model in (Offer, Need, Person, Organisation):
        model.objects.all().delete()
    topics = list(
        Term.objects.filter(vocabulary__in=["capability", "use_case"]).values_list(
            "slug", flat=True
        )
    )
    sectors = list(Term.objects.filter(vocabulary="sector").values_list("slug", flat=True))

    path = tmp / "organisations.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, topics, sectors)
    generated = time.perf_counter() - started
    data = path.read_bytes()

    figures: dict[str, object] = {
        "database": connection.vendor,
        "rows": args.rows,
        "csv_mb": round(len(data) / 1e6, 1),
        "generate_s": round(generated, 1),
    }
    for label in ("import_create_s", "import_update_s"):
        started, cpu = time.perf_counter(), time.process_time()
        report = import_directory(data, filename=path.name)
        elapsed = time.perf_counter() - started
        figures[label.replace("_s", "_cpu_s")] = round(time.process_time() - cpu, 1)
        if not report.committed:
            print("import failed:", [str(e) for e in report.all_errors()[:5]], file=sys.stderr)
            return 1
        figures[label] = round(elapsed, 1)
        figures[label.replace("_s", "_rows")] = report.created or report.updated
    assert Organisation.objects.count() == args.rows
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in iter_csv("organisations"))
    figures["export_s"] = round(time.perf_counter() - started, 1)
    figures["export_mb"] = round(size / 1e6, 1)

    for name, value in figures.items():
        print(f"{name:>18}: {value}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
