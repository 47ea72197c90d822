"""The vector half alone: recall and latency of the IVF index against brute force.

Embeds a random sample of the indexed documents (real USE vectors, nothing is
written to the database), then compares :mod:`lotse.search.vectors` in IVF mode
with the exact product for two kinds of queries: the 60 queries of
``bench/search_eval.json`` (as search sees them) and sampled documents' own
vectors (as the matching engine asks for neighbours).  ``--grow N`` adds
copies of the real vectors with small noise until the index holds N rows
(the cluster structure of real data at full size; recall there is against
brute force over those rows).

    .venv/bin/python bench/search_vectors_bench.py \
        --database-url sqlite:////tmp/lotse_bench_dir/lotse.sqlite3 --sample 60000 \
        --cache /tmp/lotse_vectors_60k.npz [--grow 577000] [--nprobe 8] [--fraction 0.04,0.08]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()


def sample_vectors(size: int, processes: int | None, seed: int = 5) -> dict[str, np.ndarray]:
    from lotse.search.documents import TYPE_CODES
    from lotse.search.embeddings import encode_parallel
    from lotse.search.index import embed_text
    from lotse.search.models import SearchDocument

    all_ids = np.asarray(SearchDocument.objects.values_list("id", flat=True))
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(all_ids, min(size, len(all_ids)), replace=False))
    rows: dict[int, tuple[str, bool, str]] = {}
    for start in range(0, len(chosen), 5000):
        part = [int(x) for x in chosen[start : start + 5000]]
        for pk, entity_type, members_only, title, body in SearchDocument.objects.filter(
            id__in=part
        ).values_list("id", "entity_type", "members_only", "title", "body"):
            rows[pk] = (entity_type, members_only, embed_text(title, body))
    ids = np.asarray(sorted(rows), dtype=np.int64)
    texts = [rows[int(i)][2] for i in ids]
    unique = list(dict.fromkeys(texts))
    t = time.perf_counter()
    matrix = encode_parallel(unique, processes=processes)
    print(
        f"embedded {len(unique)} distinct texts of {len(texts)} in {time.perf_counter() - t:.0f} s"
    )
    position = {text: i for i, text in enumerate(unique)}
    return {
        "ids": ids,
        "types": np.asarray([TYPE_CODES[rows[int(i)][0]] for i in ids], dtype=np.uint8),
        "members": np.asarray([rows[int(i)][1] for i in ids], dtype=bool),
        "matrix": np.ascontiguousarray(matrix[[position[t] for t in texts]], dtype=np.float32),
    }


def grow(
    data: dict[str, np.ndarray], rows: int, noise: float, seed: int = 7
) -> dict[str, np.ndarray]:
    """Copies of the real rows with Gaussian noise (relative to a unit vector) up to ``rows``."""
    rng = np.random.default_rng(seed)
    n = len(data["ids"])
    extra = rows - n
    if extra <= 0:
        return data
    source = rng.integers(0, n, extra)
    parts = [data["matrix"]]
    for start in range(0, extra, 50_000):
        src = source[start : start + 50_000]
        block = data["matrix"][src] + rng.standard_normal(
            (len(src), data["matrix"].shape[1]), dtype=np.float32
        ) * (noise / np.sqrt(data["matrix"].shape[1]))
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        parts.append(block.astype(np.float32))
    return {
        "ids": np.concatenate([data["ids"], -np.arange(1, extra + 1, dtype=np.int64)]),
        "types": np.concatenate([data["types"], data["types"][source]]),
        "members": np.concatenate([data["members"], data["members"][source]]),
        "matrix": np.vstack(parts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sample", type=int, default=60_000)
    parser.add_argument("--cache", help="npz file: reuse the sampled vectors")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--grow", type=int, default=0, help="grow the index to this many rows")
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--nprobe", default="8,16,24,32,48")
    parser.add_argument("--fraction", default="", help="SCAN_FRACTION values to try")
    parser.add_argument("--per-neighbour", type=int, default=None, help="SCAN_PER_NEIGHBOUR")
    parser.add_argument("--doc-queries", type=int, default=200)
    parser.add_argument(
        "--ivf-min-rows", type=int, default=None, help="IVF_MIN_ROWS (IVF for types this large)"
    )
    args = parser.parse_args()
    setup(args.database_url)
    from lotse.search import vectors as vmod
    from lotse.search.embeddings import get_embedder
    from lotse.search.text import words

    if args.cache and Path(args.cache).exists():
        data = dict(np.load(args.cache))
    else:
        data = sample_vectors(args.sample, args.processes)
        if args.cache:
            np.savez(args.cache, **data)
    if args.per_neighbour is not None:
        vmod.SCAN_PER_NEIGHBOUR = args.per_neighbour
    if args.ivf_min_rows is not None:
        vmod.IVF_MIN_ROWS = args.ivf_min_rows
    real = len(data["ids"])
    data = grow(data, args.grow, args.noise)
    print(f"rows: {len(data['ids'])} ({real} real vectors)")
    evaluation = json.loads((HERE / "search_eval.json").read_text(encoding="utf-8"))
    texts = [" ".join(words(item["q"])) for item in evaluation["queries"]]
    queries = list(get_embedder().encode(texts))
    rng = np.random.default_rng(11)
    queries += list(data["matrix"][rng.choice(real, args.doc_queries, replace=False)])
    mmax = 2**62

    t = time.perf_counter()
    ivf = vmod._from_arrays(data["ids"], data["types"], data["members"], data["matrix"], mmax)
    lists = {code: len(c) for code, c in ivf.main.centroids.items()}
    print(
        f"IVF layout (per type: train, assign, sort): {time.perf_counter() - t:.1f} s; "
        f"rows per type {ivf.main.rows}, lists {lists}"
    )
    old_min = vmod.IVF_MIN_ROWS
    vmod.IVF_MIN_ROWS = 10**12
    exact = vmod._from_arrays(data["ids"], data["types"], data["members"], data["matrix"], mmax)
    vmod.IVF_MIN_ROWS = old_min
    index = vmod.VectorIndex()
    cases = [
        ("all types, 200 asked", None, 100),
        ("organisations, 200 asked", {"organisation"}, 100),
        ("offers, 40 asked", {"offer"}, 20),
        ("organisations, 1000 asked", {"organisation"}, 500),
    ]

    def run(
        data_: vmod._Matrix, types: set[str] | None, limit: int
    ) -> tuple[list[list[tuple[int, float]]], list[float]]:
        index.replace(data_)
        found, times = [], []
        for q in queries:
            t = time.perf_counter()
            ranking = index.ranking(q, types=types, members=True, limit=limit, min_score=-1.0)
            times.append(time.perf_counter() - t)
            found.append(ranking)
        return found, times

    def recall(found: list[tuple[int, float]], exact: list[tuple[int, float]], k: int) -> float:
        """Share of the exact top k found, counting ties: many demo texts are identical,
        so any row scoring at least the exact k-th score is a correct neighbour."""
        if not exact:
            return 1.0
        k = min(k, len(exact))
        bar = exact[k - 1][1] - 1e-5
        return sum(score >= bar for _, score in found[:k]) / k

    truth = {name: run(exact, types, limit) for name, types, limit in cases}
    for name, (_, times) in truth.items():
        print(
            f"exact  {name:28} median {statistics.median(times) * 1000:6.2f} ms "
            f"p95 {statistics.quantiles(times, n=20)[-1] * 1000:6.2f} ms"
        )
    probes = [int(x) for x in args.nprobe.split(",")]
    minimums = (
        [float(x) for x in args.fraction.split(",")] if args.fraction else [vmod.SCAN_FRACTION]
    )
    for nprobe in probes:
        for minimum in minimums:
            vmod.NPROBE = nprobe
            if args.fraction:
                vmod.SCAN_FRACTION = minimum
                vmod.SCAN_FRACTION_BY_TYPE = {}
            for name, types, limit in cases:
                found, times = run(ivf, types, limit)
                exact_found = truth[name][0]
                r10 = statistics.mean(
                    recall(f, e, 10) for f, e in zip(found, exact_found, strict=True)
                )
                r100 = statistics.mean(
                    recall(f, e, 100) for f, e in zip(found, exact_found, strict=True)
                )
                print(
                    f"IVF nprobe {nprobe:3} fraction {minimum:5.3f} {name:28} recall@10 {r10:.3f} "
                    f"recall@100 {r100:.3f} median {statistics.median(times) * 1000:6.2f} ms "
                    f"p95 {statistics.quantiles(times, n=20)[-1] * 1000:6.2f} ms"
                )


if __name__ == "__main__":
    main()
