"""Errors raised by the matching package.

Every error a user can cause carries enough context (file, row, column or JSON path) to be fixed
without reading a traceback. HTTP status codes are chosen in ``service/``, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class MatchingError(Exception):
    """Base class for matching errors."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is and what is wrong.

    ``row`` is the 1-based data row (the header is row 0), or ``None`` when the problem concerns
    a whole column or file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class InputError(MatchingError):
    """The input data breaks the contract. Holds every problem found (up to a limit)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{len(self.problems)} problem(s) in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class ConfigError(MatchingError):
    """``rules.toml`` (or another setting) is invalid; the message names the key."""


class FeasibilityError(MatchingError):
    """The independent checker found a proposal that breaks a rule.

    Attributes
    ----------
    violations : list of (code, detail) tuples, one per broken rule instance.
    """

    def __init__(self, violations: list[tuple[str, str]]):
        self.violations = violations
        lines = [f"{code}: {detail}" for code, detail in violations[:20]]
        more = f"\n  ... and {len(violations) - 20} more" if len(violations) > 20 else ""
        super().__init__("the proposal breaks rules:\n  " + "\n  ".join(lines) + more)
