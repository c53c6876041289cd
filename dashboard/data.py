"""Load and validate a Qantar Map record folder.

A record folder holds ``cities.geojson``, ``events.csv``, ``sources.csv`` and optionally
``figures.csv`` and ``record.json`` (see geodata/README.md). ``load_record`` reads it into typed
frames and a list of :class:`Problem` entries, each naming file, row and field.

Two kinds of problem:

* fatal: the folder cannot be read as a record at all (a missing or unreadable file, malformed
  GeoJSON, a missing required column). ``load_record`` raises :class:`RecordError` listing them.
* row-level: one row is bad (a bad date, an unknown city...). That row is left out of the
  record and the problem says so; every good row is kept.

Nothing here imports streamlit.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "geodata"
DATA_DIR_ENV = "QANTAR_DATA_DIR"

CATEGORIES: tuple[str, ...] = ("protest", "riot", "crackdown", "government response", "context")
SCOPES: tuple[str, ...] = ("local", "national")
PRECISIONS: tuple[int, ...] = (1, 2, 3)

# Kazakhstan's extent with a small margin, as (west, south, east, north).
KAZAKHSTAN_BBOX: tuple[float, float, float, float] = (46.4, 40.5, 87.4, 55.5)
DEFAULT_PERIOD: tuple[date, date] = (date(2021, 12, 28), date(2022, 1, 31))

MAX_FILE_BYTES = 512 * 1024 * 1024
# CSV files this big are parsed by pyarrow first (see _read_big_csv).
FAST_CSV_BYTES = 8 * 1024 * 1024
MAX_PROBLEMS_PER_CHECK = 20

CITIES_FILE = "cities.geojson"
EVENTS_FILE = "events.csv"
SOURCES_FILE = "sources.csv"
FIGURES_FILE = "figures.csv"
PERIODS_FILE = "periods.csv"
SETTINGS_FILE = "record.json"

PERIOD_KINDS: tuple[str, ...] = ("internet blackout", "state of emergency", "curfew")
PERIOD_REQUIRED = ("period_id", "kind", "label", "start", "end", "scope", "source_ids")
PERIOD_OPTIONAL = ("notes",)

EVENT_REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "city_id",
    "category",
    "source_ids",
)
EVENT_OPTIONAL = ("disorder_type", "actor1", "actor2", "scope")
SOURCE_REQUIRED = ("source_id", "outlet", "title")
SOURCE_OPTIONAL = ("author", "published", "published_note", "url", "seed_file")
FIGURE_REQUIRED = (
    "figure_id",
    "kind",
    "label",
    "value",
    "unit",
    "scope",
    "as_of",
    "claimed_by",
    "source_ids",
)
FIGURE_OPTIONAL = (
    "value_max",
    "qualifier",
    "as_of_precision",
    "claimant_type",
    "notes",
)

Severity = Literal["error", "warning"]


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


@dataclass(frozen=True)
class RecordSettings:
    """Per-record settings from the optional ``record.json``."""

    title: str = "January 2022 unrest in Kazakhstan"
    period: tuple[date, date] = DEFAULT_PERIOD
    bbox: tuple[float, float, float, float] = KAZAKHSTAN_BBOX
    region_name: str = "Kazakhstan"


@dataclass(frozen=True)
class Record:
    """A validated record. Frames are shared between sessions: never mutate them."""

    cities: gpd.GeoDataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    figures: pd.DataFrame
    periods: pd.DataFrame
    settings: RecordSettings
    version: str
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def data_dir_from_env() -> Path:
    """The record folder: ``$QANTAR_DATA_DIR`` if set, else the bundled ``geodata/``."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_DATA_DIR


def record_files(data_dir: Path) -> list[Path]:
    """The files that make up a record, in a fixed order (those that exist)."""
    names = (SETTINGS_FILE, CITIES_FILE, EVENTS_FILE, SOURCES_FILE, FIGURES_FILE, PERIODS_FILE)
    return [data_dir / n for n in names if (data_dir / n).is_file()]


