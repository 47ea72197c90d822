"""bench/search_eval.json: well-formed, and every judged key is in the demo network.

The evaluation itself (bench/search_eval.py) needs the embedding model and takes a
while; this only guards the judgements against silent rot when the demo changes.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lotse.ecosystem import demo

BENCH = Path(__file__).resolve().parents[2] / "bench" / "search_eval.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("search_eval", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


search_eval = _load_bench()


@pytest.fixture(scope="module")
def judgements() -> dict[str, Any]:
    data: dict[str, Any] = search_eval.load_judgements()
    return data


def test_eval_file_is_well_formed(judgements: dict[str, Any]) -> None:
    assert search_eval.format_problems(judgements) == []
    queries = judgements["queries"]
    kinds = {item["kind"] for item in queries}
    assert len(queries) >= 50
    assert len(judgements["needs"]) >= 10
    assert sum(item["kind"] == "no-answer" for item in queries) >= 4
    assert {"compound", "compound-apart", "typo", "english", "mixed", "paraphrase"} <= kinds


def test_format_check_reports_bad_entries(judgements: dict[str, Any]) -> None:
    broken = copy.deepcopy(judgements)
    broken["queries"][0]["relevant"]["offer:x"] = 4
    broken["queries"][1]["kind"] = "unknown"
    broken["needs"][0]["relevant"]["organisation:x"] = 2
    broken["queries"] = broken["queries"][:49]
    problems = "\n".join(search_eval.format_problems(broken))
    assert "grade of 'offer:x' must be 0-3" in problems
    assert "kind must be one of" in problems
    assert "only offers can be judged for a need" in problems
    assert "49 queries, at least 50 wanted" in problems


@pytest.mark.django_db
def test_every_judged_key_is_in_the_demo_network(judgements: dict[str, Any]) -> None:
    demo.load_demo_network()
    assert search_eval.judgement_problems(judgements) == []


@pytest.mark.django_db
def test_a_key_the_demo_lacks_fails_loudly(judgements: dict[str, Any]) -> None:
    demo.load_demo_network()
    broken = copy.deepcopy(judgements)
    first = broken["queries"][0]["relevant"]
    first["organisation:gibt-es-nicht"] = 2
    first["person:david-jung"] = 1  # a hidden profile: no visitor can find it
    broken["needs"].append(
        {
            "need": "rheinkanal-tv-suchen-untertitelung-fur-regionalsendungen",
            "relevant": {
                "offer:gibt-es-auch-nicht": 1,
                # the need's own organisation: the engine never suggests it
                "offer:rheinkanal-tv-untertitel-in-echtzeit-fur-livestreams": 3,
            },
        }
    )
    problems = "\n".join(search_eval.judgement_problems(broken))
    assert "organisation:gibt-es-nicht is not in the demo network" in problems
    assert "person:david-jung is not a public profile" in problems
    assert "offer:gibt-es-auch-nicht is not in the demo network" in problems
    assert "rheinkanal-tv-untertitel-in-echtzeit-fur-livestreams belongs to the same" in problems
