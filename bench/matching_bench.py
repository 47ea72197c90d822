"""Benchmark: matchmaking on a large network, and fair exposure before/after.

Part 1 (target: matches for one need < 200 ms): generates a synthetic network
(``lotse demo --size N --listings M``; default 100,000 organisations, 300,000
people, 200,000 offers and needs) into a separate database and times
``lotse.matching.selectors.match_need`` (candidates from the term through tables,
scoring, reasons: everything the page and ``lotse match`` do) for random
published needs, plus ``match_offer`` and the reciprocal ``match_person``.

Part 2 (fair exposure): simulates ``--sessions`` views of suggestion lists for
``--distinct-needs`` random needs (repeated views), once ranked by relevance only
and once with the amortised-fairness re-ranking (``engine.fair_rerank``), and sums
the position-discounted attention (1/log2(1+rank), top 10) each organisation
received.  Reports the Gini coefficient of exposure over all organisations that were ever a relevant
candidate, the share of exposure that went to the top 10 % organisations, the
share that went to small (< 10 staff) and new (founded in the last 3 years)
organisations, and the relevance cost as mean nDCG@10 (gains = relevance scores).

    .venv/bin/python bench/matching_bench.py                     # both databases
    .venv/bin/python bench/matching_bench.py --db sqlite --size 100000 --repeat 50
    .venv/bin/python bench/matching_bench.py --db postgres --sessions 2000 --json

Databases: SQLite file ``/tmp/lotse_bench_matching/lotse.sqlite3`` and PostgreSQL
``postgres://postgres@127.0.0.1:5432/lotse_bench_matching`` (created if missing),
reused when they hold a network of the requested size; ``--fresh`` rebuilds.
The search index is not built (``--no-index``), so these figures are for the
feature-only engine; with an index the semantic component adds one query that
reads at most 300 stored vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path("/tmp/lotse_bench_matching")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DB = "lotse_bench_matching"
TARGET_MS = 200.0
SEED = 4343


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, default=100_000, help="organisations (people: 3×)")
    parser.add_argument("--listings", type=int, default=200_000, help="offers + needs")
    parser.add_argument("--repeat", type=int, default=40, help="timed needs/offers/people")
    parser.add_argument("--sessions", type=int, default=1000, help="simulated views (part 2)")
    parser.add_argument(
        "--distinct-needs", type=int, default=50, help="needs the sessions are drawn from"
    )
    parser.add_argument(
        "--strengths",
        type=lambda text: [float(v) for v in text.split(",") if v],
        default=[0.05, 0.15],
        help="fairness strengths to compare, e.g. 0.05,0.15 (0.15 is the site's default)",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--json", action="store_true", help="one JSON line per database")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT / "src")
    env["DJANGO_SETTINGS_MODULE"] = "lotse.settings"
    env["LOTSE_DATA_DIR"] = str(SQLITE_DIR)
    env["LOTSE_DEBUG"] = "0"
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
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--fresh"]
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(label: str, calls: list[Any]) -> dict[str, Any]:
    for call in calls[:3]:  # warm caches
        call()
    timings = []
    cpu = []
    results = []
    for call in calls:
        started, started_cpu = time.perf_counter(), time.process_time()
        results.append(call())
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "what": label,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        # CPU time of this process: on SQLite that includes the database work, so it
        # approximates the latency on an idle machine even when others load the cores.
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
        "mean_results": round(statistics.mean(len(r) for r in results), 1),
        "n": len(calls),
    }


def run_child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    from lotse.ecosystem import demo
    from lotse.ecosystem.models import Need, Offer, Organisation, Person
    from lotse.matching import engine, selectors

    db = args.child
    call_command("migrate", interactive=False, verbosity=0)
    prefix = f"{demo.SYNTHETIC_PREFIX}{SEED}-"
    have = Organisation.objects.filter(key__startswith=prefix).count()
    generated_s = None
    if have != args.size:
        if have:
            demo.remove_demo_data()
        print(f"[{db}] generating {args.size} organisations …", flush=True)
        started = time.perf_counter()
        call_command(
            "demo",
            size=args.size,
            listings=args.listings,
            seed=SEED,
            no_index=True,
            no_progress=True,
            stdout=sys.stderr,
        )
        generated_s = time.perf_counter() - started
        print(f"[{db}] generated in {generated_s:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "offers": Offer.objects.count(),
        "needs": Need.objects.count(),
    }
    rng = random.Random(7)
    live = selectors._live_listings(Need)
    need_ids = list(Need.objects.filter(live).values_list("id", flat=True))
    offer_ids = list(
        Offer.objects.filter(selectors._live_listings(Offer)).values_list("id", flat=True)
    )
    needs = list(Need.objects.filter(pk__in=rng.sample(need_ids, args.repeat)))
    offers = list(Offer.objects.filter(pk__in=rng.sample(offer_ids, args.repeat)))
    person_ids = list(
        Person.objects.values_list("id", flat=True)[:: max(1, counts["people"] // 5000)]
    )
    people = list(Person.objects.filter(pk__in=rng.sample(person_ids, args.repeat)))
    anonymous = AnonymousUser()
    results = [
        timed("need → offers", [lambda n=n: selectors.match_need(n) for n in needs]),
        timed("offer → needs", [lambda o=o: selectors.match_offer(o) for o in offers]),
        timed(
            "person ↔ people",
            [lambda p=p: selectors.match_person(anonymous, p) for p in people],
        ),
    ]
    load = os.getloadavg()[0]
    print(f"[{db}] load average during the timings: {load:.1f} (2 cores)", flush=True)
    for row in results:
        verdict = "OK" if row["p95_ms"] < TARGET_MS else "TOO SLOW"
        print(
            f"[{db}] {row['what']}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
            f"max {row['max_ms']} ms over {row['n']} ({row['mean_results']} results); "
            f"{'CPU' if db == 'sqlite' else 'client CPU'} median {row['cpu_median_ms']} ms, "
            f"p95 {row['cpu_p95_ms']} ms"
            + (f"  [{verdict}]" if row["what"] == "need → offers" else ""),
            flush=True,
        )

    # --- Part 2: fair exposure ------------------------------------------------------
    # Repeated views: members look at the suggestions for a set of needs again and again.
    distinct = rng.sample(need_ids, min(args.distinct_needs, len(need_ids)))
    session_needs = [rng.choice(distinct) for _ in range(args.sessions)]
    pools: dict[int, list[engine.Match]] = {}
    for pk in set(session_needs):
        _source, pools[pk] = selectors.listing_pool(Need.objects.get(pk=pk))
    org_meta = {
        pk: (size, founded)
        for pk, size, founded in Organisation.objects.filter(
            pk__in={m.organisation_id for pool in pools.values() for m in pool}
        ).values_list("id", "size_band", "founded_year")
    }
    report: dict[str, Any] = {}
    policies = ["relevance"] + [f"fair@{strength:g}" for strength in args.strengths]
    for policy in policies:
        exposure: dict[int, float] = defaultdict(float)
        state: dict[int, engine.ExposureState] = {}
        ndcgs = []
        for pk in session_needs:
            pool = pools[pk]
            if not pool:
                continue
            if policy.startswith("fair@"):
                strength = float(policy.split("@")[1])
                shown = engine.fair_rerank(pool, state, k=10, strength=strength)
                for org_id, update in engine.exposure_updates(shown, pool[:50]).items():
                    entry = state.setdefault(org_id, engine.ExposureState())
                    entry.exposure += update.exposure
                    entry.merit += update.merit
            else:
                shown = list(pool[:10])
            for rank, match in enumerate(shown, start=1):
                exposure[match.organisation_id or 0] += engine.attention(rank)
            ndcgs.append(engine.ndcg([m.score for m in shown], [m.score for m in pool[:50]]))
        candidates = {
            m.organisation_id for pool in pools.values() for m in pool[:50] if m.organisation_id
        }
        values = [exposure.get(org, 0.0) for org in candidates]
        total = sum(values) or 1.0
        top = sorted(values, reverse=True)[: max(1, len(values) // 10)]
        small = sum(
            exposure.get(org, 0.0)
            for org in candidates
            if org_meta.get(org, ("", None))[0] in ("1", "2-9")
        )
        new = sum(
            exposure.get(org, 0.0)
            for org in candidates
            if (org_meta.get(org, ("", None))[1] or 0) >= 2023
        )
        report[policy] = {
            "gini": round(engine.gini(values), 3),
            "top10pct_share": round(sum(top) / total, 3),
            "small_share": round(small / total, 3),
            "new_share": round(new / total, 3),
            "orgs_seen": sum(1 for v in values if v > 0),
            "candidate_orgs": len(values),
            "ndcg10": round(statistics.mean(ndcgs), 4) if ndcgs else None,
        }
    for policy, row in report.items():
        print(
            f"[{db}] exposure ({policy}): Gini {row['gini']}, top 10 % orgs get "
            f"{row['top10pct_share']:.1%}, small orgs {row['small_share']:.1%}, new orgs "
            f"{row['new_share']:.1%}, {row['orgs_seen']}/{row['candidate_orgs']} orgs shown, "
            f"nDCG@10 {row['ndcg10']}",
            flush=True,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "bench": "matching",
                    "db": db,
                    **counts,
                    "timings": results,
                    "exposure": report,
                    "sessions": args.sessions,
                    "generated_s": generated_s,
                    "load_average": load,
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
