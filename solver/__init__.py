"""Optimal assignment of participants to slots: arrays in, result out.

The only package that imports OR-Tools (in :mod:`solver.flow`). Pure: no I/O, no printing.
"""

from solver.exceptions import ScalingOverflowError, SolverError, SolverInputError
from solver.flow import solve_assignment
from solver.result import AssignmentResult, SolveStatus
from solver.scaling import ScaledScores, scale_scores

__all__ = [
    "AssignmentResult",
    "ScaledScores",
    "ScalingOverflowError",
    "SolveStatus",
    "SolverError",
    "SolverInputError",
    "scale_scores",
    "solve_assignment",
]
