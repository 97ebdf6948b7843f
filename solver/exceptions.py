"""Errors raised by the solver package."""


class SolverError(Exception):
    """Base class for solver errors."""


class ScalingOverflowError(SolverError):
    """Scores cannot be scaled to integers without risking int64 overflow."""


class SolverInputError(SolverError):
    """The arrays handed to the solver are inconsistent (shapes, indices, capacities)."""
