"""The compiled form of a :class:`~lotse.meetings.problem.Problem` that every solver shares.

People and slots become integers, a person's free slots a bit mask, wishes in both
directions one *pair* with a combined weight.  Pairs that can never meet (a "no
thanks" from either side, no common free slot, no capacity) are dropped here, so
no solver can schedule them, and the reason is kept for the report of unmet wishes.

The objective (see docs/meetings-optimiser.md)::

    sum of pair weights of the scheduled meetings
  + sum over attendees who asked for meetings of  bonus[1] + ... + bonus[deg]

with ``bonus[k] = fairness * max_pair_weight / 2**(k-1)`` for ``k <= BONUS_LEVELS``:
the first meeting of everyone who asked is worth much more than anybody's fifth,
which spreads meetings fairly (a concave utility per person).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .problem import Problem, WishKind

BONUS_LEVELS = 12


@dataclass
class Instance:
    problem: Problem
    person_ids: list[str]
    slot_ids: list[str]
    tables: list[int]  # per slot
    free: list[int]  # bit mask of free slots per person
    cap: list[int]  # maximum meetings per person (already limited by free slots)
    asked: list[bool]  # made at least one positive wish
    bonus: list[float]  # bonus[k-1] for the k-th meeting of someone who asked
    pair_a: list[int] = field(default_factory=list)
    pair_b: list[int] = field(default_factory=list)
    pair_weight: list[float] = field(default_factory=list)
    pair_common: list[int] = field(default_factory=list)  # common free slots (mask)
    adjacency: list[list[int]] = field(default_factory=list)  # pair indices per person
    pair_index: dict[tuple[int, int], int] = field(default_factory=dict)
    blocked: set[tuple[int, int]] = field(default_factory=set)  # (min, max) "no thanks"
    max_meetings_total: int = 0  # no more meetings than tables (and people) allow

    @property
    def n_people(self) -> int:
        return len(self.person_ids)

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.pair_a)

    def bonus_for(self, person: int, k: int) -> float:
        """Bonus of ``person``'s ``k``-th meeting (1-based)."""
        if not self.asked[person] or k < 1 or k > len(self.bonus):
            return 0.0
        return self.bonus[k - 1]

    def bonus_total(self, person: int, degree: int) -> float:
        if not self.asked[person]:
            return 0.0
        return sum(self.bonus[: min(degree, len(self.bonus))])

    def objective(self, pairs: list[int]) -> tuple[float, float]:
        """(objective, total weight) of a set of scheduled pairs."""
        degree = [0] * self.n_people
        weight = 0.0
        for p in pairs:
            weight += self.pair_weight[p]
            degree[self.pair_a[p]] += 1
            degree[self.pair_b[p]] += 1
        fairness = sum(self.bonus_total(i, d) for i, d in enumerate(degree) if d)
        return weight + fairness, weight

    def time_indexed_size(self) -> int:
        """Number of (pair, slot) variables an exact time-indexed model needs."""
        return sum(common.bit_count() for common in self.pair_common)


def slots_of(mask: int) -> list[int]:
    """Slot indices in a bit mask, ascending."""
    result = []
    while mask:
        low = mask & -mask
        result.append(low.bit_length() - 1)
        mask ^= low
    return result


def compile_problem(problem: Problem) -> Instance:
    settings = problem.settings
    slot_ids = [slot.id for slot in problem.slots]
    slot_pos = {slot_id: index for index, slot_id in enumerate(slot_ids)}
    all_slots = (1 << len(slot_ids)) - 1
    tables = [max(0, problem.tables_in(slot)) for slot in problem.slots]
    person_ids = [person.id for person in problem.attendees]
    person_pos = {person_id: index for index, person_id in enumerate(person_ids)}

    free: list[int] = []
    cap: list[int] = []
    for person in problem.attendees:
        mask = all_slots
        if person.available is not None:
            mask = 0
            for slot_id in person.available:
                mask |= 1 << slot_pos[slot_id]
        for slot_id in person.busy:
            mask &= ~(1 << slot_pos[slot_id])
        free.append(mask)
        limit = person.max_meetings
        if limit is None:
            limit = settings.max_meetings
        count = mask.bit_count()
        cap.append(count if limit is None else min(limit, count))

    directed: dict[tuple[int, int], float] = {}
    blocked: set[tuple[int, int]] = set()
    asked = [False] * len(person_ids)
    for wish in problem.wishes:
        source, target = person_pos[wish.source], person_pos[wish.target]
        key = (min(source, target), max(source, target))
        if wish.kind is WishKind.NO_THANKS:
            blocked.add(key)
            continue
        weight = wish.effective_weight(settings)
        if weight > 0:
            directed[(source, target)] = weight
            asked[source] = True

    instance = Instance(
        problem=problem,
        person_ids=person_ids,
        slot_ids=slot_ids,
        tables=tables,
        free=free,
        cap=cap,
        asked=asked,
        bonus=[],
        blocked=blocked,
    )
    instance.adjacency = [[] for _ in person_ids]
    seen: set[tuple[int, int]] = set()
    for source, target in directed:
        a, b = min(source, target), max(source, target)
        if (a, b) in seen or (a, b) in blocked:
            continue
        seen.add((a, b))
        common = free[a] & free[b]
        if not common or cap[a] == 0 or cap[b] == 0:
            continue
        forward = directed.get((a, b), 0.0)
        backward = directed.get((b, a), 0.0)
        weight = forward + backward
        if forward > 0 and backward > 0:
            weight += settings.mutual_bonus
        p = len(instance.pair_a)
        instance.pair_a.append(a)
        instance.pair_b.append(b)
        instance.pair_weight.append(weight)
        instance.pair_common.append(common)
        instance.pair_index[(a, b)] = p
        instance.adjacency[a].append(p)
        instance.adjacency[b].append(p)

    top = max(instance.pair_weight, default=0.0)
    instance.bonus = [settings.fairness * top / 2**k for k in range(BONUS_LEVELS)]
    if settings.fairness == 0:
        instance.bonus = []

    # Tables per slot, and no slot can hold more meetings than half its free people.
    per_slot_people = [0] * len(slot_ids)
    for i, mask in enumerate(free):
        if cap[i] == 0:
            continue
        for s in slots_of(mask):
            per_slot_people[s] += 1
    instance.max_meetings_total = sum(
        min(tables[s], per_slot_people[s] // 2) for s in range(len(slot_ids))
    )
    return instance
