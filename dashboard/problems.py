"""What is wrong with a record: :class:`Problem` (file, row, field, message) and the
:class:`Collector` that gathers them while a record loads. Nothing here imports streamlit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# A check that fails on many rows reports the first few and counts the rest.
MAX_PROBLEMS_PER_CHECK = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record file. ``row`` is the spreadsheet row (header = 1)."""

    file: str
    row: int | None
    field: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{self.severity}: {where}: {self.message}"


class RecordError(Exception):
    """The folder cannot be read as a record; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class Collector:
    """Collects problems, capping repeats of one check so a huge bad file stays readable."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        file: str,
        row: int | None,
        fld: str | None,
        message: str,
        severity: Severity = "error",
    ) -> None:
        self.problems.append(Problem(file, row, fld, message, severity))

    def rows(
        self,
        file: str,
        rows: Sequence[int],
        fld: str,
        message: Callable[[int], str],
        severity: Severity = "error",
    ) -> None:
        """Report rows (spreadsheet numbers); ``message(i)`` words the i-th, for the first few."""
        for i, row in enumerate(rows[:MAX_PROBLEMS_PER_CHECK]):
            self.add(file, int(row), fld, message(i), severity)
        extra = len(rows) - MAX_PROBLEMS_PER_CHECK
        if extra > 0:
            self.add(file, None, fld, f"... and {extra} more rows with the same problem", severity)


def show(value: object, limit: int = 60) -> str:
    """A cell as messages quote it: repr of its text, cut at ``limit`` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)
