"""Benchmark: the organisations directory with 100,000 organisations (target < 100 ms).

Generates a synthetic network (``lotse demo --size N``: N organisations, 3 N
people, 2 N offers and needs) into a separate database and times the server-side
rendering of the organisations directory's first page with a topic filter and a
search term, in-process through Django's test client (no network, no browser):

    .venv/bin/python bench/directory_bench.py                  # both databases
    .venv/bin/python bench/directory_bench.py --db sqlite --size 100000 --repeat 30
    .venv/bin/python bench/directory_bench.py --db postgres --explain

Databases: SQLite file ``/tmp/lotse_bench_dir/lotse.sqlite3`` (``LOTSE_DATA_DIR``) and
PostgreSQL ``postgres://postgres@127.0.0.1:5432/lotse_bench_dir`` (created if
missing).  A database that already holds the network of the requested size is
reused; ``--fresh`` rebuilds it.  Each database runs in its own subprocess
because Django's settings are fixed per process.

Output: median and p95 in ms for the full request, cold (the search term's
match not remembered: ``clear_match_cache()`` before each request) and warm (it
is: a refinement of the same search), the number of SQL queries,
the slowest queries of one request (with ``--explain``: their query plans), and
with ``--json`` one JSON line per database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path("/tmp/lotse_bench_dir")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DB = "lotse_bench_dir"
TARGET_MS = 100.0
SEED = 4242


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, default=100_000, help="organisations (people: 3×)")
    parser.add_argument("--listings", type=int, default=None, help="offers+needs (default 2×)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests")
    parser.add_argument("--topic", default="spracherkennung-untertitelung")
    parser.add_argument("--query", default="Archiv")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument("--json", action="store_true", help="one JSON line per database")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT / "src")
    env["DJANGO_SETTINGS_MODULE"] = "lotse.settings"
    env["LOTSE_DATA_DIR"] = str(SQLITE_DIR)
    env["LOTSE_DEBUG"] = "0"  # as in production: no debug toolbar, no query log overhead
    env["LOTSE_TASKS_BACKEND"] = env.get("LOTSE_TASKS_BACKEND", "immediate")
    if db == "postgres":
        env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DB}"
    return env


def prepare_postgres(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (POSTGRES_DB,)
        ).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{POSTGRES_DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{POSTGRES_DB}"')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    status = 0
    for db in dbs:
        if db == "postgres":
            prepare_postgres(args.fresh)
        elif args.fresh and SQLITE_DIR.exists():
            shutil.rmtree(SQLITE_DIR)
        forwarded = list(argv if argv is not None else sys.argv[1:])
        forwarded = [a for a in forwarded if a != "--fresh"]
        if "--db" in forwarded:
            i = forwarded.index("--db")
            del forwarded[i : i + 2]
        forwarded = [a for a in forwarded if not a.startswith("--db=")]
        result = subprocess.run(
            [sys.executable, __file__, "--child", db, *forwarded],
            env=child_env(db),
            check=False,
        )
        status = status or result.returncode
    return status


# --- Inside the child process (one database) ------------------------------------------


def run_child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from lotse.ecosystem import demo
    from lotse.ecosystem.models import Organisation, Person

    db = args.child
    call_command("migrate", interactive=False, verbosity=0)
    prefix = f"{demo.SYNTHETIC_PREFIX}{SEED}-"
    have = Organisation.objects.filter(key__startswith=prefix).count()
    if have != args.size:
        if have:
            print(f"[{db}] removing the old network ({have} organisations) …", flush=True)
            demo.remove_demo_data()
        print(f"[{db}] generating {args.size} organisations …", flush=True)
        started = time.perf_counter()
        call_command(
            "demo",
            size=args.size,
            listings=args.listings,
            seed=SEED,
            no_index=True,
            stdout=sys.stderr,
        )
        generated_s = time.perf_counter() - started
        print(f"[{db}] generated in {generated_s:.1f} s", flush=True)
    else:
        generated_s = None
    with connection.cursor() as cursor:
        # After a bulk load: statistics, and on PostgreSQL the visibility map
        # (index-only scans otherwise fetch every heap row), as autovacuum would.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    counts = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
    }

    client = Client()
    url = reverse("ecosystem:organisation_list")
    params = {"topic": args.topic, "q": args.query}
    response = client.get(url, params)
    if response.status_code != 200:
        print(f"[{db}] HTTP {response.status_code}", file=sys.stderr)
        return 1
    body = response.content.decode()
    hits = "?"
    if "data-result-count" in body:
        hits = body.split("data-result-count", 1)[1].split("</p>", 1)[0]
        hits = hits.replace('role="status">', "").split("·")[0].split("<")[0].strip()

    from lotse.search.selectors import clear_match_cache

    for _ in range(3):  # warm caches (templates, facet choices, database pages)
        client.get(url, params)

    def series(cold: bool) -> tuple[float, float, float]:
        """(median, p95, process CPU median) in ms over ``--repeat`` requests.

        cold: the query's remembered match is dropped before each request (the
        first request of a search term); warm: it is reused (a refinement of a
        search, another page or sort, a shared link opened again)."""
        timings: list[float] = []
        cpu: list[float] = []  # this process only: Python + SQLite, not the PostgreSQL server
        for _ in range(args.repeat):
            if cold:
                clear_match_cache()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        return statistics.median(timings), p95, statistics.median(cpu)

    cold_median, cold_p95, cold_cpu = series(cold=True)
    median, p95, cpu_median = series(cold=False)
    load = os.getloadavg()[0]

    # One more request with the query log on: which queries take the time?
    queries: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            queries.append((elapsed, _interpolate(connection, sql, params)))

    clear_match_cache()
    with connection.execute_wrapper(timed):
        client.get(url, params)

    def verdict(value: float) -> str:
        return "OK" if value < TARGET_MS else "TOO SLOW"

    print(
        f"[{db}] {counts['organisations']} organisations, {counts['people']} people; "
        f"GET {url}?topic={args.topic}&q={args.query} ({hits}), {args.repeat} requests each, "
        f"load average {load:.1f}:\n"
        f"    cold (query not remembered): median {cold_median:.1f} ms, p95 {cold_p95:.1f} ms, "
        f"process CPU median {cold_cpu:.1f} ms  [{verdict(cold_p95)}]\n"
        f"    warm (query remembered):     median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"process CPU median {cpu_median:.1f} ms  [{verdict(p95)}]\n"
        f"    cold request: {len(queries)} queries, {sum(t for t, _ in queries):.1f} ms in SQL"
    )
    for ms, sql in sorted(queries, reverse=True)[:5]:
        print(f"    {ms:7.1f} ms  {sql[:220]}")
        if args.explain:
            explain(connection, sql)
    if args.json:
        print(
            json.dumps(
                {
                    "bench": "directory",
                    "db": db,
                    "organisations": counts["organisations"],
                    "people": counts["people"],
                    "cold_median_ms": round(cold_median, 1),
                    "cold_p95_ms": round(cold_p95, 1),
                    "median_ms": round(median, 1),
                    "p95_ms": round(p95, 1),
                    "cpu_median_ms": round(cpu_median, 1),
                    "load_average": round(load, 1),
                    "queries": len(queries),
                    "sql_ms": round(sum(t for t, _ in queries), 1),
                    "generated_s": None if generated_s is None else round(generated_s, 1),
                }
            )
        )
    return 0


def _interpolate(connection: Any, sql: str, params: Any) -> str:
    """The SQL with its parameters inlined (for printing and EXPLAIN)."""
    if not params:
        return sql
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return str(cursor.cursor.mogrify(sql, params))
    quoted = []
    for value in params:
        if isinstance(value, str):
            quoted.append("'" + value.replace("'", "''") + "'")
        elif value is None:
            quoted.append("NULL")
        else:
            quoted.append(str(value))
    return sql.replace("%s", "{}").format(*quoted) if "%s" in sql else sql


def explain(connection: Any, sql: str) -> None:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        for row in cursor.fetchall():
            print("            " + " | ".join(str(c) for c in row))


if __name__ == "__main__":
    raise SystemExit(main())
