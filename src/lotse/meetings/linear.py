"""A thin sparse-LP/MIP layer over OR-Tools' model builder (HiGHS, GLOP, SCIP inside).

OR-Tools ships its own HiGHS, and the ``highspy`` wheel's HiGHS cannot be loaded
in the same process (both export ``libhighs.so.1``), so HiGHS is used through
OR-Tools and one dependency covers CP-SAT, HiGHS and GLOP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def ortools_available() -> bool:
    try:
        from ortools.linear_solver.python import model_builder_helper  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    return True


@dataclass
class LinearResult:
    status: str  # optimal | feasible | infeasible | failed
    objective: float
    bound: float  # best proven bound (maximisation: an upper bound)
    values: list[float]


@dataclass
class SparseModel:
    """Maximise ``cost · x`` subject to ``row_lb <= A x <= row_ub``, ``lb <= x <= ub``."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[list[int], list[float], float, float]] = field(default_factory=list)

    def add_columns(
        self,
        count: int,
        *,
        cost: list[float],
        lower: float = 0.0,
        upper: float = 1.0,
        integer: bool = False,
    ) -> int:
        first = len(self.cost)
        self.lower.extend([lower] * count)
        self.upper.extend([upper] * count)
        self.cost.extend(cost)
        self.integer.extend([integer] * count)
        return first

    def add_row(
        self,
        columns: list[int],
        coefs: list[float],
        *,
        lower: float = -math.inf,
        upper: float = math.inf,
    ) -> None:
        self.rows.append((columns, coefs, lower, upper))

    def solve(
        self,
        solver: str,
        *,
        time_limit: float,
        hint: list[float] | None = None,
        relative_gap: float | None = None,
    ) -> LinearResult:
        import numpy as np
        from ortools.linear_solver.python import model_builder_helper as mbh

        helper = mbh.ModelBuilderHelper()
        n = len(self.cost)
        indices = helper.add_var_array_with_bounds(
            np.array(self.lower, dtype=np.float64),  # type: ignore[arg-type]
            np.array(self.upper, dtype=np.float64),  # type: ignore[arg-type]
            np.array(self.integer, dtype=bool),  # type: ignore[arg-type]
            "x",
        )
        variables = [mbh.Variable(helper, int(index)) for index in indices]
        helper.set_objective_coefficients([int(i) for i in indices], self.cost)
        helper.set_maximize(True)
        for columns, coefs, lower, upper in self.rows:
            row = helper.add_linear_constraint()
            helper.set_constraint_lower_bound(row, lower)
            helper.set_constraint_upper_bound(row, upper)
            helper.add_terms_to_constraint(row, [variables[c] for c in columns], coefs)
        if hint is not None:
            for column, value in enumerate(hint):
                helper.add_hint(column, value)  # a partial hint crashes HiGHS
        solver_helper = mbh.ModelSolverHelper(solver)
        solver_helper.set_time_limit_in_seconds(max(0.1, time_limit))
        parameters = []
        if solver.startswith("highs"):
            # HiGHS refuses "threads" here once its scheduler runs; it uses the cores anyway.
            parameters.append("output_flag=false")
            if relative_gap is not None:
                parameters.append(f"mip_rel_gap={relative_gap}")
        if parameters:
            solver_helper.set_solver_specific_parameters("\n".join(parameters))
        solver_helper.solve(helper)
        status = solver_helper.status()
        names = {
            mbh.SolveStatus.OPTIMAL: "optimal",
            mbh.SolveStatus.FEASIBLE: "feasible",
            mbh.SolveStatus.INFEASIBLE: "infeasible",
        }
        name = names.get(status, "failed")
        if not solver_helper.has_solution():
            return LinearResult(
                status=name if name == "infeasible" else "failed",
                objective=-math.inf,
                bound=math.inf,
                values=[0.0] * n,
            )
        values = solver_helper.variable_values().tolist()
        objective = float(solver_helper.objective_value())
        bound = float(solver_helper.best_objective_bound())
        if name == "optimal" and not any(self.integer):
            bound = objective  # an LP optimum is its own bound
        if math.isnan(bound):
            bound = math.inf
        return LinearResult(status=name, objective=objective, bound=bound, values=values)