def fingerprint(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: (name, size, mtime) of each record file."""
    out = []
    for path in record_files(data_dir):
        st = path.stat()
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


# --------------------------------------------------------------------------- reading files


class _Collector:
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
        rows: np.ndarray,
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

    @property
    def fatal(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _show(value: object, limit: int = 60) -> str:
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def _check_size_and_encoding(path: Path, out: _Collector) -> bool:
    """Size, emptiness, BOM and UTF-8 checks. True when the file can be parsed."""
    name = path.name
    if not path.is_file():
        out.add(name, None, None, "file is missing")
        return False
    size = path.stat().st_size
    if size == 0:
        out.add(name, None, None, "file is empty")
        return False
    if size > MAX_FILE_BYTES:
        out.add(
            name,
            None,
            None,
            f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES / 2**20:.0f} MiB limit",
        )
        return False
    with path.open("rb") as fh:
        head = fh.read(3)
    if head == b"\xef\xbb\xbf":
        out.add(
            name, None, None, "file starts with a UTF-8 byte-order mark; read anyway", "warning"
        )
    bad = _first_non_utf8(path)
    if bad is not None:
        line, byte = bad
        out.add(name, line, None, f"file is not UTF-8 text (byte 0x{byte:02x} on line {line})")
        return False
    return True


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte) of the first byte that is not valid UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line, 0
    return None


def _parse_csv(path: Path, engine: Literal["c", "pyarrow"]) -> pd.DataFrame:
    # Blank lines are kept as rows (dropped later) so that row numbers stay those of a
    # spreadsheet, which shows them.
    return pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        on_bad_lines="warn",
        skip_blank_lines=False,
        engine=engine,
    )


def _read_big_csv(path: Path) -> pd.DataFrame | None:
    """A big file read by pyarrow's parser (about three times faster than pandas' own on a
    million rows), or None when that parser rejects the file or warns about any line: pandas'
    parser then reads it again, for messages that give line numbers."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = _parse_csv(path, "pyarrow")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            return None
    return None if caught else frame


def _read_csv(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    out: _Collector,
) -> pd.DataFrame | None:
    """Read a CSV as strings. Adds a ``_row`` column (spreadsheet row, header = 1)."""
    name = path.name
    if not _check_size_and_encoding(path, out):
        return None
    frame = _read_big_csv(path) if path.stat().st_size >= FAST_CSV_BYTES else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if frame is None:
                frame = _parse_csv(path, "c")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            out.add(name, None, None, f"not a readable CSV file: {str(exc).strip()}")
            return None
    skipped: list[int] = []
    for w in caught:
        for m in re.finditer(r"Skipping line (\d+): (.*)", str(w.message)):
            skipped.append(int(m.group(1)))
            out.add(name, int(m.group(1)), None, f"row left out: {m.group(2).strip()}")
    frame.columns = [str(c).strip() for c in frame.columns]
    with path.open(encoding="utf-8-sig", newline="") as fh:  # pandas renames a repeated "x" "x.1"
        header = [c.strip() for c in next(csv.reader(fh), [])]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for col in dupes:
        out.add(name, 1, col, "column appears more than once")
    missing = [c for c in required if c not in frame.columns]
    for col in missing:
        out.add(name, 1, col, "required column is missing")
    if missing or dupes:
        return None
    known = set(required) | set(optional)
    for col in frame.columns:
        if col not in known:
            out.add(name, 1, col, "unknown column, ignored", "warning")
    for col in optional:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame[list(required) + list(optional)].copy()
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    rows = np.arange(len(frame)) + 2
    if skipped:
        skipped_arr = np.sort(np.array(skipped))
        # Each data row sits one line further down for every skipped line above it.
        for _ in range(2):
            rows = np.arange(len(frame)) + 2 + np.searchsorted(skipped_arr, rows, side="right")
    frame["_row"] = rows
    empty = frame[required[0]] == ""
    if empty.any():
        empty[empty] = frame.loc[empty, list(required) + list(optional)].eq("").all(axis=1)
    if empty.any():
        first = int(frame.loc[empty, "_row"].iloc[0])
        out.add(
            name,
            first,
            None,
            f"{int(empty.sum())} empty row(s) ignored, the first is row {first}",
            "warning",
        )
        frame = frame[~empty].reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------- column checks


