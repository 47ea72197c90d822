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

from .linear import SparseModel
from .model import Instance

#: LP algorithm for the bound: GLOP (OR-Tools' simplex) or "highs_lp".
LP_SOLVER = "glop"


@dataclass
class LpResult:
    bound: float  # upper bound on the objective (weight + fairness bonuses)
    weight_bound: float  # upper bound on the total weight alone
    values: list[float]  # LP value per pair


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
            values = [h + instance.bonus_for(person, k + 1) for k, h in enumerate(halves)]
        else:
            values = halves
        if values:
            items.append(values)
    budget = 2 * instance.max_meetings_total
    total = 0.0
    for count, value in enumerate(heapq.merge(*items, key=lambda v: -v)):
        if count >= budget:
            break
        total += value
    return total


def bmatching_lp(instance: Instance, *, with_bonus: bool = True) -> SparseModel:
    """The slot-free relaxation: x_p in [0, 1] per pair, y_ik for the bonuses."""
    model = SparseModel()
    model.add_columns(instance.n_pairs, cost=list(instance.pair_weight))
    for person in range(instance.n_people):
        adjacent = instance.adjacency[person]
        if len(adjacent) > instance.cap[person]:
            model.add_row(adjacent, [1.0] * len(adjacent), upper=float(instance.cap[person]))
    if with_bonus:
        for person in range(instance.n_people):
            adjacent = instance.adjacency[person]
            if not instance.asked[person] or not adjacent:
                continue
            levels = min(instance.cap[person], len(instance.bonus), len(adjacent))
            if levels == 0:
                continue
            first = model.add_columns(levels, cost=instance.bonus[:levels])
            columns = list(range(first, first + levels))
            model.add_row(columns + adjacent, [1.0] * levels + [-1.0] * len(adjacent), upper=0.0)
    if instance.n_pairs > instance.max_meetings_total:
        model.add_row(
            list(range(instance.n_pairs)),
            [1.0] * instance.n_pairs,
            upper=float(instance.max_meetings_total),
        )
    return model


def lp_bound(instance: Instance, *, time_limit: float = 60.0) -> LpResult:
    """Solve the b-matching LP twice: with the fairness bonuses, and weight alone."""
    if instance.n_pairs == 0:
        return LpResult(bound=0.0, weight_bound=0.0, values=[])
    result = bmatching_lp(instance).solve(LP_SOLVER, time_limit=time_limit)
    if result.status != "optimal":
        raise RuntimeError(f"LP relaxation ended as {result.status}")
    weight = bmatching_lp(instance, with_bonus=False).solve(LP_SOLVER, time_limit=time_limit)
    weight_bound = _padded(weight.objective) if weight.status == "optimal" else math.inf
    return LpResult(
        bound=_padded(result.objective),
        weight_bound=weight_bound,
        values=result.values[: instance.n_pairs],
    )


def _padded(objective: float) -> float:
    """Pad an LP optimum against solver tolerances so it stays a valid bound."""
    return objective * (1 + 1e-7) + 1e-6
