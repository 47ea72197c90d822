"""The input format: reading, writing, and validation messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lotse.meetings import (
    ProblemError,
    WishKind,
    dump_problem,
    load_problem,
    loads_problem,
    problem_from_dict,
    problem_to_dict,
)
from lotse.meetings.generate import random_problem


def valid() -> dict[str, Any]:
    return {
        "version": 1,
        "settings": {"weights": {"must_meet": 3, "would_like": 1}, "max_meetings": 4},
        "tables": 2,
        "slots": [{"id": "s1", "start": "2025-05-12T10:00:00+02:00"}, {"id": "s2", "tables": 1}],
        "attendees": [
            {"id": "ada", "name": "Ada", "available": ["s1", "s2"], "busy": ["s2"]},
            {"id": "bo", "max_meetings": 1},
            {"id": 7},
        ],
        "wishes": [
            {"from": "ada", "to": "bo", "kind": "must_meet"},
            {"from": "bo", "to": "7", "weight": 2.5},
            {"from": 7, "to": "ada", "kind": "no_thanks"},
        ],
    }


def errors_of(data: Any) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        problem_from_dict(data)
    return caught.value.errors


def test_reads_a_valid_problem() -> None:
    problem = problem_from_dict(valid())
    assert [slot.id for slot in problem.slots] == ["s1", "s2"]
    assert problem.tables_in(problem.slots[1]) == 1
    assert problem.attendees[0].busy == ("s2",)
    assert problem.attendees[2].id == "7"  # integer ids become strings
    assert problem.attendees[1].available is None  # all slots
    assert problem.wishes[1].kind is WishKind.CUSTOM
    assert problem.wishes[1].effective_weight(problem.settings) == 2.5
    assert problem.wishes[2].kind is WishKind.NO_THANKS
    assert problem.settings.max_meetings == 4
    assert problem.warnings == ()


def test_round_trip_through_json(tmp_path: Path) -> None:
    problem = random_problem(attendees=40, slots=6, tables=5, wishes_each=4, seed=3)
    path = tmp_path / "problem.json"
    dump_problem(problem, path)
    again = load_problem(path)
    assert problem_to_dict(again) == problem_to_dict(problem)
    assert again.attendees == problem.attendees
    assert again.wishes == problem.wishes


def test_reports_every_problem_at_once() -> None:
    data = valid()
    data["attendees"].append({"id": "ada"})
    data["slots"].append({"id": "s1"})
    data["attendees"][0]["available"] = ["s1", "s9"]
    data["attendees"][1]["max_meetings"] = -1
    data["wishes"] += [
        {"from": "ada", "to": "nobody", "kind": "would_like"},
        {"from": "ghost", "to": "bo", "kind": "would_like"},
        {"from": "bo", "to": "ada", "weight": -2},
        {"from": "bo", "to": "bo", "kind": "would_like"},
        {"from": "ada", "to": "bo", "kind": "would_like"},
        {"from": "ada", "to": "7", "kind": "maybe"},
        {"from": "7", "to": "bo", "kind": "no_thanks", "weight": 3},
    ]
    data["tables"] = -3
    errors = errors_of(data)
    text = "\n".join(errors)
    expected = [
        "attendees[3].id: duplicate attendee id 'ada'",
        "slots[2].id: duplicate slot id 's1'",
        "attendees[0].available[1]: unknown slot 's9' (attendee 'ada')",
        "attendees[1].max_meetings: must be a whole number >= 0 (got -1)",
        "wishes[3].to: unknown attendee 'nobody'",
        "wishes[4].from: unknown attendee 'ghost'",
        "wishes[5].weight: must not be negative (got -2.0)",
        "wishes[6]: attendee 'bo' cannot wish to meet themselves",
        "wishes[7]: second wish from 'ada' to 'bo' (first one is wishes[0])",
        "wishes[8].kind: unknown kind 'maybe'",
        'wishes[9].weight: a "no_thanks" wish cannot carry a weight',
        "tables: must not be negative (got -3)",
    ]
    for message in expected:
        assert message in text, message
    assert len(errors) == len(expected)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "(top level): must be an object, got an array"),
        ({"slots": [], "attendees": []}, "tables: missing"),
        ({"tables": 1, "attendees": []}, "slots: missing"),
        ({"tables": 1.5, "slots": [], "attendees": []}, "tables: must be a whole number"),
        ({"tables": 1, "slots": {}, "attendees": []}, "slots: must be an array, got an object"),
        ({"tables": 1, "slots": [], "attendees": [], "extra": 1}, "unknown field 'extra'"),
        ({"tables": 1, "slots": [{"id": ""}], "attendees": []}, "slots[0].id: must be a non"),
        ({"tables": 1, "slots": [], "attendees": [{"id": "a", "avail": []}]}, "'avail'"),
        ({"tables": 1, "slots": [], "attendees": [], "version": 2}, "only version 1"),
        (
            {
                "tables": 1,
                "slots": [],
                "attendees": [{"id": "a"}, {"id": "b"}],
                "wishes": [{"from": "a", "to": "b"}],
            },
            'wishes[0]: needs a "kind"',
        ),
        (
            {"tables": 1, "slots": [], "attendees": [], "settings": {"fairness": -1}},
            "settings.fairness: must be a finite number >= 0",
        ),
        (
            {"tables": 1, "slots": [], "attendees": [], "wishes": [{"to": "x", "weight": 1}]},
            "wishes[0].from: missing",
        ),
    ],
)
def test_single_problems_get_a_clear_message(data: Any, message: str) -> None:
    assert any(message in error for error in errors_of(data)), errors_of(data)


def test_someone_without_a_free_slot_is_a_warning_not_an_error() -> None:
    data = valid()
    data["attendees"][0]["available"] = ["s2"]  # and s2 is busy
    problem = problem_from_dict(data)
    assert any("'ada' has no free slot" in warning for warning in problem.warnings)


def test_broken_json_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match=r"not valid JSON: .*line 1, column 2"):
        loads_problem("{oops")
    with pytest.raises(ProblemError, match="cannot read the file"):
        load_problem(tmp_path / "missing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"tables": "Größe"}'.encode("latin-1"))
    with pytest.raises(ProblemError, match="not UTF-8"):
        load_problem(latin)
    assert json.loads(json.dumps(valid()))  # the fixture itself stays valid JSON


def test_the_documented_example_is_valid_and_solves_as_described() -> None:
    from lotse.meetings import solve

    doc = (Path(__file__).resolve().parents[2] / "docs" / "meetings-format.md").read_text("utf-8")
    example = doc.split("```json\n")[1].split("```")[0]
    problem = loads_problem(example)
    solution = solve(problem, method="cpsat", time_limit=10)
    assert solution.status == "optimal"
    met = {frozenset((m.a, m.b)) for m in solution.meetings}
    assert met == {
        frozenset(("anna", "cem")),
        frozenset(("ben", "cem")),
        frozenset(("cem", "dora")),
    }
    reasons = {(u.source, u.target): u.reason for u in solution.unmet_wishes}
    assert reasons[("dora", "ben")] == "no_thanks"
