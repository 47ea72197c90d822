"""Benchmark: snippets of hostile descriptions stay cheap (no regular-expression blow-up).

Usage (from the repository root)::

    .venv/bin/python bench/snippet_bench.py [--chars 4000] [--repeat 20]

A description is indexed up to ``MAX_BODY_CHARS`` (4,000) characters, and a
directory page highlights 20 of them.  For inputs built to make a regular
expression backtrack ("[[[[…", "<https:<https:…", "- - - …") this prints the
time of ``text.plain_text`` (the regular expressions) and, for comparison, of
a whole ``text.highlight`` per text (which grows with the number of words),
the worst first.  Target: ``plain_text`` under 2.5 ms per text, so the markup
removal adds at most 50 ms to a page of 20 hostile snippets; a pattern that
backtracks takes tens of milliseconds.  Exit code 1 if a text exceeds that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lotse.search.text import highlight, plain_text

PATTERNS = {
    "open brackets": "[",
    "link openers": "[a](",
    "image openers": "![x](",
    "autolink openers": "<https:",
    "angle brackets": "<",
    "backticks": "`",
    "tildes": "~~",
    "hashes": "#",
    "quote marks": "> ",
    "list numbers": "1. ",
    "dashes": "-",
    "spaced dashes": "- ",
    "underscores": "_ ",
    "stars and words": "*a",
    "words": "Archiv ",
}
TARGET_MS = 2.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows = []
    for name, unit in PATTERNS.items():
        text = (unit * (args.chars // len(unit) + 1))[: args.chars] + "x"
        plain, whole = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            plain_text(text)
            plain.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            highlight(text, {"archiv"}, lambda word: (word,))
            whole.append((time.perf_counter() - started) * 1000)
        rows.append((statistics.median(plain), statistics.median(whole), name))
    rows.sort(reverse=True)
    print(f"{args.chars} characters, median of {args.repeat}: plain_text / whole highlight")
    for plain_ms, whole_ms, name in rows:
        verdict = "OK" if plain_ms < TARGET_MS else "TOO SLOW"
        print(f"  {name:18} {plain_ms:6.2f} ms / {whole_ms:7.2f} ms  [{verdict}]")
    return 0 if rows[0][0] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
