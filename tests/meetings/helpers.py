"""Small helpers for the meeting optimiser tests."""

from __future__ import annotations

from lotse.meetings.model import Instance, slots_of


def brute_force_optimum(instance: Instance) -> float:
    """Best objective over *all* feasible schedules, by exhaustive search."""
    n_pairs = instance.n_pairs
    busy: set[tuple[int, int]] = set()
    used = [0] * instance.n_slots
    degree = [0] * instance.n_people
    chosen: list[int] = []
    best = 0.0

    def visit(p: int) -> None:
        nonlocal best
        if p == n_pairs:
            best = max(best, instance.objective(chosen)[0])
            return
        visit(p + 1)  # pair p does not meet
        a, b = instance.pair_a[p], instance.pair_b[p]
        if degree[a] >= instance.cap[a] or degree[b] >= instance.cap[b]:
            return
        for s in slots_of(instance.pair_common[p]):
            if (a, s) in busy or (b, s) in busy or used[s] >= instance.tables[s]:
                continue
            busy.update(((a, s), (b, s)))
            used[s] += 1
            degree[a] += 1
            degree[b] += 1
            chosen.append(p)
            visit(p + 1)
            chosen.pop()
            degree[a] -= 1
            degree[b] -= 1
            used[s] -= 1
            busy.difference_update(((a, s), (b, s)))

    visit(0)
    return best