class _RowChecks:
    """Vectorised checks on one string frame; remembers which rows failed."""

    def __init__(self, name: str, frame: pd.DataFrame, out: _Collector) -> None:
        self.name = name
        self.frame = frame
        self.out = out
        self.bad = np.zeros(len(frame), dtype=bool)

    def fail(
        self,
        mask: np.ndarray | pd.Series,
        fld: str,
        message: str | Callable[[Any], str],
        values: pd.Series | None = None,
    ) -> None:
        """Mark rows in ``mask`` bad. A callable message gets the failing row's value of
        ``values`` (default: the field's column); it is called only for rows reported."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        positions = np.flatnonzero(mask)
        rows = self.frame["_row"].to_numpy()[positions]
        if isinstance(message, str):
            text = message
            self.out.rows(self.name, rows, fld, lambda i: text)
            return
        column = (self.frame[fld] if values is None else values).to_numpy()
        self.out.rows(self.name, rows, fld, lambda i: message(column[positions[i]]))

    def not_empty(self, fld: str) -> None:
        self.fail(self.frame[fld] == "", fld, "is empty")

    def unique(self, fld: str) -> None:
        col = self.frame[fld]
        dup = col.duplicated(keep="first") & (col != "")
        if dup.any():
            first_row = dict(zip(col[~dup], self.frame["_row"][~dup], strict=False))
            self.fail(
                dup, fld, lambda v: f"duplicate id {_show(v)} (first used in row {first_row[v]})"
            )

    def one_of(self, fld: str, allowed: Iterable[str], allow_empty: bool = False) -> None:
        allowed = list(allowed)
        col = self.frame[fld]
        ok = col.isin(allowed) | ((col == "") if allow_empty else False)
        shown = ", ".join(allowed)
        self.fail(~ok, fld, lambda v: f"{_show(v)} is not one of: {shown}")

    def iso_dates(
        self, fld: str, period: tuple[date, date] | None, allow_empty: bool = False
    ) -> pd.Series:
        col = self.frame[fld]
        shape_ok = col.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        parsed = pd.to_datetime(col.where(shape_ok), format="%Y-%m-%d", errors="coerce")
        empty = col == ""
        if allow_empty:
            bad = ~empty & parsed.isna()
        else:
            self.fail(empty, fld, "is empty")
            bad = ~empty & parsed.isna()
        self.fail(bad, fld, lambda v: f"{_show(v)} is not a date in YYYY-MM-DD form")
        if period is not None:
            lo, hi = pd.Timestamp(period[0]), pd.Timestamp(period[1])
            outside = parsed.notna() & ((parsed < lo) | (parsed > hi))
            self.fail(
                outside,
                fld,
                lambda v: f"{v} is outside the record period {period[0]} to {period[1]}",
            )
        return parsed

    def whole_numbers(
        self, fld: str, allow_empty: bool, allowed: tuple[int, ...] | None = None
    ) -> pd.Series:
        col = self.frame[fld]
        empty = col == ""
        digits = col.str.fullmatch(r"\d+")
        if not allow_empty:
            self.fail(empty, fld, "is empty")
        if digits.all() and col.str.len().max() <= 18:  # the usual case, fast: fits in int64
            values = col.astype("int64")
        else:
            values = self._other_numbers(col, fld, empty, digits)
        if allowed is not None:
            outside = values.notna() & ~values.isin(allowed)
            shown = ", ".join(str(a) for a in allowed)
            self.fail(outside, fld, lambda v: f"{_show(v)} is not one of: {shown}")
        too_big = values.notna() & (values > 2**31)
        self.fail(too_big, fld, lambda v: f"{_show(v)} is implausibly large")
        return values.astype("Int64")

    def _other_numbers(
        self, col: pd.Series, fld: str, empty: pd.Series, digits: pd.Series
    ) -> pd.Series:
        """whole_numbers for a column that is not all digits: flags what is not a whole
        number; returns the values (NaN where flagged or empty)."""
        negative = col.str.fullmatch(r"-\s*\d+(\.\d+)?")
        fraction = col.str.fullmatch(r"\d*\.\d+") & ~col.str.fullmatch(r"\d+\.0*")
        whole_float = col.str.fullmatch(r"\d+\.0*")
        self.fail(negative, fld, lambda v: f"{_show(v)} is negative")
        self.fail(fraction, fld, lambda v: f"{_show(v)} is not a whole number")
        other = ~empty & ~digits & ~negative & ~fraction & ~whole_float
        self.fail(other, fld, lambda v: f"{_show(v)} is not a number")
        return pd.to_numeric(col.where(digits | whole_float), errors="coerce")

    def refs(self, fld: str, valid: Iterable[str], what: str) -> None:
        """``fld`` holds ``;``-separated ids that must all be in ``valid``."""
        col = self.frame[fld]
        self.fail(col == "", fld, "is empty")
        valid_set = set(valid)
        # Few distinct values in many rows: split each distinct value once.
        distinct = pd.Series(col.unique())
        exploded = distinct.str.split(";").explode().str.strip()
        unknown = exploded[(exploded != "") & ~exploded.isin(valid_set)]
        if len(unknown):
            first_of_distinct = unknown.groupby(level=0).first()
            first_by_value = pd.Series(
                first_of_distinct.to_numpy(), index=distinct[first_of_distinct.index].to_numpy()
            )
            in_rows = col[col.isin(first_by_value.index)]
            first_unknown = in_rows.map(first_by_value)
            mask = np.zeros(len(col), dtype=bool)
            mask[self.frame.index.get_indexer(first_unknown.index)] = True
            first = first_unknown.reindex(self.frame.index)
            self.fail(mask, fld, lambda v: f"{_show(v)} is not a known {what}", first)

    def scope_and_sources(self, cities: gpd.GeoDataFrame, sources: pd.DataFrame) -> None:
        """``scope`` is 'national' or a place; ``source_ids`` all resolve (figures, periods)."""
        scope = self.frame["scope"]
        self.fail(
            (scope != "national") & ~scope.isin(cities.index),
            "scope",
            lambda v: f"{_show(v)} is neither 'national' nor a place in {CITIES_FILE}",
        )
        self.refs("source_ids", sources.index, f"source in {SOURCES_FILE}")

    def coordinates(
        self, lat_fld: str, lon_fld: str, bbox: tuple[float, ...], where: str
    ) -> tuple[pd.Series, pd.Series]:
        """Flags coordinates that are not numbers or lie outside ``bbox``; returns them as
        numbers (NaN where not a number)."""
        lat, lon = _numbers(self.frame[lat_fld]), _numbers(self.frame[lon_fld])
        self.fail(lat.isna(), lat_fld, lambda v: f"{_show(v)} is not a number")
        self.fail(lon.isna(), lon_fld, lambda v: f"{_show(v)} is not a number")
        w, s, e, n = bbox
        both = lat.notna() & lon.notna()
        inside = lat.between(s, n) & lon.between(w, e)
        swapped = lon.between(s, n) & lat.between(w, e)

        def message(point: tuple[float, float, bool]) -> str:
            hint = " (latitude and longitude swapped?)" if point[2] else ""
            return f"({point[0]}, {point[1]}) is outside {where}{hint}"

        outside = both & ~inside
        if outside.any():
            points = pd.Series(zip(lat, lon, swapped, strict=True), index=self.frame.index)
            self.fail(outside, f"{lat_fld}/{lon_fld}", message, points)
        return lat, lon


def _numbers(col: pd.Series) -> pd.Series:
    """Text to float64, NaN where it is not a number: pyarrow's cast when every cell is a
    plain decimal number (fast), else pandas' slower but lenient ``to_numeric``."""
    if col.str.fullmatch(r"-?\d+(\.\d+)?").all():
        return col.astype("float64")
    return pd.to_numeric(col, errors="coerce").astype("float64")


