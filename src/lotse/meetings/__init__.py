"""The 1:1 meeting optimiser for conferences (plain Python, no Django models).

    from lotse.meetings import load_problem, solve
    solution = solve(load_problem("input.json"), method="auto", time_limit=60)

See docs/meetings-format.md (file format) and docs/meetings-optimiser.md (method).
"""

from .problem import (
    Attendee,
    Meeting,
    Problem,
    ProblemError,
    Settings,
    Slot,
    Solution,
    UnmetWish,
    Wish,
    WishKind,
    dump_problem,
    dump_solution,
    load_problem,
    loads_problem,
    problem_from_dict,
    problem_to_dict,
    solution_from_dict,
    solution_to_dict,
)
from .solver import METHODS, solve
from .verify import verify

__all__ = [
    "METHODS",
    "Attendee",
    "Meeting",
    "Problem",
    "ProblemError",
    "Settings",
    "Slot",
    "Solution",
    "UnmetWish",
    "Wish",
    "WishKind",
    "dump_problem",
    "dump_solution",
    "load_problem",
    "loads_problem",
    "problem_from_dict",
    "problem_to_dict",
    "solution_from_dict",
    "solution_to_dict",
    "solve",
    "verify",
]
