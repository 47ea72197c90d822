"""Upper bounds on the objective: a combinatorial bound and an LP relaxation.

Both relax the slots away, which is what makes them cheap enough for 10,000
attendees: a schedule is in particular a set of pairs in which every person has
at most ``cap`` meetings and which has at most ``max_meetings_total`` meetings
(tables per slot, and half the free people per slot).  Maximising the objective
over such sets with fractional pairs allowed (a b-matching LP with one extra
row) therefore bounds every schedule from above.  The LP solution also guides
the heuristic (pairs with a high LP value are placed first).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from .model import Instance


@dataclass
class LpResult:
    bound: float  # upper bound on the objective (weight + fairness bonuses)
    weight_bound: float  # upper bound on the total weight alone
    values: list[float]  # LP value per pair
    solver: str


def combinatorial_bound(instance: Instance, *, with_bonus: bool = True) -> float:
    """Split every meeting's value between its two people and bound each side.

    A person with degree ``d`` collects half the weight of ``d`` of their pairs
    plus bonuses 1..d; at best, the ``d`` heaviest.  Those per-person items are
    sorted falling, so the best total of a person is a prefix; with at most ``M``
    meetings there are at most ``2M`` items in all, so the ``2M`` largest items
    over all people bound every schedule.
    """
    items: list[list[float]] = []
    for person in range(instance.n_people):
        halves = sorted(
            (instance.pair_weight[p] / 2 for p in instance.adjacency[person]), reverse=True
        )[: instance.cap[person]]
        if with_bonus:
            values = [
                h + instance.bonus_for(person, k + 1) for k, h in enumerate(halves)
            ]
        else:
            values = halves
        if values:
            items.append(values)
    budget = 2 * instance.max_meetings_total
    # Merge the falling lists and take the largest ``budget`` items.
    merged = heapq.merge(*items, key=lambda v: -v)
    total = 0.0
    for count, value in enumerate(merged):
        if count >= budget:
            break
        total += value
    return total


def highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    return True


def lp_bound(instance: Instance, *, time_limit: float = 60.0, threads: int = 2) -> LpResult:
    """The b-matching LP relaxation (with fairness columns), solved by HiGHS."""
    import highspy
    import numpy as np

    n_pairs = instance.n_pairs
    n_people = instance.n_people
    if n_pairs == 0:
        return LpResult(bound=0.0, weight_bound=0.0, values=[], solver="trivial")

    # Columns: x_p (pairs), then y_{i,k} (k-th meeting bonus of person i who asked).
    bonus_owner: list[int] = []
    bonus_cost: list[float] = []
    for person in range(n_people):
        if not instance.asked[person] or not instance.adjacency[person]:
            continue
        levels = min(instance.cap[person], len(instance.bonus), len(instance.adjacency[person]))
        for k in range(levels):
            bonus_owner.append(person)
            bonus_cost.append(instance.bonus[k])
    n_cols = n_pairs + len(bonus_owner)

    # Rows, built row-wise: capacity per person, bonus link per person, total meetings.
    starts = [0]
    index: list[int] = []
    value: list[float] = []
    row_upper: list[float] = []
    for person in range(n_people):
        adjacent = instance.adjacency[person]
        if len(adjacent) > instance.cap[person]:
            index.extend(adjacent)
            value.extend([1.0] * len(adjacent))
            starts.append(len(index))
            row_upper.append(float(instance.cap[person]))
    by_owner: dict[int, list[int]] = {}
    for column, person in enumerate(bonus_owner):
        by_owner.setdefault(person, []).append(n_pairs + column)
    for person, columns in by_owner.items():
        adjacent = instance.adjacency[person]
        index.extend(columns)
        value.extend([1.0] * len(columns))
        index.extend(adjacent)
        value.extend([-1.0] * len(adjacent))
        starts.append(len(index))
        row_upper.append(0.0)
    index.extend(range(n_pairs))
    value.extend([1.0] * n_pairs)
    starts.append(len(index))
    row_upper.append(float(instance.max_meetings_total))

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = len(row_upper)
    lp.col_cost_ = np.array(instance.pair_weight + bonus_cost, dtype=np.float64)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.full(len(row_upper), -highspy.kHighsInf)
    lp.row_upper_ = np.array(row_upper, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = len(row_upper)

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("threads", int(threads))
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS LP ended with {highs.modelStatusToString(status)}")
    solution = highs.getSolution()
    values = list(solution.col_value[:n_pairs])
    bound = _dual_safe(highs, highs.getInfo().objective_function_value)

    # Weight alone: same LP without the bonus columns' profit.
    highs.changeColsCost(
        len(bonus_owner),
        np.arange(n_pairs, n_cols, dtype=np.int32),
        np.zeros(len(bonus_owner)),
    )
    highs.run()
    weight_bound = math.inf
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        weight_bound = _dual_safe(highs, highs.getInfo().objective_function_value)
    return LpResult(bound=bound, weight_bound=weight_bound, values=values, solver="highs-lp")


def _dual_safe(highs: object, objective: float) -> float:
    """Pad an LP optimum against solver tolerances so it stays a valid bound."""
    return objective * (1 + 1e-7) + 1e-6
