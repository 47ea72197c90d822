"""Exact time-indexed models for OR-Tools CP-SAT and HiGHS (MIP).

Variables ``x[p, s]`` (pair ``p`` meets in slot ``s``, only for slots both people
have free) and ``y[i, k]`` (person ``i`` who asked has at least ``k`` meetings).

    sum_s x[p, s] <= 1                     a pair meets at most once
    sum_{p ∋ i} x[p, s] <= 1               no double booking of a person in a slot
    sum_p x[p, s] <= tables[s]             tables per slot
    sum_{p ∋ i, s} x[p, s] <= cap[i]       maximum meetings per person
    sum_k y[i, k] <= sum_{p ∋ i, s} x[p, s]
    maximise sum w[p] x[p, s] + sum bonus[k] y[i, k]

Both solvers get the heuristic schedule as a starting point, so on a time limit
they never return less than the heuristic did.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from .model import Instance, slots_of

#: CP-SAT needs integer coefficients; 2**12 keeps default weights and the
#: halving fairness bonuses exact.
SCALE = 4096


@dataclass
class ExactResult:
    assignment: dict[int, int]  # pair -> slot
    bound: float  # proven upper bound on the objective
    optimal: bool
    solver: str


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _columns(instance: Instance) -> tuple[list[tuple[int, int]], list[tuple[int, int, float]]]:
    pair_slot = [(p, s) for p in range(instance.n_pairs) for s in slots_of(instance.pair_common[p])]
    bonus: list[tuple[int, int, float]] = []
    for person in range(instance.n_people):
        if not instance.asked[person] or not instance.adjacency[person]:
            continue
        levels = min(instance.cap[person], len(instance.bonus), len(instance.adjacency[person]))
        bonus.extend((person, k, instance.bonus[k]) for k in range(levels))
    return pair_slot, bonus


def _rounding_slack(instance: Instance, pair_slot_count: int, bonus_count: int) -> float:
    """Largest error the integer scaling can cause in the objective."""
    values = list(instance.pair_weight) + list(instance.bonus)
    if all(abs(v * SCALE - round(v * SCALE)) < 1e-9 for v in values):
        return 0.0
    return 0.5 / SCALE * (pair_slot_count + bonus_count)


def solve_cpsat(
    instance: Instance, *, time_limit: float, hint: dict[int, int] | None = None
) -> ExactResult:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    pair_slot, bonus = _columns(instance)
    x = {(p, s): model.new_bool_var(f"x{p}_{s}") for p, s in pair_slot}
    by_pair: dict[int, list[cp_model.IntVar]] = {}
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    by_person: dict[int, list[cp_model.IntVar]] = {}
    for (p, s), var in x.items():
        a, b = instance.pair_a[p], instance.pair_b[p]
        by_pair.setdefault(p, []).append(var)
        by_person_slot.setdefault((a, s), []).append(var)
        by_person_slot.setdefault((b, s), []).append(var)
        by_slot.setdefault(s, []).append(var)
        by_person.setdefault(a, []).append(var)
        by_person.setdefault(b, []).append(var)
    for variables in by_pair.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)
    for variables in by_person_slot.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)
    for s, variables in by_slot.items():
        if len(variables) > instance.tables[s]:
            model.add(sum(variables) <= instance.tables[s])
    for person, variables in by_person.items():
        if len(variables) > instance.cap[person]:
            model.add(sum(variables) <= instance.cap[person])
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for person, k, _ in bonus:
        y[person, k] = model.new_bool_var(f"y{person}_{k}")
        if k > 0:
            model.add_implication(y[person, k], y[person, k - 1])
    levels: dict[int, list[cp_model.IntVar]] = {}
    for (person, _k), var in y.items():
        levels.setdefault(person, []).append(var)
    for person, variables in levels.items():
        model.add(sum(variables) <= sum(by_person.get(person, [])))
    objective = [round(instance.pair_weight[p] * SCALE) * var for (p, _s), var in x.items()]
    objective += [round(cost * SCALE) * y[person, k] for person, k, cost in bonus]
    model.maximize(sum(objective))

    if hint:
        degree: dict[int, int] = {}
        for (p, s), var in x.items():
            chosen = hint.get(p) == s
            model.add_hint(var, chosen)
            if chosen:
                for person in (instance.pair_a[p], instance.pair_b[p]):
                    degree[person] = degree.get(person, 0) + 1
        for (person, k), var in y.items():
            model.add_hint(var, degree.get(person, 0) > k)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit))
    solver.parameters.num_workers = _threads()
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(
            assignment=dict(hint or {}), bound=math.inf, optimal=False, solver="cpsat"
        )
    assignment = {p: s for (p, s), var in x.items() if solver.boolean_value(var)}
    slack = _rounding_slack(instance, len(pair_slot), len(bonus))
    bound = solver.best_objective_bound / SCALE + slack
    optimal = status == cp_model.OPTIMAL and slack == 0.0
    return ExactResult(assignment=assignment, bound=bound, optimal=optimal, solver="cpsat")


def solve_highs_mip(
    instance: Instance, *, time_limit: float, hint: dict[int, int] | None = None
) -> ExactResult:
    """The same model as a MIP for HiGHS (the copy inside OR-Tools)."""
    from .linear import SparseModel

    pair_slot, bonus = _columns(instance)
    model = SparseModel()
    model.add_columns(
        len(pair_slot), cost=[instance.pair_weight[p] for p, _s in pair_slot], integer=True
    )
    first_bonus = model.add_columns(len(bonus), cost=[c for _i, _k, c in bonus], integer=True)

    by_pair: dict[int, list[int]] = {}
    by_person_slot: dict[tuple[int, int], list[int]] = {}
    by_slot: dict[int, list[int]] = {}
    by_person: dict[int, list[int]] = {}
    for column, (p, s) in enumerate(pair_slot):
        a, b = instance.pair_a[p], instance.pair_b[p]
        by_pair.setdefault(p, []).append(column)
        by_person_slot.setdefault((a, s), []).append(column)
        by_person_slot.setdefault((b, s), []).append(column)
        by_slot.setdefault(s, []).append(column)
        by_person.setdefault(a, []).append(column)
        by_person.setdefault(b, []).append(column)
    for columns in (*by_pair.values(), *by_person_slot.values()):
        if len(columns) > 1:
            model.add_row(columns, [1.0] * len(columns), upper=1.0)
    for s, columns in by_slot.items():
        if len(columns) > instance.tables[s]:
            model.add_row(columns, [1.0] * len(columns), upper=float(instance.tables[s]))
    for person, columns in by_person.items():
        if len(columns) > instance.cap[person]:
            model.add_row(columns, [1.0] * len(columns), upper=float(instance.cap[person]))
    levels: dict[int, list[int]] = {}
    for offset, (person, _k, _cost) in enumerate(bonus):
        levels.setdefault(person, []).append(first_bonus + offset)
    for person, columns in levels.items():
        linked = by_person.get(person, [])
        model.add_row(columns + linked, [1.0] * len(columns) + [-1.0] * len(linked), upper=0.0)

    # No start solution: OR-Tools 9.15 crashes when it hands a hint to HiGHS.  The
    # caller keeps the heuristic schedule if HiGHS finds nothing better in time.
    result = model.solve("highs", time_limit=time_limit, relative_gap=1e-9)
    if result.status not in ("optimal", "feasible"):
        return ExactResult(
            assignment=dict(hint or {}), bound=math.inf, optimal=False, solver="highs"
        )
    assignment = {p: s for column, (p, s) in enumerate(pair_slot) if result.values[column] > 0.5}
    bound = result.bound * (1 + 1e-7) + 1e-6
    return ExactResult(
        assignment=assignment, bound=bound, optimal=result.status == "optimal", solver="highs"
    )
