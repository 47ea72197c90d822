"""Fast heuristics: greedy with fairness, LP-guided rounding, local search, first-come.

All of them work on a :class:`Schedule`, which keeps every constraint true after
each operation (a person meets at most one person per slot and only in free
slots, at most ``cap`` meetings, at most ``tables`` meetings per slot), so a
heuristic can only ever produce feasible schedules.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Sequence

from .model import Instance, slots_of

EPS = 1e-9


class Schedule:
    """A feasible partial schedule: pair -> slot."""

    def __init__(self, instance: Instance) -> None:
        self.inst = instance
        self.busy: list[list[int]] = [[-1] * instance.n_slots for _ in range(instance.n_people)]
        self.used = [0] * instance.n_slots
        self.degree = [0] * instance.n_people
        self.slot_of = [-1] * instance.n_pairs
        self.members: list[set[int]] = [set() for _ in range(instance.n_slots)]
        self.spare = sum(instance.tables)  # free tables over all slots

    # -- basic operations -------------------------------------------------
    def scheduled(self) -> list[int]:
        return [p for p, s in enumerate(self.slot_of) if s >= 0]

    def add(self, p: int, s: int) -> None:
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        assert self.slot_of[p] < 0
        assert inst.pair_common[p] >> s & 1
        assert self.busy[a][s] < 0
        assert self.busy[b][s] < 0
        assert self.used[s] < inst.tables[s]
        assert self.degree[a] < inst.cap[a]
        assert self.degree[b] < inst.cap[b]
        self.slot_of[p] = s
        self.busy[a][s] = p
        self.busy[b][s] = p
        self.used[s] += 1
        self.spare -= 1
        self.degree[a] += 1
        self.degree[b] += 1
        self.members[s].add(p)

    def remove(self, p: int) -> int:
        inst = self.inst
        s = self.slot_of[p]
        a, b = inst.pair_a[p], inst.pair_b[p]
        self.slot_of[p] = -1
        self.busy[a][s] = -1
        self.busy[b][s] = -1
        self.used[s] -= 1
        self.spare += 1
        self.degree[a] -= 1
        self.degree[b] -= 1
        self.members[s].discard(p)
        return s

    # -- values -----------------------------------------------------------
    def gain(self, p: int) -> float:
        """Objective gained by adding pair ``p`` now."""
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        return (
            inst.pair_weight[p]
            + inst.bonus_for(a, self.degree[a] + 1)
            + inst.bonus_for(b, self.degree[b] + 1)
        )

    def loss(self, p: int) -> float:
        """Objective lost by removing scheduled pair ``p`` now."""
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        return (
            inst.pair_weight[p]
            + inst.bonus_for(a, self.degree[a])
            + inst.bonus_for(b, self.degree[b])
        )

    def has_room(self, p: int) -> bool:
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        return self.degree[a] < inst.cap[a] and self.degree[b] < inst.cap[b]

    def objective(self) -> float:
        return self.inst.objective(self.scheduled())[0]

    # -- placement ---------------------------------------------------------
    def open_slots(self, p: int) -> list[int]:
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        busy_a, busy_b = self.busy[a], self.busy[b]
        return [
            s
            for s in slots_of(inst.pair_common[p])
            if busy_a[s] < 0 and busy_b[s] < 0 and self.used[s] < inst.tables[s]
        ]

    def _best_open(self, slots: Sequence[int]) -> int:
        tables, used = self.inst.tables, self.used
        return max(slots, key=lambda s: (tables[s] - used[s], -s))

    def _relocate(self, q: int, avoid: int) -> int:
        """A slot other than ``avoid`` where scheduled pair ``q`` could move, or -1."""
        inst = self.inst
        a, b = inst.pair_a[q], inst.pair_b[q]
        best, room = -1, 0
        for s in slots_of(inst.pair_common[q] & ~(1 << avoid)):
            if self.busy[a][s] < 0 and self.busy[b][s] < 0:
                free_tables = inst.tables[s] - self.used[s]
                if free_tables > room:
                    best, room = s, free_tables
        return best

    def place(self, p: int, *, repair: bool = True) -> bool:
        """Schedule pair ``p`` in a free slot, moving one other meeting if need be."""
        if self.slot_of[p] >= 0 or not self.has_room(p):
            return False
        slots = self.open_slots(p)
        if slots:
            self.add(p, self._best_open(slots))
            return True
        if not repair:
            return False
        inst = self.inst
        a, b = inst.pair_a[p], inst.pair_b[p]
        for s in slots_of(inst.pair_common[p]):
            blockers = {q for q in (self.busy[a][s], self.busy[b][s]) if q >= 0}
            if not blockers and self.used[s] >= inst.tables[s]:
                if self.spare == 0:
                    continue
                # The slot is full: move any meeting of it elsewhere.
                for q in list(self.members[s])[:64]:
                    target = self._relocate(q, s)
                    if target >= 0:
                        self.remove(q)
                        self.add(q, target)
                        self.add(p, s)
                        return True
                continue
            if len(blockers) != 1:
                continue
            (q,) = blockers
            target = self._relocate(q, s)
            if target >= 0:
                self.remove(q)
                self.add(q, target)
                if self.used[s] < inst.tables[s]:
                    self.add(p, s)
                    return True
                self.remove(q)
                self.add(q, s)
        return False


# ---------------------------------------------------------------------------


def greedy_fill(schedule: Schedule, candidates: Iterable[int] | None = None) -> None:
    """Lazy greedy on the marginal gain (weight + fairness bonuses of both people).

    Gains only fall as degrees rise, so a popped pair whose recomputed gain still
    tops the heap is the true best next pair.
    """
    pool = range(schedule.inst.n_pairs) if candidates is None else candidates
    heap = [(-schedule.gain(p), p) for p in pool if schedule.slot_of[p] < 0]
    heapq.heapify(heap)
    while heap and schedule.spare > 0:
        negative, p = heapq.heappop(heap)
        if schedule.slot_of[p] >= 0 or not schedule.has_room(p):
            continue
        current = schedule.gain(p)
        if current < -negative - EPS:
            heapq.heappush(heap, (-current, p))
            continue
        schedule.place(p)


def lp_guided(schedule: Schedule, lp_values: Sequence[float]) -> None:
    """Round an LP solution: pairs by LP value (then gain), placing them in slots."""
    inst = schedule.inst
    order = sorted(
        (p for p in range(inst.n_pairs) if lp_values[p] > 0.5 + 1e-6),
        key=lambda p: (-lp_values[p], -inst.pair_weight[p], p),
    )
    for p in order:
        if schedule.spare == 0:
            break
        schedule.place(p)
    greedy_fill(schedule)


def first_come(schedule: Schedule, order: Sequence[int]) -> None:
    """Baseline: requests in arrival order, each booked in the first free slot and table."""
    for p in order:
        if schedule.slot_of[p] >= 0 or not schedule.has_room(p):
            continue
        slots = schedule.open_slots(p)
        if slots:
            schedule.add(p, slots[0])


def local_search(schedule: Schedule, *, deadline: float, rounds: int = 20) -> int:
    """Improve by swaps until no move helps or time runs out; returns moves made.

    Moves, for every unscheduled pair (best gain first) and each common slot:
    add it where both are free and a table is free; or eject the meetings that
    block it there (a meeting of either person in that slot, or the cheapest
    meeting of a full slot) when that raises the objective.  Ejected meetings are
    re-placed elsewhere when possible.
    """
    inst = schedule.inst
    moves = 0
    for _ in range(rounds):
        improved = 0
        candidates = sorted(
            (p for p in range(inst.n_pairs) if schedule.slot_of[p] < 0),
            key=lambda p: -schedule.gain(p),
        )
        cheapest = _CheapestCache(schedule)
        for count, p in enumerate(candidates):
            if count % 512 == 0 and time.monotonic() > deadline:
                return moves + improved
            if schedule.slot_of[p] >= 0:
                continue
            if _try_insert(schedule, p, cheapest):
                improved += 1
        moves += improved
        if not improved:
            break
    return moves


class _CheapestCache:
    """Cheapest meeting (lowest loss) per slot, recomputed when the slot changes."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.cache: dict[int, tuple[float, int]] = {}

    def get(self, s: int) -> tuple[float, int]:
        cached = self.cache.get(s)
        if cached is None:
            loss = self.schedule.loss
            members = self.schedule.members[s]
            cached = min(((loss(q), q) for q in members), default=(float("inf"), -1))
            self.cache[s] = cached
        return cached

    def clear(self) -> None:
        self.cache.clear()


