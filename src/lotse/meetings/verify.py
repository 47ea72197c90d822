"""An independent check of a schedule against a problem (used by tests and callers).

Written without the solver's data structures, straight from the problem's
dataclasses, so it can catch a solver bug rather than repeat it.
"""

from __future__ import annotations

from collections import Counter

from .problem import Problem, Solution, WishKind


def verify(problem: Problem, solution: Solution) -> list[str]:
    """Every constraint the schedule breaks, as messages (empty: all kept)."""
    errors: list[str] = []
    slots = {slot.id: slot for slot in problem.slots}
    people = {person.id: person for person in problem.attendees}
    blocked = {
        frozenset((wish.source, wish.target))
        for wish in problem.wishes
        if wish.kind is WishKind.NO_THANKS
    }
    wanted = {
        frozenset((wish.source, wish.target))
        for wish in problem.wishes
        if wish.kind is not WishKind.NO_THANKS and wish.effective_weight(problem.settings) > 0
    }
    seen_pairs: set[frozenset[str]] = set()
    person_slot: set[tuple[str, str]] = set()
    tables_used: dict[str, set[int]] = {}
    count: Counter[str] = Counter()
    for index, meeting in enumerate(solution.meetings):
        where = f"meeting {index} ({meeting.a}–{meeting.b} in {meeting.slot})"
        if meeting.slot not in slots:
            errors.append(f"{where}: unknown slot")
            continue
        pair = frozenset((meeting.a, meeting.b))
        if meeting.a == meeting.b:
            errors.append(f"{where}: a person meets themselves")
        if pair in blocked:
            errors.append(f"{where}: someone said no thanks")
        if pair not in wanted:
            errors.append(f"{where}: nobody asked for this meeting")
        if pair in seen_pairs:
            errors.append(f"{where}: the pair meets twice")
        seen_pairs.add(pair)
        slot = slots[meeting.slot]
        table_count = problem.tables_in(slot)
        if not 1 <= meeting.table <= table_count:
            errors.append(f"{where}: table {meeting.table} outside 1..{table_count}")
        if meeting.table in tables_used.setdefault(meeting.slot, set()):
            errors.append(f"{where}: table {meeting.table} used twice")
        tables_used[meeting.slot].add(meeting.table)
        for person_id in (meeting.a, meeting.b):
            person = people.get(person_id)
            if person is None:
                errors.append(f"{where}: unknown attendee {person_id!r}")
                continue
            if person.available is not None and meeting.slot not in person.available:
                errors.append(f"{where}: {person_id} is not available")
            if meeting.slot in person.busy:
                errors.append(f"{where}: {person_id} has a starred session")
            if (person_id, meeting.slot) in person_slot:
                errors.append(f"{where}: {person_id} is double-booked")
            person_slot.add((person_id, meeting.slot))
            count[person_id] += 1
    for person_id, number in count.items():
        person = people.get(person_id)
        if person is None:
            continue
        limit: int | None = person.max_meetings
        if limit is None:
            limit = problem.settings.max_meetings
        if limit is not None and number > limit:
            errors.append(f"{person_id}: {number} meetings, more than the maximum {limit}")
    return errors
