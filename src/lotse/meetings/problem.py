"""Input and output of the 1:1 meeting optimiser, and their JSON form.

Plain, typed dataclasses without any Django dependency, so the events app can
build a :class:`Problem` from its models and a command line tool can read one
from a file.  The file format is described in docs/meetings-format.md.

``load_problem``/``problem_from_dict`` validate everything and raise
:class:`ProblemError` carrying *every* problem found (not just the first one),
each as a message that names the place in the file (``attendees[3].busy[0]``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024 * 1024


class WishKind(StrEnum):
    """What an attendee said about meeting someone."""

    MUST_MEET = "must_meet"
    WOULD_LIKE = "would_like"
    NO_THANKS = "no_thanks"
    CUSTOM = "custom"  # a bare numeric weight, no label


class ProblemError(ValueError):
    """The input is not a valid meeting problem; ``errors`` lists every problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        summary = f"{len(self.errors)} problem(s) in the meeting input:\n" + "\n".join(
            f"  - {error}" for error in self.errors
        )
        super().__init__(summary)


@dataclass(frozen=True)
class Settings:
    """Knobs of the objective; the defaults suit the events app."""

    must_meet_weight: float = 3.0
    would_like_weight: float = 1.0
    #: added to a pair's weight when both sides want to meet (on top of the sum).
    mutual_bonus: float = 1.0
    #: first meeting of an attendee who asked is worth ``fairness`` × the largest
    #: pair weight extra; the extra halves for every further meeting (see docs).
    fairness: float = 1.0
    #: default maximum of meetings per attendee (``None``: one per free slot).
    max_meetings: int | None = None

    def weight_for(self, kind: WishKind) -> float:
        if kind is WishKind.MUST_MEET:
            return self.must_meet_weight
        if kind is WishKind.WOULD_LIKE:
            return self.would_like_weight
        return 0.0


@dataclass(frozen=True)
class Slot:
    """A meeting slot (e.g. 15 minutes); ``tables`` overrides the problem's count."""

    id: str
    label: str = ""
    start: str | None = None
    end: str | None = None
    tables: int | None = None


@dataclass(frozen=True)
class Attendee:
    """Someone taking part in 1:1 meetings.

    ``available`` lists the slots the attendee offered (``None``: all slots);
    ``busy`` lists slots blocked by starred sessions.  A meeting needs a slot that
    is available and not busy for both people.
    """

    id: str
    name: str = ""
    available: tuple[str, ...] | None = None
    busy: tuple[str, ...] = ()
    max_meetings: int | None = None


@dataclass(frozen=True)
class Wish:
    """``source`` wants (or refuses, for NO_THANKS) a meeting with ``target``."""

    source: str
    target: str
    kind: WishKind = WishKind.WOULD_LIKE
    weight: float | None = None  # None: the settings' weight for ``kind``

    def effective_weight(self, settings: Settings) -> float:
        if self.kind is WishKind.NO_THANKS:
            return 0.0
        if self.weight is not None:
            return self.weight
        return settings.weight_for(self.kind)


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    attendees: tuple[Attendee, ...]
    wishes: tuple[Wish, ...]
    tables: int
    settings: Settings = field(default_factory=Settings)
    #: non-fatal observations from validation (e.g. someone without a free slot).
    warnings: tuple[str, ...] = ()

    def tables_in(self, slot: Slot) -> int:
        return self.tables if slot.tables is None else slot.tables

    def validate(self) -> list[str]:
        """Every error in this problem (an empty list when it is valid)."""
        return _validate_problem(self)[0]


@dataclass(frozen=True)
class Meeting:
    a: str
    b: str
    slot: str
    table: int
    weight: float


@dataclass(frozen=True)
class UnmetWish:
    source: str
    target: str
    kind: WishKind
    weight: float
    #: no_thanks | no_common_slot | no_capacity | not_scheduled
    reason: str


