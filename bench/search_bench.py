"""Search speed at network scale: index build time, p95 latency, icontains ratio.

Generates --scale × (100,000 organisations, 300,000 people, 200,000 offers and
needs) with bulk inserts into a throw-away database, builds the whole index
(``rebuild``), then times searches (keyword, semantic, hybrid) and Django's
plain ``icontains`` over the same fields.

    .venv/bin/python bench/search_bench.py --scale 0.1 [--database-url URL]
    # reuse a database filled by `lotse demo --size 100000 --listings 200000 --no-index`:
    .venv/bin/python bench/search_bench.py --database-url sqlite:////tmp/lsb/bench.sqlite3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

WORDS = [
    "KI",
    "Untertitel",
    "Software",
    "Datenschutz",
    "Beratung",
    "Verlag",
    "Redaktion",
    "Archiv",
    "Metadaten",
    "Musik",
    "Film",
    "Theater",
    "Hörbuch",
    "Stimme",
    "Übersetzung",
    "Chatbot",
    "Museum",
    "Forschung",
    "Sprachmodell",
    "Workshop",
    "Schulung",
    "Investor",
    "Start-up",
    "Plattform",
    "Cloud",
    "Empfehlung",
    "Personalisierung",
    "Podcast",
    "Video",
    "Bild",
    "Analyse",
    "Prognose",
    "Publikum",
    "Festival",
    "Design",
    "Werbung",
    "Games",
    "Kunst",
    "Kultur",
    "Medien",
    "Hamburg",
    "Berlin",
    "München",
    "Köln",
    "Leipzig",
    "automatisch",
    "generativ",
    "barrierefrei",
    "regional",
    "digital",
    "Produktion",
    "Sender",
    "Rundfunk",
]
QUERIES = [
    "Untertitelungssoftware",
    "Datenschutz Beratung",
    "KI Archiv",
    "Hörbuch Stimme",
    "Sprachmodell Forschung Hamburg",
    "Investor Games",
    "Musik Produktion",
    "Untertiel",
    "automatische Übersetzung für Filmfestivals",
    "Chatbot Museum",
    "Podcast",
    "subtitles",
    "Empfehlung Personalisierung Video",
    "barrierefrei Theater",
    "Metadaten",
    "Publikum Analyse",
]


def eval_queries() -> list[str]:
    """Every other query of bench/search_eval.json: 36 realistic German/English queries
    (compounds, typos, paraphrases, names, no-answer ones)."""
    import json

    data = json.loads((HERE / "search_eval.json").read_text(encoding="utf-8"))
    return [item["q"] for item in data["queries"]][::2]


def pad_vectors(seed: int = 3) -> int:
    """Pad the in-memory vector index with random unit vectors to one row per document.

    Only for timing the vector half at full scale when the semantic stage was run
    on a sample: the cost of the (IVF) search does not depend on the values (the
    share of rows scored is fixed per type).  Each type gets as many rows as it has
    documents without a vector; the padded rows get ids that
    match no document and random directions (cosine ~0, below the cut-off)."""
    import numpy as np
    from django.db.models import Count, Q

    from lotse.search import vectors as vector_module
    from lotse.search.documents import TYPE_CODES
    from lotse.search.index import vectors
    from lotse.search.models import SearchDocument

    data = vectors.current()
    if data is None:
        return 0
    missing = SearchDocument.objects.values("entity_type").annotate(
        n=Count("id", filter=Q(embedding__isnull=True))
    )
    pad_types = np.concatenate(
        [np.full(row["n"], TYPE_CODES[row["entity_type"]], dtype=np.uint8) for row in missing]
        + [np.zeros(0, dtype=np.uint8)]
    )
    pad_types.sort()
    extra = len(pad_types)
    if not extra:
        return 0
    rng = np.random.default_rng(seed)
    pad = rng.standard_normal((extra, data.dimension), dtype=np.float32)
    pad /= np.linalg.norm(pad, axis=1, keepdims=True)
    real = data.main
    t = time.perf_counter()
    padded = vector_module._from_arrays(
        np.concatenate([real.ids, data.delta.ids, -np.arange(1, extra + 1, dtype=np.int64)]),
        np.concatenate([real.types, data.delta.types, pad_types]),
        np.concatenate([real.members, data.delta.members, np.zeros(extra, dtype=bool)]),
        np.vstack([real.matrix, data.delta.matrix, pad]),
        data.revision,
    )
    vectors.replace(padded)
    lists = {code: len(c) for code, c in padded.main.centroids.items()}
    print(f"vector index with the padding laid out in {time.perf_counter() - t:.1f} s: {lists}")
    return extra


def setup(database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="lotse-search-bench-")
    os.environ["LOTSE_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def generate(scale: float) -> dict[str, int]:
    from lotse.ecosystem.models import Need, Offer, Organisation, Person

    rng = random.Random(7)
    n_org, n_people, n_listings = int(100_000 * scale), int(300_000 * scale), int(200_000 * scale)
    Organisation.objects.bulk_create(
        [
            Organisation(
                key=f"org-{i}",
                kind="startup",
                name=f"{rng.choice(WORDS)} {i} GmbH",
                short_description=text(rng, 12),
                description=text(rng, 40),
                city="Hamburg",
            )
            for i in range(n_org)
        ],
        batch_size=2000,
    )
    org_ids = list(Organisation.objects.values_list("id", flat=True))
    Person.objects.bulk_create(
        [
            Person(key=f"p-{i}", name=f"Person {i}", role_title=text(rng, 3), bio=text(rng, 25))
            for i in range(n_people)
        ],
        batch_size=2000,
    )
    for model, count in ((Offer, n_listings // 2), (Need, n_listings - n_listings // 2)):
        model.objects.bulk_create(
            [
                model(
                    key=f"{model.__name__.lower()}-{i}",
                    organisation_id=rng.choice(org_ids),
                    title=text(rng, 5),
                    description=text(rng, 30),
                    kind="product" if model is Offer else "solution",
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
    return {"organisations": n_org, "people": n_people, "offers+needs": n_listings}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def icontains(query: str) -> int:
    from django.db.models import Q

    from lotse.ecosystem.models import Need, Offer, Organisation, Person

    found = 0
    for word in query.split()[:3]:
        found += len(
            Organisation.objects.filter(
                Q(name__icontains=word)
                | Q(short_description__icontains=word)
                | Q(description__icontains=word)
            )[:20]
        )
        found += len(Person.objects.filter(Q(name__icontains=word) | Q(bio__icontains=word))[:20])
        found += len(Offer.objects.filter(description__icontains=word)[:20])
        found += len(Need.objects.filter(description__icontains=word)[:20])
    return found


def icontains_full(query: str) -> int:
    """icontains that must look at every row (count), as a ranked search would."""
    from django.db.models import Q

    from lotse.ecosystem.models import Organisation

    word = query.split()[0]
    return Organisation.objects.filter(
        Q(name__icontains=word)
        | Q(short_description__icontains=word)
        | Q(description__icontains=word)
    ).count()


def timed(fn: Any, queries: list[str], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - t)
    return p95(samples), statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", help="reuse this database (generated once if empty)")
    parser.add_argument("--data", choices=("demo", "words"), default="demo",
                        help="demo = lotse demo --size generator; words = 60-word worst case")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="index already built")
    parser.add_argument("--embed-limit", type=int, default=None,
                        help="embed only this many documents and extrapolate the rate")
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--queries", choices=("eval", "bench"), default="eval",
                        help="eval = 36 queries from search_eval.json; bench = the 16 above")
    parser.add_argument("--modes", default="keyword,semantic,hybrid")
    parser.add_argument("--pad-vectors", action="store_true",
                        help="pad the vector matrix with random vectors to one per document "
                             "(times the vector half at full scale after a sampled semantic stage)")
    parser.add_argument(
        "--search-only", action="store_true", help="skip directory/autocomplete/icontains"
    )
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    from lotse.ecosystem.models import Organisation
    from lotse.search.embeddings import get_embedder
    from lotse.search.index import embed_missing, rebuild, vectors
    from lotse.search.models import SearchDocument
    from lotse.search.selectors import autocomplete, filter_queryset, search

    t = time.perf_counter()
    if not Organisation.objects.exists():
        if args.data == "demo":
            from lotse.ecosystem.demo import generate_network

            n = int(100_000 * args.scale)
            counts = generate_network(size=n, listings=2 * n)
            sizes = {"organisations": counts.organisations, "people": counts.people,
                     "offers+needs": counts.offers + counts.needs}
        else:
            sizes = generate(args.scale)
        print(f"database: {connection.vendor}; generated {sizes} in "
              f"{time.perf_counter() - t:.0f} s")
    print(f"database: {connection.vendor}; organisations {Organisation.objects.count()}")
    embedder = get_embedder()
    if not args.skip_build:
        t, c = time.perf_counter(), time.process_time()
        counts = rebuild(semantic=False)
        print(f"keyword stage: {sum(counts.values())} documents in "
              f"{time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s CPU "
              "(this process; the database server's share on PostgreSQL comes on top)")
    missing = SearchDocument.objects.filter(embedding__isnull=True).count()
    if missing and args.embed_limit != 0:
        t, c = time.perf_counter(), time.process_time()
        done = embed_missing(limit=args.embed_limit, processes=args.processes)
        wall = time.perf_counter() - t
        print(f"semantic stage ({embedder.name}): {done} of {missing} documents in {wall:.1f} s "
              f"wall ({done / wall:.0f}/s), {time.process_time() - c:.1f} s CPU in this process;"
              f" all {missing} at that rate: {missing / (done / wall):.0f} s")
    t = time.perf_counter()
    vectors.current()
    print(f"vector matrix load: {time.perf_counter() - t:.1f} s")
    if args.pad_vectors:
        padded = pad_vectors()
        print(f"vector matrix padded with {padded} random vectors to one per document")
    queries = eval_queries() if args.queries == "eval" else QUERIES
    for q in queries:  # warm-up: analyser, vocabulary, caches
        search(q)
    results = {}
    for mode in args.modes.split(","):
        value, median = timed(lambda q, mode=mode: search(q, mode=mode), queries, args.rounds)
        results[mode] = value
        print(f"search {mode:8} p95 {value:7.1f} ms  median {median:6.1f} ms")
    if args.search_only:
        return

    def directory(q: str) -> int:
        qs = filter_queryset(Organisation.objects.all(), q, entity="organisation")
        return len(qs.order_by("search_rank", "pk")[:20]) + qs.count()

    for name, fn in (
        ("directory (filter_queryset)", directory),
        ("autocomplete", lambda q: autocomplete(q[:5])),
    ):
        value, median = timed(fn, queries, args.rounds)
        print(f"{name:32} p95 {value:7.1f} ms  median {median:6.1f} ms")
    for name, fn in (
        ("icontains (first 20 per table)", icontains),
        ("icontains (count all matches)", icontains_full),
    ):
        value, median = timed(fn, queries, max(1, args.rounds // 2))
        ratios = "; ".join(f"{m}/icontains = {v / value:.2f}" for m, v in results.items())
        print(f"{name:32} p95 {value:7.1f} ms  median {median:6.1f} ms; {ratios}")


if __name__ == "__main__":
    main()
