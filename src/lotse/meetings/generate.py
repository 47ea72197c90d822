"""Random but realistic meeting problems, for tests and the benchmark.

Popularity is skewed (a few speakers are wished for by hundreds), a quarter of
the wishes are "must meet", a few are "no thanks", attendees offer most but not
all slots and have some starred sessions.
"""

from __future__ import annotations

import random

from .problem import Attendee, Problem, Settings, Slot, Wish, WishKind


def random_problem(
    *,
    attendees: int,
    slots: int,
    tables: int,
    wishes_each: int,
    seed: int = 0,
    max_meetings: int | None = 8,
    popularity: float = 1.0,
    availability: float = 0.8,
    settings: Settings | None = None,
) -> Problem:
    rng = random.Random(seed)
    slot_list = tuple(Slot(id=f"s{index + 1}", label=f"Slot {index + 1}") for index in range(slots))
    slot_ids = [slot.id for slot in slot_list]
    people = [f"p{index + 1}" for index in range(attendees)]
    # Zipf-like popularity: weight 1/(rank+1)**popularity, shuffled over people.
    ranks = list(range(attendees))
    rng.shuffle(ranks)
    appeal = [1.0 / (rank + 1) ** popularity + 0.02 for rank in ranks]

    attendee_list = []
    for person_id in people:
        offered = [slot_id for slot_id in slot_ids if rng.random() < availability]
        busy = rng.sample(slot_ids, k=min(len(slot_ids), rng.randint(0, 3)))
        attendee_list.append(
            Attendee(
                id=person_id,
                available=tuple(offered),
                busy=tuple(sorted(busy, key=slot_ids.index)),
                max_meetings=None
                if max_meetings is None
                else rng.randint(max(1, max_meetings // 2), max_meetings),
            )
        )

    wishes: list[Wish] = []
    count = min(wishes_each, attendees - 1)
    for index, person_id in enumerate(people):
        chosen: set[int] = set()
        while len(chosen) < count:
            for target in rng.choices(range(attendees), weights=appeal, k=count * 2):
                if target != index and len(chosen) < count:
                    chosen.add(target)
        for target in sorted(chosen):
            roll = rng.random()
            kind = (
                WishKind.MUST_MEET
                if roll < 0.25
                else WishKind.NO_THANKS
                if roll > 0.95
                else WishKind.WOULD_LIKE
            )
            wishes.append(Wish(source=person_id, target=people[target], kind=kind))
    rng.shuffle(wishes)  # arrival order for the first-come baseline
    return Problem(
        slots=slot_list,
        attendees=tuple(attendee_list),
        wishes=tuple(wishes),
        tables=tables,
        settings=settings or Settings(),
    )