@dataclass
class Solution:
    meetings: list[Meeting]
    total_weight: float
    #: the optimised value: total weight plus the fairness bonuses (see docs).
    objective: float
    #: a proven upper bound on ``objective`` over all feasible schedules.
    upper_bound: float
    #: a proven upper bound on ``total_weight`` alone (fairness ignored).
    weight_upper_bound: float
    solver: str
    status: str  # "optimal" (proven) or "feasible"
    seconds: float
    meetings_per_attendee: dict[str, int]
    unmet_wishes: list[UnmetWish]
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative distance to the upper bound: 0.0 means proven optimal."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)


# ---------------------------------------------------------------------------
# Validation


def _validate_problem(problem: Problem) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    if isinstance(problem.tables, bool) or not isinstance(problem.tables, int):
        errors.append("tables: must be a whole number")
    elif problem.tables < 0:
        errors.append(f"tables: must not be negative (got {problem.tables})")
    settings = problem.settings
    for name in ("must_meet_weight", "would_like_weight", "mutual_bonus", "fairness"):
        value = getattr(settings, name)
        if not _is_number(value) or value < 0 or not math.isfinite(value):
            errors.append(f"settings.{name}: must be a finite number >= 0 (got {value!r})")
    if settings.max_meetings is not None and (
        not _is_int(settings.max_meetings) or settings.max_meetings < 0
    ):
        errors.append(
            f"settings.max_meetings: must be a whole number >= 0 (got {settings.max_meetings!r})"
        )

    slot_ids: set[str] = set()
    for index, slot in enumerate(problem.slots):
        where = f"slots[{index}]"
        if not isinstance(slot.id, str) or not slot.id:
            errors.append(f"{where}.id: must be a non-empty string")
            continue
        if slot.id in slot_ids:
            errors.append(f"{where}.id: duplicate slot id {slot.id!r}")
        slot_ids.add(slot.id)
        if slot.tables is not None and (not _is_int(slot.tables) or slot.tables < 0):
            errors.append(f"{where}.tables: must be a whole number >= 0 (got {slot.tables!r})")

    people: set[str] = set()
    for index, person in enumerate(problem.attendees):
        where = f"attendees[{index}]"
        if not isinstance(person.id, str) or not person.id:
            errors.append(f"{where}.id: must be a non-empty string")
            continue
        if person.id in people:
            errors.append(f"{where}.id: duplicate attendee id {person.id!r}")
        people.add(person.id)
        if person.max_meetings is not None and (
            not _is_int(person.max_meetings) or person.max_meetings < 0
        ):
            errors.append(
                f"{where}.max_meetings: must be a whole number >= 0 (got {person.max_meetings!r})"
            )
        for key, ids in (("available", person.available or ()), ("busy", person.busy)):
            seen: set[str] = set()
            for position, slot_id in enumerate(ids):
                if slot_id not in slot_ids:
                    errors.append(
                        f"{where}.{key}[{position}]: unknown slot {slot_id!r} "
                        f"(attendee {person.id!r})"
                    )
                elif slot_id in seen:
                    errors.append(
                        f"{where}.{key}[{position}]: slot {slot_id!r} listed twice "
                        f"(attendee {person.id!r})"
                    )
                seen.add(slot_id)
        free = set(slot_ids if person.available is None else person.available) - set(person.busy)
        if not free and problem.slots:
            warnings.append(
                f"attendee {person.id!r} has no free slot (every available slot is busy "
                "or none was offered): no meeting is possible"
            )

    pairs: dict[tuple[str, str], int] = {}
    for index, wish in enumerate(problem.wishes):
        where = f"wishes[{index}]"
        for key, person_id in (("from", wish.source), ("to", wish.target)):
            if person_id not in people:
                errors.append(f"{where}.{key}: unknown attendee {person_id!r}")
        if wish.source == wish.target:
            errors.append(f"{where}: attendee {wish.source!r} cannot wish to meet themselves")
        if wish.weight is not None:
            if not _is_number(wish.weight) or not math.isfinite(wish.weight):
                errors.append(f"{where}.weight: must be a finite number (got {wish.weight!r})")
            elif wish.weight < 0:
                errors.append(
                    f"{where}.weight: must not be negative (got {wish.weight}); "
                    'use kind "no_thanks" to refuse a meeting'
                )
            elif wish.kind is WishKind.NO_THANKS and wish.weight != 0:
                errors.append(f'{where}.weight: a "no_thanks" wish cannot carry a weight')
        key_pair = (wish.source, wish.target)
        if key_pair in pairs:
            errors.append(
                f"{where}: second wish from {wish.source!r} to {wish.target!r} "
                f"(first one is wishes[{pairs[key_pair]}])"
            )
        else:
            pairs[key_pair] = index
    return errors, warnings


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------
# JSON


