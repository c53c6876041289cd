"""Runs a file's schema (``dashboard.schema``) on its text rows: parses each column to the
schema's type, validates with pandera, and turns every failing cell into a :class:`Problem`
naming file, spreadsheet row and field. Rows with an error are left out; each is reported.

Each cell gets at most one problem, the first in the schema's order: columns in order, and for
each its parsing, its checks, emptiness, then uniqueness; a row check comes after the last column
it reads. A check that fails on many rows reports the first few and counts the rest.

The schema's row checks are run on just the columns they read: pandera reports a failing row
check once for every column of the frame it is given.

Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import numpy_engine, pandas_engine

from dashboard.problems import Collector, show
from dashboard.schema import DATE, columns

_PARSE, _CHECK, _EMPTY, _UNIQUE, _ROW_CHECK = range(5)


@dataclass
class _Failure:
    """Cells that failed one check: ``positions`` in the frame, ``message(position)``."""

    field: str
    rank: tuple[float, int, int]
    positions: np.ndarray
    message: Callable[[int], str]


def conform(
    name: str, text: pd.DataFrame, schema: pa.DataFrameSchema, out: Collector
) -> pd.DataFrame:
    """The rows of ``text`` (strings, NA where empty, ``_row``; from ``dashboard.readers``)
    that pass ``schema``, typed, with every column of the schema: required ones, then optional
    ones (empty where the file has not got them; text is "" where empty), then ``row``."""
    order = {col: i for i, col in enumerate(schema.columns)}
    failures: list[_Failure] = []
    parsed = {
        col: _parse(col, text[col], column.dtype, order[col], failures)
        for col, column in schema.columns.items()
        if col in text
    }
    typed = pd.DataFrame(parsed, index=text.index)
    failures += _column_failures(name, text, typed, schema, order, out)
    for i, check in enumerate(schema.checks):
        failures += _row_check_failures(text, typed, check, i, order)
    bad = _report(name, text, failures, schema, out)
    keep = typed[~bad].reset_index(drop=True) if bad.any() else typed
    for col, column in schema.columns.items():
        if col not in keep:
            keep[col] = pd.Series(index=keep.index, dtype=_output_dtype(column.dtype))
        if column.dtype is None:  # text
            keep[col] = keep[col].fillna("")
    keep = keep[_output_columns(schema)]
    keep["row"] = text["_row"].to_numpy()[~bad]
    return keep


def empty_frame(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """What ``conform`` returns for a file with no rows (or none at all)."""
    empty = {
        c: pd.Series(dtype=_output_dtype(schema.columns[c].dtype)) for c in _output_columns(schema)
    }
    return pd.DataFrame({**empty, "row": pd.Series(dtype="int64")})


def _output_columns(schema: pa.DataFrameSchema) -> list[str]:
    """Required columns, then optional ones, then the others (cities' coordinates)."""
    ordered = [*columns(schema, required=True), *columns(schema, required=False)]
    return ordered + [c for c in schema.columns if c not in ordered]


# --------------------------------------------------------------------------- parsing


def _output_dtype(dtype: Any) -> str:
    """The pandas dtype a column of the schema's ``dtype`` has once parsed."""
    if isinstance(dtype, pandas_engine.DateTime):
        return DATE
    return "str" if dtype is None else str(dtype)


def _parse(
    col: str, cells: pd.Series, dtype: Any, rank: int, failures: list[_Failure]
) -> pd.Series:
    """``cells`` as ``dtype``: dates, whole numbers and decimal numbers are parsed, and text
    that does not parse is a failure (the cell is then empty); other types, and cells that
    are not text (cities' coordinates), are kept."""
    if not isinstance(cells.dtype, pd.StringDtype):
        return cells
    if isinstance(dtype, pandas_engine.DateTime):
        values, bad = _dates(cells)
        failures.append(
            _fail(col, (rank, _PARSE, 0), bad, cells, "is not a date in YYYY-MM-DD form")
        )
    elif isinstance(dtype, pandas_engine.INT64):
        values, fraction, other = _whole_numbers(cells)
        failures.append(_fail(col, (rank, _PARSE, 0), fraction, cells, "is not a whole number"))
        failures.append(_fail(col, (rank, _PARSE, 1), other, cells, "is not a number"))
    elif isinstance(dtype, numpy_engine.Float64):
        values = _decimal_numbers(cells)
        bad = cells.notna().to_numpy() & values.isna().to_numpy()
        failures.append(_fail(col, (rank, _PARSE, 0), bad, cells, "is not a number"))
    else:
        values = cells
    return values


def _fail(
    col: str, rank: tuple[float, int, int], mask: np.ndarray, cells: pd.Series, what: str
) -> _Failure:
    return _Failure(col, rank, np.flatnonzero(mask), lambda pos: f"{show(cells.iloc[pos])} {what}")


def _dates(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    shape = cells.str.fullmatch(r"\d{4}-\d{2}-\d{2}").astype(bool)
    filled = cells.notna().to_numpy()
    if shape.to_numpy()[filled].all():
        try:  # the usual case, fast: pyarrow's own cast
            parsed = cells.astype("timestamp[us][pyarrow]").astype(DATE)
            return parsed, np.zeros(len(cells), dtype=bool)
        except (ValueError, TypeError):  # a day that does not exist (2022-02-30)
            pass
    parsed = pd.to_datetime(cells.where(shape), format="%Y-%m-%d", errors="coerce").astype(DATE)
    return parsed, filled & parsed.isna().to_numpy()


def _whole_numbers(cells: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Whole numbers (``-3`` and ``3.0`` too), and which cells are fractions or not numbers."""
    filled = cells.notna().to_numpy()
    if cells.str.fullmatch(r"-?\d{1,18}").astype(bool).to_numpy()[filled].all():
        # the usual case, fast: pyarrow's own cast
        none = np.zeros(len(cells), dtype=bool)
        return cells.astype("int64[pyarrow]").astype("Int64"), none, none
    whole = cells.str.fullmatch(r"-?\d+(\.0*)?").astype(bool).to_numpy()
    fraction = filled & ~whole & cells.str.fullmatch(r"-?\d*\.\d+").astype(bool).to_numpy()
    numbers = pd.to_numeric(cells.where(whole), errors="coerce").astype("float64")
    values = numbers.clip(-(2.0**62), 2.0**62).round().astype("Int64")
    return values, fraction, filled & ~whole & ~fraction


def _decimal_numbers(cells: pd.Series) -> pd.Series:
    """Text to float64, NaN where it is not a number: pyarrow's cast when every cell is a
    plain decimal number (fast), else pandas' slower but lenient ``to_numeric``."""
    if cells.str.fullmatch(r"-?\d+(\.\d+)?").all():
        return cells.astype("float64[pyarrow]").astype("float64")
    return pd.to_numeric(cells, errors="coerce").astype("float64")


# --------------------------------------------------------------------------- pandera


def _failure_cases(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def _column_failures(
    name: str,
    text: pd.DataFrame,
    typed: pd.DataFrame,
    schema: pa.DataFrameSchema,
    order: dict[str, int],
    out: Collector,
) -> list[_Failure]:
    cases = _failure_cases(pa.DataFrameSchema(schema.columns, name=schema.name), typed)
    if cases is None:
        return []
    failures = []
    unit = (schema.metadata or {}).get("row", "row")
    keys = ["column", "check", "check_number"]
    for (name_, check_name, _), group in cases.groupby(keys, sort=False, dropna=False):
        col = str(name_)
        column = schema.columns[col]
        positions = group["index"].dropna().to_numpy(dtype=np.int64)
        numbered = group["check_number"].dropna()  # a check of the schema's, not pandera's own
        if len(numbered):
            number = int(numbered.iloc[0])
            rank = (order[col], _CHECK, number)
            message = _templated(column.checks[number], col, text, typed)
        elif check_name == "not_nullable":
            rank, message = (order[col], _EMPTY, 0), lambda pos: "is empty"
        elif check_name == "field_uniqueness":
            rank = (order[col], _UNIQUE, 0)
            message = _duplicate(col, text, typed, unit)
        else:  # about the whole column (its type): reported, no row is left out
            shown = ", ".join(str(c) for c in group["failure_case"])
            out.add(name, None, col, f"failed {check_name}: {shown}")
            continue
        failures.append(_Failure(col, rank, positions, message))
    return failures


def _row_check_failures(
    text: pd.DataFrame, typed: pd.DataFrame, check: pa.Check, i: int, order: dict[str, int]
) -> list[_Failure]:
    read = (check.statistics or {})["columns"]
    if not all(c in typed for c in read):
        return []
    cases = _failure_cases(pa.DataFrameSchema(checks=[check]), typed[read])
    if cases is None:
        return []
    positions = np.unique(cases["index"].dropna().to_numpy(dtype=np.int64))
    field = (check.statistics or {})["field"]
    rank = (max(order[c] for c in read), _ROW_CHECK, i)
    return [_Failure(field, rank, positions, _templated(check, field, text, typed))]


def _templated(
    check: pa.Check, col: str, text: pd.DataFrame, typed: pd.DataFrame
) -> Callable[[int], str]:
    """The check's message for the cell at a position (see ``dashboard.schema``)."""
    details = (check.statistics or {}).get("details")

    def message(pos: int) -> str:
        raw = text[col].iloc[pos] if col in text else ""
        raw = "" if not isinstance(raw, str | tuple) else raw
        fields = {**typed.iloc[pos].to_dict(), "value": show(raw), "raw": raw}
        if details is not None:
            fields.update(details(raw))
        return str(check.error).format_map(fields)

    return message


def _duplicate(
    col: str, text: pd.DataFrame, typed: pd.DataFrame, unit: str
) -> Callable[[int], str]:
    values = typed[col]
    firsts = ~values.duplicated()
    first = dict(zip(values[firsts], text["_row"][firsts], strict=True))
    return lambda pos: (
        f"duplicate id {show(values.iloc[pos])} (first used in {unit} {first[values.iloc[pos]]})"
    )


# --------------------------------------------------------------------------- problems


def _report(
    name: str,
    text: pd.DataFrame,
    failures: list[_Failure],
    schema: pa.DataFrameSchema,
    out: Collector,
) -> np.ndarray:
    """Reports each failing cell once (the first failure in rank order); returns which rows
    are left out."""
    bad = np.zeros(len(text), dtype=bool)
    reported: dict[str, np.ndarray] = {}
    rows = text["_row"].to_numpy()
    prefix = (schema.metadata or {}).get("row")
    for failure in sorted(failures, key=lambda f: f.rank):
        done = reported.get(failure.field, np.array([], dtype=np.int64))
        positions = np.setdiff1d(failure.positions, done)
        if not len(positions):
            continue
        reported[failure.field] = np.union1d(done, positions)
        bad[positions] = True

        def message(i: int, failure: _Failure = failure, positions: np.ndarray = positions) -> str:
            text_ = failure.message(int(positions[i]))
            return f"{prefix} {rows[positions[i]]}: {text_}" if prefix else text_

        out.rows(name, rows[positions].tolist(), failure.field, message)
    return bad