# --------------------------------------------------------------------------- the four files


def _load_settings(data_dir: Path, out: _Collector) -> RecordSettings:
    path = data_dir / SETTINGS_FILE
    if not path.is_file():
        return RecordSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.add(SETTINGS_FILE, None, None, f"not valid JSON: {exc}")
        return RecordSettings()
    if not isinstance(raw, dict):
        out.add(SETTINGS_FILE, None, None, "must be a JSON object")
        return RecordSettings()
    settings = RecordSettings()
    title = raw.get("title", settings.title)
    if not isinstance(title, str) or not title.strip():
        out.add(SETTINGS_FILE, None, "title", "must be a non-empty string")
        title = settings.title
    period = settings.period
    if "period" in raw:
        try:
            lo, hi = (date.fromisoformat(str(v)) for v in raw["period"])
            if lo > hi:
                raise ValueError("start after end")
            period = (lo, hi)
        except (TypeError, ValueError):
            out.add(SETTINGS_FILE, None, "period", "must be [start, end] as YYYY-MM-DD dates")
    bbox = settings.bbox
    if "bbox" in raw:
        value = raw["bbox"]
        if (
            isinstance(value, list)
            and len(value) == 4
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and value[0] < value[2]
            and value[1] < value[3]
        ):
            bbox = tuple(float(v) for v in value)  # type: ignore[assignment]
        else:
            out.add(SETTINGS_FILE, None, "bbox", "must be [west, south, east, north] in degrees")
    region = raw.get("region_name", settings.region_name)
    if not isinstance(region, str) or not region.strip():
        out.add(SETTINGS_FILE, None, "region_name", "must be a non-empty string")
        region = settings.region_name
    return RecordSettings(title=title, period=period, bbox=bbox, region_name=region)