_TOP_KEYS = {"version", "settings", "tables", "slots", "attendees", "wishes", "description"}
_SETTINGS_KEYS = {"weights", "mutual_bonus", "fairness", "max_meetings"}
_SLOT_KEYS = {"id", "label", "start", "end", "tables"}
_ATTENDEE_KEYS = {"id", "name", "available", "busy", "max_meetings"}
_WISH_KEYS = {"from", "to", "kind", "weight"}


class _Reader:
    """Collects errors while converting parsed JSON into dataclasses."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def check_keys(self, where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.errors.append(
                    f"{where}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})"
                )

    def object(self, where: str, value: Any) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.errors.append(f"{where}: must be an object, got {_json_type(value)}")
            return None
        return value

    def array(self, where: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            self.errors.append(f"{where}: must be an array, got {_json_type(value)}")
            return []
        return value

    def identifier(self, where: str, value: Any) -> str:
        # Integer ids are accepted (database primary keys) and turned into strings.
        if _is_int(value):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.errors.append(f"{where}: must be a non-empty string, got {_json_type(value)}")
            return ""
        return value

    def optional_string(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors.append(f"{where}: must be a string, got {_json_type(value)}")
            return None
        return value

    def number(self, where: str, value: Any) -> float | None:
        if not _is_number(value) or not math.isfinite(value):
            self.errors.append(f"{where}: must be a number, got {_json_type(value)}")
            return None
        return float(value)

    def whole(self, where: str, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _is_int(value):
            self.errors.append(f"{where}: must be a whole number, got {_json_type(value)}")
            return None
        return int(value)

    def id_list(self, where: str, value: Any) -> tuple[str, ...]:
        return tuple(
            self.identifier(f"{where}[{index}]", item)
            for index, item in enumerate(self.array(where, value))
        )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def problem_from_dict(data: Any) -> Problem:
    """Build and validate a :class:`Problem`; raise :class:`ProblemError` listing all errors."""
    reader = _Reader()
    root = reader.object("(top level)", data)
    if root is None:
        raise ProblemError(reader.errors)
    reader.check_keys("(top level)", root, _TOP_KEYS)
    version = root.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        reader.errors.append(
            f"version: only version {FORMAT_VERSION} is supported, got {version!r}"
        )

    settings = Settings()
    raw_settings = root.get("settings", {})
    settings_obj = reader.object("settings", raw_settings)
    if settings_obj is not None:
        reader.check_keys("settings", settings_obj, _SETTINGS_KEYS)
        values: dict[str, Any] = {}
        weights = settings_obj.get("weights", {})
        weights_obj = reader.object("settings.weights", weights)
        if weights_obj is not None:
            reader.check_keys("settings.weights", weights_obj, {"must_meet", "would_like"})
            for key in ("must_meet", "would_like"):
                if key in weights_obj:
                    number = reader.number(f"settings.weights.{key}", weights_obj[key])
                    if number is not None:
                        values[f"{key}_weight"] = number
        for key in ("mutual_bonus", "fairness"):
            if key in settings_obj:
                number = reader.number(f"settings.{key}", settings_obj[key])
                if number is not None:
                    values[key] = number
        if "max_meetings" in settings_obj:
            values["max_meetings"] = reader.whole(
                "settings.max_meetings", settings_obj["max_meetings"]
            )
        settings = Settings(**values)

    tables = 0
    if "tables" not in root:
        reader.errors.append("tables: missing (the number of meeting tables per slot)")
    else:
        tables = reader.whole("tables", root["tables"]) or 0

    slots: list[Slot] = []
    if "slots" not in root:
        reader.errors.append("slots: missing (the list of meeting slots)")
    for index, raw in enumerate(reader.array("slots", root.get("slots", []))):
        where = f"slots[{index}]"
        obj = reader.object(where, raw)
        if obj is None:
            continue
        reader.check_keys(where, obj, _SLOT_KEYS)
        slots.append(
            Slot(
                id=reader.identifier(f"{where}.id", obj.get("id")),
                label=reader.optional_string(f"{where}.label", obj.get("label")) or "",
                start=reader.optional_string(f"{where}.start", obj.get("start")),
                end=reader.optional_string(f"{where}.end", obj.get("end")),
                tables=reader.whole(f"{where}.tables", obj.get("tables")),
            )
        )

    attendees: list[Attendee] = []
    if "attendees" not in root:
        reader.errors.append("attendees: missing (the list of attendees)")
    for index, raw in enumerate(reader.array("attendees", root.get("attendees", []))):
        where = f"attendees[{index}]"
        obj = reader.object(where, raw)
        if obj is None:
            continue
        reader.check_keys(where, obj, _ATTENDEE_KEYS)
        available = obj.get("available")
        attendees.append(
            Attendee(
                id=reader.identifier(f"{where}.id", obj.get("id")),
                name=reader.optional_string(f"{where}.name", obj.get("name")) or "",
                available=None
                if available is None
                else reader.id_list(f"{where}.available", available),
                busy=reader.id_list(f"{where}.busy", obj.get("busy", [])),
                max_meetings=reader.whole(f"{where}.max_meetings", obj.get("max_meetings")),
            )
        )

    wishes: list[Wish] = []
    for index, raw in enumerate(reader.array("wishes", root.get("wishes", []))):
        where = f"wishes[{index}]"
        obj = reader.object(where, raw)
        if obj is None:
            continue
        reader.check_keys(where, obj, _WISH_KEYS)
        for key in ("from", "to"):
            if key not in obj:
                reader.errors.append(f"{where}.{key}: missing")
        weight: float | None = None
        if "weight" in obj:
            weight = reader.number(f"{where}.weight", obj["weight"])
        raw_kind = obj.get("kind")
        kind: WishKind
        if raw_kind is None:
            if weight is None and "weight" not in obj:
                reader.errors.append(
                    f'{where}: needs a "kind" (must_meet, would_like, no_thanks) or a "weight"'
                )
            kind = WishKind.CUSTOM if weight is not None else WishKind.WOULD_LIKE
        else:
            try:
                kind = WishKind(raw_kind)
            except ValueError:
                reader.errors.append(
                    f"{where}.kind: unknown kind {raw_kind!r} "
                    "(use must_meet, would_like or no_thanks)"
                )
                kind = WishKind.WOULD_LIKE
        wishes.append(
            Wish(
                source=reader.identifier(f"{where}.from", obj.get("from")),
                target=reader.identifier(f"{where}.to", obj.get("to")),
                kind=kind,
                weight=weight,
            )
        )

    problem = Problem(
        slots=tuple(slots),
        attendees=tuple(attendees),
        wishes=tuple(wishes),
        tables=tables,
        settings=settings,
    )
    errors, warnings = _validate_problem(problem)
    # Structural errors first; validation may repeat an error on a field that
    # could not be read (e.g. an empty id), so keep each message once.
    all_errors = list(dict.fromkeys(reader.errors + errors))
    if all_errors:
        raise ProblemError(all_errors)
    return Problem(
        slots=problem.slots,
        attendees=problem.attendees,
        wishes=problem.wishes,
        tables=problem.tables,
        settings=settings,
        warnings=tuple(warnings),
    )


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file; raise :class:`ProblemError` on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ProblemError([f"{path}: cannot read the file ({error.strerror})"]) from error
    if size > MAX_FILE_BYTES:
        raise ProblemError(
            [
                f"{path}: file is {size // 2**20} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB "
                "allowed"
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ProblemError(
            [f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]
        ) from error
    except OSError as error:
        raise ProblemError([f"{path}: cannot read the file ({error.strerror})"]) from error
    return loads_problem(text, source=str(path))


def loads_problem(text: str, *, source: str = "input") -> Problem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            [f"{source}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
        ) from error
    return problem_from_dict(data)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    settings = problem.settings
    data: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "settings": {
            "weights": {
                "must_meet": settings.must_meet_weight,
                "would_like": settings.would_like_weight,
            },
            "mutual_bonus": settings.mutual_bonus,
            "fairness": settings.fairness,
        },
        "tables": problem.tables,
        "slots": [],
        "attendees": [],
        "wishes": [],
    }
    if settings.max_meetings is not None:
        data["settings"]["max_meetings"] = settings.max_meetings
    for slot in problem.slots:
        slot_data: dict[str, Any] = {"id": slot.id}
        for key in ("label", "start", "end", "tables"):
            value = getattr(slot, key)
            if value not in (None, ""):
                slot_data[key] = value
        data["slots"].append(slot_data)
    for person in problem.attendees:
        person_data: dict[str, Any] = {"id": person.id}
        if person.name:
            person_data["name"] = person.name
        if person.available is not None:
            person_data["available"] = list(person.available)
        if person.busy:
            person_data["busy"] = list(person.busy)
        if person.max_meetings is not None:
            person_data["max_meetings"] = person.max_meetings
        data["attendees"].append(person_data)
    for wish in problem.wishes:
        wish_data: dict[str, Any] = {"from": wish.source, "to": wish.target}
        if wish.kind is not WishKind.CUSTOM:
            wish_data["kind"] = wish.kind.value
        if wish.weight is not None:
            wish_data["weight"] = wish.weight
        data["wishes"].append(wish_data)
    return data


def dump_problem(problem: Problem, path: str | Path) -> None:
    Path(path).write_text(json.dumps(problem_to_dict(problem), ensure_ascii=False) + "\n", "utf-8")


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "solver": solution.solver,
        "status": solution.status,
        "seconds": round(solution.seconds, 3),
        "total_weight": _round(solution.total_weight),
        "objective": _round(solution.objective),
        "upper_bound": _round(solution.upper_bound),
        "gap": round(solution.gap, 6),
        "weight_upper_bound": _round(solution.weight_upper_bound),
        "meeting_count": len(solution.meetings),
        "meetings": [
            {"a": m.a, "b": m.b, "slot": m.slot, "table": m.table, "weight": _round(m.weight)}
            for m in solution.meetings
        ],
        "meetings_per_attendee": dict(solution.meetings_per_attendee),
        "unmet_wishes": [
            {
                "from": u.source,
                "to": u.target,
                "kind": u.kind.value,
                "weight": _round(u.weight),
                "reason": u.reason,
            }
            for u in solution.unmet_wishes
        ],
        "notes": list(solution.notes),
    }


def solution_from_dict(data: Mapping[str, Any]) -> Solution:
    """Read back what :func:`solution_to_dict` wrote (no validation beyond types)."""
    return Solution(
        meetings=[
            Meeting(
                a=str(m["a"]),
                b=str(m["b"]),
                slot=str(m["slot"]),
                table=int(m["table"]),
                weight=float(m["weight"]),
            )
            for m in data["meetings"]
        ],
        total_weight=float(data["total_weight"]),
        objective=float(data["objective"]),
        upper_bound=float(data["upper_bound"]),
        weight_upper_bound=float(data["weight_upper_bound"]),
        solver=str(data["solver"]),
        status=str(data["status"]),
        seconds=float(data["seconds"]),
        meetings_per_attendee={str(k): int(v) for k, v in data["meetings_per_attendee"].items()},
        unmet_wishes=[
            UnmetWish(
                source=str(u["from"]),
                target=str(u["to"]),
                kind=WishKind(u["kind"]),
                weight=float(u["weight"]),
                reason=str(u["reason"]),
            )
            for u in data["unmet_wishes"]
        ],
        notes=[str(n) for n in data.get("notes", [])],
    )


def dump_solution(solution: Solution, path: str | Path) -> None:
    Path(path).write_text(
        json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=1) + "\n", "utf-8"
    )


def _round(value: float) -> float:
    return round(value, 6)


def slot_index(slots: Iterable[Slot]) -> dict[str, int]:
    return {slot.id: index for index, slot in enumerate(slots)}
