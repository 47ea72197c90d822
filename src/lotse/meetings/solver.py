"""``solve()``: pick a method, run it, attach the bound, build the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

from .bound import LpResult, combinatorial_bound, lp_bound
from .heuristic import Schedule, first_come, greedy_fill, local_search, lp_guided
from .linear import ortools_available
from .model import Instance, compile_problem
from .problem import Meeting, Problem, Solution, UnmetWish, WishKind

Method = Literal["auto", "cpsat", "highs", "heuristic", "greedy", "first_come"]
METHODS: tuple[str, ...] = ("auto", "cpsat", "highs", "heuristic", "greedy", "first_come")

#: "auto" uses an exact solver up to this many (pair, slot) variables.
EXACT_LIMIT = 20_000


def choose_method(instance: Instance) -> str:
    size = instance.time_indexed_size()
    if size <= EXACT_LIMIT and ortools_available():
        return "cpsat"
    return "heuristic"


def solve(
    problem: Problem,
    *,
    method: Method | str = "auto",
    time_limit: float = 60.0,
) -> Solution:
    """Schedule 1:1 meetings for ``problem``; never violates a constraint.

    ``method``: ``auto`` (exact solver for small instances, heuristic otherwise),
    ``cpsat`` (OR-Tools CP-SAT), ``highs`` (HiGHS MIP), ``heuristic`` (LP-guided
    rounding plus local search), ``greedy`` (fairness-aware greedy) or
    ``first_come`` (the naive baseline: requests in order, first free slot).
    ``time_limit`` caps the solvers' run time in seconds (the LP bound and the
    final report come on top, usually a small part).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if time_limit <= 0:
        raise ValueError("time_limit must be positive")
    errors = problem.validate()
    if errors:
        from .problem import ProblemError

        raise ProblemError(errors)
    started = time.monotonic()
    deadline = started + time_limit
    instance = compile_problem(problem)
    notes = list(problem.warnings)

    if method == "auto":
        method = choose_method(instance)
        notes.append(f"auto chose {method} ({instance.time_indexed_size()} pair-slot options)")
    if method in ("cpsat", "highs") and not ortools_available():
        raise RuntimeError(f"method {method} needs the ortools package")

    bound = combinatorial_bound(instance)
    weight_bound = combinatorial_bound(instance, with_bonus=False)
    lp: LpResult | None = None
    if ortools_available() and instance.n_pairs:
        try:
            lp = lp_bound(instance, time_limit=max(1.0, time_limit / 2))
        except RuntimeError as error:
            notes.append(f"LP bound unavailable: {error}")
        else:
            bound = min(bound, lp.bound)
            weight_bound = min(weight_bound, lp.weight_bound)

    schedule = Schedule(instance)
    optimal = False
    if method == "first_come":
        first_come(schedule, arrival_order(instance))
    elif method == "greedy":
        greedy_fill(schedule)
    else:
        if lp is not None:
            lp_guided(schedule, lp.values)
        else:
            greedy_fill(schedule)
        search_deadline = deadline if method == "heuristic" else started + time_limit * 0.3
        moves = local_search(schedule, deadline=search_deadline)
        notes.append(f"local search made {moves} improving moves")
        if method in ("cpsat", "highs"):
            from .exact import solve_cpsat, solve_highs_mip

            exact = solve_cpsat if method == "cpsat" else solve_highs_mip
            hint = {p: s for p, s in enumerate(schedule.slot_of) if s >= 0}
            result = exact(instance, time_limit=max(0.1, deadline - time.monotonic()), hint=hint)
            candidate = Schedule(instance)
            for p, s in sorted(result.assignment.items()):
                candidate.add(p, s)  # asserts every constraint
            if candidate.objective() >= schedule.objective() - 1e-9:
                schedule = candidate
                optimal = result.optimal
            bound = min(bound, result.bound)

    return build_solution(
        instance,
        schedule,
        solver=method,
        optimal=optimal,
        bound=bound,
        weight_bound=weight_bound,
        seconds=time.monotonic() - started,
        notes=notes,
    )


def arrival_order(instance: Instance) -> list[int]:
    """Pairs in the order of their first wish (the file order is the arrival order)."""
    order: list[int] = []
    seen: set[int] = set()
    position = {person_id: index for index, person_id in enumerate(instance.person_ids)}
    for wish in instance.problem.wishes:
        if wish.kind is WishKind.NO_THANKS:
            continue
        a, b = position[wish.source], position[wish.target]
        p = instance.pair_index.get((min(a, b), max(a, b)))
        if p is not None and p not in seen:
            seen.add(p)
            order.append(p)
    return order


def build_solution(
    instance: Instance,
    schedule: Schedule,
    *,
    solver: str,
    optimal: bool,
    bound: float,
    weight_bound: float,
    seconds: float,
    notes: Sequence[str] = (),
) -> Solution:
    pairs = schedule.scheduled()
    objective, weight = instance.objective(pairs)
    bound = max(bound, objective)  # a bound below a feasible value is rounding noise
    weight_bound = max(weight_bound, weight)
    if objective >= bound - 1e-6 * max(1.0, abs(bound)):
        optimal = True

    person_ids, slot_ids = instance.person_ids, instance.slot_ids
    by_slot: dict[int, list[int]] = {}
    for p in pairs:
        by_slot.setdefault(schedule.slot_of[p], []).append(p)
    meetings: list[Meeting] = []
    for s in sorted(by_slot):
        ordered = sorted(by_slot[s], key=lambda p: (instance.pair_a[p], instance.pair_b[p]))
        for table, p in enumerate(ordered, start=1):
            meetings.append(
                Meeting(
                    a=person_ids[instance.pair_a[p]],
                    b=person_ids[instance.pair_b[p]],
                    slot=slot_ids[s],
                    table=table,
                    weight=instance.pair_weight[p],
                )
            )
    counts = {person_id: schedule.degree[i] for i, person_id in enumerate(person_ids)}

    settings = instance.problem.settings
    position = {person_id: index for index, person_id in enumerate(person_ids)}
    unmet: list[UnmetWish] = []
    for wish in instance.problem.wishes:
        if wish.kind is WishKind.NO_THANKS:
            continue
        wish_weight = wish.effective_weight(settings)
        if wish_weight <= 0:
            continue
        a, b = position[wish.source], position[wish.target]
        key = (min(a, b), max(a, b))
        pair = instance.pair_index.get(key)
        if pair is not None and schedule.slot_of[pair] >= 0:
            continue
        if key in instance.blocked:
            reason = "no_thanks"
        elif pair is None and not instance.free[a] & instance.free[b]:
            reason = "no_common_slot"
        elif pair is None:
            reason = "no_capacity"
        else:
            reason = "not_scheduled"
        unmet.append(
            UnmetWish(
                source=wish.source,
                target=wish.target,
                kind=wish.kind,
                weight=wish_weight,
                reason=reason,
            )
        )
    return Solution(
        meetings=meetings,
        total_weight=weight,
        objective=objective,
        upper_bound=bound,
        weight_upper_bound=weight_bound,
        solver=solver,
        status="optimal" if optimal else "feasible",
        seconds=seconds,
        meetings_per_attendee=counts,
        unmet_wishes=unmet,
        notes=list(notes),
    )