def _try_insert(schedule: Schedule, p: int, cheapest: _CheapestCache) -> bool:
    inst = schedule.inst
    a, b = inst.pair_a[p], inst.pair_b[p]
    if schedule.degree[a] >= inst.cap[a] or schedule.degree[b] >= inst.cap[b]:
        return _try_exchange_at_cap(schedule, p, cheapest)
    if schedule.place(p):
        cheapest.clear()
        return True
    best_delta, best_slot, best_eject = EPS, -1, ()  # type: tuple[float, int, tuple[int, ...]]
    for s in slots_of(inst.pair_common[p]):
        blockers = tuple(sorted({q for q in (schedule.busy[a][s], schedule.busy[b][s]) if q >= 0}))
        if not blockers:
            if schedule.used[s] < inst.tables[s]:
                continue  # place() would have used it
            _loss, q = cheapest.get(s)
            if q < 0:
                continue
            blockers = (q,)
        delta = _delta(schedule, p, s, blockers)
        if delta > best_delta:
            best_delta, best_slot, best_eject = delta, s, blockers
    if best_slot < 0:
        return False
    for q in best_eject:
        schedule.remove(q)
    schedule.add(p, best_slot)
    for q in best_eject:  # try to keep ejected meetings elsewhere
        schedule.place(q, repair=False)
    cheapest.clear()
    return True


def _delta(schedule: Schedule, p: int, s: int, eject: Sequence[int]) -> float:
    """Objective change of ejecting ``eject`` and adding ``p`` at ``s`` (state restored)."""
    removed = []
    loss = 0.0
    for q in eject:
        loss += schedule.loss(q)
        removed.append((q, schedule.remove(q)))
    delta = -loss
    if schedule.has_room(p) and schedule.used[s] < schedule.inst.tables[s]:
        delta += schedule.gain(p)
    else:
        delta = float("-inf")
    for q, slot in reversed(removed):
        schedule.add(q, slot)
    return delta


def _try_exchange_at_cap(schedule: Schedule, p: int, cheapest: _CheapestCache) -> bool:
    """A person at their maximum swaps their least valuable meeting for ``p``."""
    inst = schedule.inst
    a, b = inst.pair_a[p], inst.pair_b[p]
    eject: list[int] = []
    for person in (a, b):
        if schedule.degree[person] >= inst.cap[person]:
            mine = [q for q in schedule.busy[person] if q >= 0]
            if not mine:
                return False
            eject.append(min(mine, key=schedule.loss))
    loss = 0.0
    removed = []
    for q in dict.fromkeys(eject):
        loss += schedule.loss(q)
        removed.append((q, schedule.remove(q)))
    if schedule.gain(p) > loss + EPS and schedule.place(p, repair=False):
        cheapest.clear()
        return True
    for q, slot in reversed(removed):
        schedule.add(q, slot)
    return False