def _load_cities(path: Path, settings: RecordSettings, out: _Collector) -> gpd.GeoDataFrame | None:
    name = path.name
    if not _check_size_and_encoding(path, out):
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        out.add(
            name,
            exc.lineno,
            None,
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        )
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        out.add(name, None, None, "not a GeoJSON FeatureCollection")
        return None
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(name, None, "features", "must be a list of features")
        return None
    w, s, e, n = settings.bbox
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for i, feat in enumerate(features, start=1):
        ok = True

        def bad(fld: str | None, msg: str, i: int = i) -> None:
            nonlocal ok
            ok = False
            out.add(name, i, fld, f"feature {i}: {msg}")

        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            bad(None, "not a GeoJSON Feature")
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            bad("properties", "missing or not an object")
            continue
        city_id = props.get("city_id")
        if not isinstance(city_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", city_id):
            bad("city_id", f"{_show(city_id)} is not an id (lowercase letters, digits, - and _)")
            continue
        if city_id in seen:
            bad("city_id", f"duplicate id {_show(city_id)} (first used in feature {seen[city_id]})")
            continue
        seen[city_id] = i
        geom = feat.get("geometry")
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
            bad("geometry", f"expected a Point geometry, got {_show(kind)}")
        elif (
            not isinstance(coords, list)
            or len(coords) not in (2, 3)
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        ):
            bad("geometry", "coordinates must be [longitude, latitude] numbers")
        else:
            lon, lat = float(coords[0]), float(coords[1])
            if not (w <= lon <= e and s <= lat <= n):
                hint = (
                    " (longitude and latitude swapped?)" if w <= lat <= e and s <= lon <= n else ""
                )
                bad("geometry", f"[{lon}, {lat}] is outside {settings.region_name}{hint}")
        texts: dict[str, str] = {}
        for key, required in (
            ("name", True),
            ("name_kk", False),
            ("name_ru", False),
            ("region", False),
        ):
            value = props.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                bad(key, f"must be text, got {type(value).__name__}")
                continue
            if required and not value.strip():
                bad(key, "is empty")
            texts[key] = value.strip()
        aliases = props.get("aliases", [])
        if isinstance(aliases, str):
            aliases = [a for a in aliases.split(";")]
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            bad("aliases", "must be a list of strings")
            aliases = []
        if not ok:
            continue
        records.append(
            {
                "city_id": city_id,
                **texts,
                "aliases": tuple(a.strip() for a in aliases if a.strip()),
                "row": i,
                "geometry": Point(float(coords[0]), float(coords[1])),  # type: ignore[index]
            }
        )
    if not features:
        out.add(name, None, "features", "the collection has no features")
    columns = ["city_id", "name", "name_kk", "name_ru", "region", "aliases", "row", "geometry"]
    frame = gpd.GeoDataFrame(records, columns=columns, geometry="geometry", crs="EPSG:4326")
    frame["lat"] = frame.geometry.y
    frame["lon"] = frame.geometry.x
    return frame.set_index("city_id", drop=False)


def _load_sources(path: Path, out: _Collector) -> pd.DataFrame | None:
    frame = _read_csv(path, SOURCE_REQUIRED, SOURCE_OPTIONAL, out)
    if frame is None:
        return None
    chk = _RowChecks(path.name, frame, out)
    for col in SOURCE_REQUIRED:
        chk.not_empty(col)
    chk.unique("source_id")
    chk.iso_dates("published", None, allow_empty=True)
    url = frame["url"]
    chk.fail(
        (url != "") & ~url.str.match(r"https?://[^\s<>\"']+$"),
        "url",
        lambda v: f"{_show(v)} is not an http(s) address",
    )
    return frame[~chk.bad].set_index("source_id", drop=False)


def _load_events(
    path: Path,
    settings: RecordSettings,
    cities: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    out: _Collector,
) -> pd.DataFrame | None:
    frame = _read_csv(path, EVENT_REQUIRED, EVENT_OPTIONAL, out)
    if frame is None:
        return None
    if frame.empty:
        out.add(path.name, None, None, "the file has no events", "warning")
    chk = _RowChecks(path.name, frame, out)
    for col in ("event_id_cnty", "event_type", "location", "source", "notes"):
        chk.not_empty(col)
    chk.unique("event_id_cnty")
    dates = chk.iso_dates("event_date", settings.period)
    time_precision = chk.whole_numbers("time_precision", allow_empty=False, allowed=PRECISIONS)
    geo_precision = chk.whole_numbers("geo_precision", allow_empty=False, allowed=PRECISIONS)
    fatalities = chk.whole_numbers("fatalities", allow_empty=True)
    chk.one_of("category", CATEGORIES)
    chk.one_of("scope", SCOPES, allow_empty=True)
    latitude, longitude = chk.coordinates(
        "latitude", "longitude", settings.bbox, settings.region_name
    )
    city = frame["city_id"]
    chk.fail(city == "", "city_id", "is empty")
    chk.fail(
        (city != "") & ~city.isin(cities.index),
        "city_id",
        lambda v: f"{_show(v)} is not a place in {CITIES_FILE}",
    )
    chk.refs("source_ids", sources.index, f"source in {SOURCES_FILE}")
    keep = ~chk.bad
    events = frame[keep].drop(columns=["_row"]).copy()
    events["row"] = frame["_row"][keep]
    events["event_date"] = dates[keep]
    events["time_precision"] = time_precision[keep].astype("int8")
    events["geo_precision"] = geo_precision[keep].astype("int8")
    events["fatalities"] = fatalities[keep]
    events["latitude"] = latitude[keep]
    events["longitude"] = longitude[keep]
    events["scope"] = events["scope"].replace("", "local")
    events["category"] = pd.Categorical(events["category"], categories=list(CATEGORIES))
    events["day"] = (events["event_date"] - pd.Timestamp(settings.period[0])).dt.days.astype(
        "int32"
    )
    events = events.sort_values(["event_date", "event_id_cnty"], kind="stable").reset_index(
        drop=True
    )
    return events


def _load_figures(
    path: Path, cities: gpd.GeoDataFrame, sources: pd.DataFrame, out: _Collector
) -> pd.DataFrame:
    empty = pd.DataFrame(columns=[*FIGURE_REQUIRED, *FIGURE_OPTIONAL, "row"])
    if not path.is_file():
        return empty
    frame = _read_csv(path, FIGURE_REQUIRED, FIGURE_OPTIONAL, out)
    if frame is None:
        out.add(path.name, None, None, "the file could not be read: no figure is shown")
        return empty
    chk = _RowChecks(path.name, frame, out)
    for col in ("figure_id", "kind", "label", "unit", "claimed_by"):
        chk.not_empty(col)
    chk.unique("figure_id")
    value = chk.whole_numbers("value", allow_empty=False)
    value_max = chk.whole_numbers("value_max", allow_empty=True)
    chk.fail(
        value_max.notna() & value.notna() & (value_max < value).fillna(False),
        "value_max",
        "is smaller than value",
    )
    as_of = chk.iso_dates("as_of", None)
    precision = chk.whole_numbers("as_of_precision", allow_empty=True, allowed=PRECISIONS)
    chk.scope_and_sources(cities, sources)
    keep = ~chk.bad
    figures = frame[keep].drop(columns=["_row"]).copy()
    figures["row"] = frame["_row"][keep]
    figures["value"] = value[keep]
    figures["value_max"] = value_max[keep]
    figures["as_of"] = as_of[keep]
    figures["as_of_precision"] = precision[keep].fillna(1).astype("int8")
    return figures.sort_values(["kind", "as_of", "figure_id"]).reset_index(drop=True)


def _load_periods(
    path: Path, cities: gpd.GeoDataFrame, sources: pd.DataFrame, out: _Collector
) -> pd.DataFrame:
    empty = pd.DataFrame(columns=[*PERIOD_REQUIRED, *PERIOD_OPTIONAL, "row"])
    if not path.is_file():
        return empty
    frame = _read_csv(path, PERIOD_REQUIRED, PERIOD_OPTIONAL, out)
    if frame is None:
        out.add(path.name, None, None, "the file could not be read: no period is shown")
        return empty
    chk = _RowChecks(path.name, frame, out)
    for col in ("period_id", "label"):
        chk.not_empty(col)
    chk.unique("period_id")
    chk.one_of("kind", PERIOD_KINDS)
    start = chk.iso_dates("start", None)
    end = chk.iso_dates("end", None)
    chk.fail(start.notna() & end.notna() & (end < start), "end", "is before start")
    chk.scope_and_sources(cities, sources)
    keep = ~chk.bad
    periods = frame[keep].drop(columns=["_row"]).copy()
    periods["row"] = frame["_row"][keep]
    periods["start"] = start[keep]
    periods["end"] = end[keep]
    return periods.sort_values(["start", "period_id"]).reset_index(drop=True)


def record_version(data_dir: Path) -> str:
    """A short content hash of the record files: cite it to pin the data a view showed."""
    digest = hashlib.sha256()
    for path in record_files(data_dir):
        digest.update(path.name.encode())
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:12]


