"""Benchmark: the ecosystem overview with 100,000 organisations.

Times, in-process through Django's test client, the overview page
(``/verzeichnis/ueberblick/``) cold (figures cache cleared: every aggregate query
runs) and warm (figures from the cache), plus a filtered cold request
(``?kind=ai_company``), and counts the SQL queries of a cold request.

    .venv/bin/python bench/overview_bench.py --db sqlite --size 100000
    .venv/bin/python bench/overview_bench.py --db postgres --size 100000

The network comes from ``lotse demo --size N`` (N organisations, 3 N people,
2 N offers and needs), built on first use into ``/tmp/lotse_bench_overview``
(SQLite, ``LOTSE_DATA_DIR``) or ``postgres://postgres@127.0.0.1:5432/lotse_bench_overview``
and reused afterwards.  Each database runs in its own subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path(os.environ.get("LOTSE_BENCH_OVERVIEW_DIR", "/tmp/lotse_bench_overview"))
POSTGRES = "postgres://postgres@127.0.0.1:5432/lotse_bench_overview"


def child_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "lotse.settings"
    env["PYTHONPATH"] = str(ROOT / "src")
    env.pop("REDIS_URL", None)  # the local-memory cache, so nothing outside is measured
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["LOTSE_DATA_DIR"] = str(SQLITE_DIR)
    else:
        env["DATABASE_URL"] = POSTGRES
    return env


def ensure_postgres_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        exists = c.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'lotse_bench_overview'"
        ).fetchone()
        if not exists:
            c.execute("CREATE DATABASE lotse_bench_overview")


def run_child(size: int, repeat: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from lotse.ecosystem.models import Organisation

    call_command("migrate", verbosity=0)
    if Organisation.objects.count() < size:
        started = time.perf_counter()
        call_command("demo", size=size, no_progress=True, no_index=True, reset=True)
        print(f"built network in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    client = Client()
    url = "/verzeichnis/ueberblick/"
    client.get(url)  # warm up imports, templates and the base map

    def timed(path: str, *, cold: bool) -> float:
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    cache.clear()
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    cold = [timed(url, cold=True) for _ in range(max(3, repeat // 5))]
    filtered = [timed(url + "?kind=ai_company", cold=True) for _ in range(max(3, repeat // 5))]
    warm = [timed(url, cold=False) for _ in range(repeat)]
    return {
        "db": connection.vendor,
        "organisations": Organisation.objects.count(),
        "queries_cold": len(queries),
        "cold_median_ms": round(statistics.median(cold), 1),
        "cold_filtered_median_ms": round(statistics.median(filtered), 1),
        "warm_median_ms": round(statistics.median(warm), 1),
        "warm_p95_ms": round(sorted(warm)[int(0.95 * (len(warm) - 1))], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.size, args.repeat)))
        return 0
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        if db == "postgres":
            ensure_postgres_database()
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, __file__, "--child", db, "--size", str(args.size),
             "--repeat", str(args.repeat)],
            env=child_env(db), capture_output=True, text=True, check=False, cwd=ROOT,
        )
        if result.returncode:
            print(result.stderr[-3000:], file=sys.stderr)
            return result.returncode
        print(result.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
