"""The optimiser: constraints, "no thanks", fairness, optimality and bounds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotse.meetings import (
    Attendee,
    Meeting,
    Problem,
    ProblemError,
    Settings,
    Slot,
    Wish,
    WishKind,
    solve,
    verify,
)
from lotse.meetings.bound import combinatorial_bound, lp_bound
from lotse.meetings.generate import random_problem
from lotse.meetings.model import compile_problem

from .helpers import brute_force_optimum

MUST, LIKE, NO = WishKind.MUST_MEET, WishKind.WOULD_LIKE, WishKind.NO_THANKS
ALL_METHODS = ["cpsat", "highs", "heuristic", "greedy", "first_come", "auto"]


def make(
    people: list[str],
    wishes: list[tuple[str, str, WishKind]],
    *,
    slots: int = 2,
    tables: int = 1,
    fairness: float = 1.0,
    attendees: list[Attendee] | None = None,
) -> Problem:
    return Problem(
        slots=tuple(Slot(id=f"s{i + 1}") for i in range(slots)),
        attendees=tuple(attendees or [Attendee(id=person) for person in people]),
        wishes=tuple(Wish(source=a, target=b, kind=kind) for a, b, kind in wishes),
        tables=tables,
        settings=Settings(fairness=fairness),
    )


def pairs(meetings: list[Meeting]) -> set[frozenset[str]]:
    return {frozenset((m.a, m.b)) for m in meetings}


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    people=st.integers(2, 40),
    slots=st.integers(1, 6),
    tables=st.integers(0, 8),
    wishes_each=st.integers(1, 6),
    availability=st.floats(0.2, 1.0),
    max_meetings=st.one_of(st.none(), st.integers(1, 6)),
    method=st.sampled_from(["heuristic", "greedy", "first_come", "cpsat", "highs"]),
)
def test_no_constraint_is_ever_broken(
    seed: int,
    people: int,
    slots: int,
    tables: int,
    wishes_each: int,
    availability: float,
    max_meetings: int | None,
    method: str,
) -> None:
    problem = random_problem(
        attendees=people,
        slots=slots,
        tables=tables,
        wishes_each=wishes_each,
        seed=seed,
        availability=availability,
        max_meetings=max_meetings,
    )
    solution = solve(problem, method=method, time_limit=5)
    assert verify(problem, solution) == []
    assert solution.upper_bound >= solution.objective - 1e-9
    assert solution.weight_upper_bound >= solution.total_weight - 1e-9
    assert sum(solution.meetings_per_attendee.values()) == 2 * len(solution.meetings)
    for slot in problem.slots:
        assert sum(m.slot == slot.id for m in solution.meetings) <= problem.tables_in(slot)


def test_verify_catches_broken_schedules() -> None:
    """The checker itself must fail on a bad schedule, or the test above proves nothing."""
    problem = make(["a", "b", "c"], [("a", "b", LIKE), ("a", "c", LIKE), ("c", "b", NO)])
    solution = solve(problem, method="greedy")
    from dataclasses import replace

    first = solution.meetings[0]
    broken = [
        replace(first, table=5),
        replace(first, slot="s1"),
        replace(first, slot="s1", table=2, a="a", b="c"),
        replace(first, a="c", b="b", slot="s2"),
    ]
    solution.meetings = broken
    messages = "\n".join(verify(problem, solution))
    for expected in ("outside 1..1", "double-booked", "said no thanks", "pair meets twice"):
        assert expected in messages


@pytest.mark.parametrize("method", ALL_METHODS)
@pytest.mark.parametrize("refuser", ["a", "b"])
def test_no_thanks_always_wins(method: str, refuser: str) -> None:
    other = "b" if refuser == "a" else "a"
    problem = make(
        ["a", "b", "c"],
        [(other, refuser, MUST), (refuser, other, NO), ("c", "a", LIKE)],
        slots=3,
        tables=3,
    )
    solution = solve(problem, method=method)
    assert frozenset(("a", "b")) not in pairs(solution.meetings)
    assert pairs(solution.meetings) == {frozenset(("a", "c"))}
    (unmet,) = [u for u in solution.unmet_wishes if u.source == other]
    assert unmet.reason == "no_thanks"


# Pair weights: a-b 3 + 3 + mutual 1 = 7; a-c 1 + 1 + 1 = 3; c-d 1 (d's only wish).
FAIR_WISHES = [
    ("a", "b", MUST),
    ("b", "a", MUST),
    ("a", "c", LIKE),
    ("c", "a", LIKE),
    ("d", "c", LIKE),
]


@pytest.mark.parametrize("method", ["cpsat", "highs", "heuristic", "greedy", "auto"])
def test_fairness_prefers_a_first_meeting_for_everyone(method: str) -> None:
    # Two meetings fit (two slots, one table).  Most weight: a-b and a-c (7 + 3),
    # a meets twice and d nobody.  Fair: a-b and c-d (7 + 1), everyone meets once.
    problem = make(["a", "b", "c", "d"], FAIR_WISHES)
    fair = solve(problem, method=method)
    assert pairs(fair.meetings) == {frozenset("ab"), frozenset("cd")}
    assert fair.total_weight == 8
    assert set(fair.meetings_per_attendee.values()) == {1}

    greedy_for_weight = solve(make(["a", "b", "c", "d"], FAIR_WISHES, fairness=0), method=method)
    assert pairs(greedy_for_weight.meetings) == {frozenset("ab"), frozenset("ac")}
    assert greedy_for_weight.total_weight == 10


def test_mutual_interest_counts_more() -> None:
    # One table, one slot: b is wanted by a and c; c's interest is mutual.
    problem = make(
        ["a", "b", "c"],
        [("a", "b", MUST), ("c", "b", MUST), ("b", "c", LIKE)],
        slots=1,
        fairness=0,
    )
    solution = solve(problem, method="cpsat")
    assert pairs(solution.meetings) == {frozenset("bc")}
    assert solution.total_weight == 3 + 1 + 1  # both directions plus the mutual bonus


@pytest.mark.parametrize("seed", [1, 4, 6, 7, 9, 11])
def test_exact_solvers_reach_the_brute_force_optimum(seed: int) -> None:
    problem = random_problem(
        attendees=7,
        slots=3,
        tables=2,
        wishes_each=2,
        seed=seed,
        availability=0.9,
        max_meetings=2,
        popularity=2.0,
    )
    instance = compile_problem(problem)
    assert 5 <= instance.n_pairs <= 10  # worth solving, small enough to enumerate
    optimum = brute_force_optimum(instance)
    for method in ("cpsat", "highs"):
        solution = solve(problem, method=method, time_limit=10)
        assert solution.status == "optimal"
        assert solution.objective == pytest.approx(optimum, abs=1e-6)
        assert solution.gap == pytest.approx(0, abs=1e-6)
    heuristic = solve(problem, method="heuristic")
    assert heuristic.objective <= optimum + 1e-6
    # Every bound is above the true optimum.
    assert combinatorial_bound(instance) >= optimum - 1e-9
    assert lp_bound(instance).bound >= optimum - 1e-9
    assert heuristic.upper_bound >= optimum - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_heuristic_is_close_to_the_bound_on_medium_instances(seed: int) -> None:
    problem = random_problem(attendees=150, slots=8, tables=20, wishes_each=6, seed=seed)
    solution = solve(problem, method="heuristic", time_limit=20)
    assert verify(problem, solution) == []
    assert solution.gap < 0.02
    first = solve(problem, method="first_come")
    assert first.objective < solution.objective


def test_availability_busy_slots_and_maximum() -> None:
    attendees = [
        Attendee(id="a", available=("s1", "s2"), busy=("s1",)),
        Attendee(id="b"),
        Attendee(id="c", max_meetings=1),
        Attendee(id="d", available=("s3",)),
    ]
    problem = make(
        [],
        [("b", "a", MUST), ("b", "c", MUST), ("d", "c", MUST), ("a", "d", LIKE)],
        slots=3,
        tables=5,
        attendees=attendees,
    )
    solution = solve(problem, method="cpsat")
    assert verify(problem, solution) == []
    slot_of = {frozenset((m.a, m.b)): m.slot for m in solution.meetings}
    assert slot_of[frozenset("ab")] == "s2"  # s1 is a starred session for a
    assert solution.meetings_per_attendee["c"] == 1
    reasons = {(u.source, u.target): u.reason for u in solution.unmet_wishes}
    assert reasons[("a", "d")] == "no_common_slot"
    assert set(reasons) == {("a", "d"), ("b", "c")} or set(reasons) == {("a", "d"), ("d", "c")}


def test_first_come_books_in_arrival_order() -> None:
    # One table, one slot: the first request wins even if a later one weighs more.
    problem = make(["a", "b", "c"], [("a", "b", LIKE), ("c", "b", MUST)], slots=1, fairness=0)
    assert pairs(solve(problem, method="first_come").meetings) == {frozenset("ab")}
    assert pairs(solve(problem, method="cpsat").meetings) == {frozenset("bc")}


def test_empty_and_degenerate_problems() -> None:
    for problem in (
        make([], []),
        make(["a", "b"], []),
        make(["a", "b"], [("a", "b", LIKE)], tables=0),
        make(["a", "b"], [("a", "b", LIKE)], slots=0),
    ):
        for method in ALL_METHODS:
            solution = solve(problem, method=method)
            assert solution.meetings == []
            assert solution.upper_bound == 0
            assert solution.gap == 0


def test_invalid_problem_and_options_are_refused() -> None:
    problem = make(["a"], [("a", "zed", LIKE)])
    with pytest.raises(ProblemError, match="unknown attendee 'zed'"):
        solve(problem)
    good = make(["a", "b"], [("a", "b", LIKE)])
    with pytest.raises(ValueError, match="unknown method"):
        solve(good, method="magic")
    with pytest.raises(ValueError, match="time_limit"):
        solve(good, time_limit=0)