def load_record(data_dir: Path) -> Record:
    """Load and validate a record folder. Raises RecordError when it cannot be read at all."""
    out = _Collector()
    if not data_dir.is_dir():
        raise RecordError([Problem(str(data_dir), None, None, "record folder does not exist")])
    settings = _load_settings(data_dir, out)
    cities = _load_cities(data_dir / CITIES_FILE, settings, out)
    sources = _load_sources(data_dir / SOURCES_FILE, out)
    if cities is None or sources is None:
        raise RecordError(out.problems)
    events = _load_events(data_dir / EVENTS_FILE, settings, cities, sources, out)
    if events is None:
        raise RecordError(out.problems)
    figures = _load_figures(data_dir / FIGURES_FILE, cities, sources, out)
    periods = _load_periods(data_dir / PERIODS_FILE, cities, sources, out)
    return Record(
        cities=cities,
        events=events,
        sources=sources,
        figures=figures,
        periods=periods,
        settings=settings,
        version=record_version(data_dir),
        problems=tuple(out.problems),
    )


def validate(data_dir: Path) -> tuple[Record | None, list[Problem]]:
    """Every problem in a record folder, and the record when it could be read."""
    try:
        record = load_record(data_dir)
    except RecordError as exc:
        return None, exc.problems
    return record, list(record.problems)
