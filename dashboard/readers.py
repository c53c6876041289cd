"""Record files as text: size and encoding checks, CSV files as frames of strings with their
spreadsheet row numbers, cities.geojson as one row of properties per Point feature, and the
optional record.json. What the cells must hold is the schemas' business (``dashboard.schema``);
here only what keeps a file from being read at all, or a feature from being a feature.

GeoJSON is read with ``json``, not geopandas: every feature is checked on its own (an object, a
``Feature``, with properties, a Point geometry, text properties) so that a bad one is named by
its number and left out while the others load; GDAL (``geopandas.read_file``) and
``GeoDataFrame.from_features`` reject or coerce a whole file instead. A place's point is kept as
``lat``/``lon`` numbers, which is all the app reads.

Nothing here imports streamlit.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import warnings
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from dashboard.problems import Collector, show
from dashboard.schema import SETTINGS_FILE, RecordSettings, columns


def check_size_and_encoding(path: Path, out: Collector, max_bytes: int) -> bool:
    """Size (at most ``max_bytes``), emptiness, BOM and UTF-8 checks. True when the file can be
    parsed."""
    name = path.name
    if not path.is_file():
        out.add(name, None, None, "file is missing")
        return False
    size = path.stat().st_size
    if size == 0:
        out.add(name, None, None, "file is empty")
        return False
    if size > max_bytes:
        limit = f"{max_bytes / 2**20:.0f} MiB"
        out.add(name, None, None, f"file is {size / 2**20:.0f} MiB, over the {limit} limit")
        return False
    with path.open("rb") as fh:
        head = fh.read(3)
    if head == b"\xef\xbb\xbf":
        message = "file starts with a UTF-8 byte-order mark; read anyway"
        out.add(name, None, None, message, "warning")
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


# --------------------------------------------------------------------------- CSV


def _parse_csv(path: Path, engine: Literal["c", "pyarrow"]) -> pd.DataFrame:
    # Empty cells are NA. Blank lines are kept as rows (dropped later) so that row numbers stay
    # those of a spreadsheet, which shows them.
    return pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        on_bad_lines="warn",
        skip_blank_lines=False,
        engine=engine,
    )


def read_big_csv(path: Path) -> pd.DataFrame | None:
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


def read_csv(
    path: Path, schema: pa.DataFrameSchema, out: Collector, *, max_bytes: int, fast_bytes: int
) -> pd.DataFrame | None:
    """A CSV file as stripped strings (NA where empty), with the schema's columns that the file
    has, and ``_row``: the spreadsheet row (header = 1). None when it cannot be read: over
    ``max_bytes``, not a CSV file, a repeated column, or a required column missing. Files of
    ``fast_bytes`` or more are tried with pyarrow's parser first."""
    name = path.name
    if not check_size_and_encoding(path, out, max_bytes):
        return None
    frame = read_big_csv(path) if path.stat().st_size >= fast_bytes else None
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
    required = columns(schema, required=True)
    missing = [c for c in required if c not in frame.columns]
    for col in missing:
        out.add(name, 1, col, "required column is missing")
    if missing or dupes:
        return None
    for col in frame.columns:
        if col not in schema.columns:
            out.add(name, 1, col, "unknown column, ignored", "warning")
    present = [c for c in schema.columns if c in frame.columns]
    frame = frame[present].copy()
    for col in present:
        stripped = frame[col].str.strip()
        frame[col] = stripped.mask(stripped == "")
    rows = np.arange(len(frame)) + 2
    if skipped:
        skipped_arr = np.sort(np.array(skipped))
        # Each data row sits one line further down for every skipped line above it.
        for _ in range(2):
            rows = np.arange(len(frame)) + 2 + np.searchsorted(skipped_arr, rows, side="right")
    frame["_row"] = rows
    empty = frame[required[0]].isna()
    if empty.any():
        empty[empty] = frame.loc[empty, present].isna().all(axis=1)
    if empty.any():
        first = int(frame.loc[empty, "_row"].iloc[0])
        message = f"{int(empty.sum())} empty row(s) ignored, the first is row {first}"
        out.add(name, first, None, message, "warning")
        frame = frame[~empty]
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- GeoJSON


def read_cities(path: Path, out: Collector, *, max_bytes: int) -> pd.DataFrame | None:
    """cities.geojson as one row per Point feature: its properties (text stripped, NA where
    empty; ``aliases`` and ``source_ids`` as tuples), ``lat``, ``lon`` and ``_row`` (the
    feature's number). A feature that is not one is reported and left out. None when the file
    is not a FeatureCollection."""
    name = path.name
    if not check_size_and_encoding(path, out, max_bytes):
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        where = f"(line {exc.lineno}, column {exc.colno})"
        out.add(name, exc.lineno, None, f"not valid JSON: {exc.msg} {where}")
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        out.add(name, None, None, "not a GeoJSON FeatureCollection")
        return None
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(name, None, "features", "must be a list of features")
        return None
    if not features:
        out.add(name, None, "features", "the collection has no features")
    rows = []
    for i, feat in enumerate(features, start=1):
        problem = _feature_problem(feat)
        if problem is None:
            rows.append(_feature_row(feat, i))
        else:
            out.add(name, i, problem[0], f"feature {i}: {problem[1]}")
    texts = ["city_id", "name", "name_kk", "name_ru", "region"]
    frame = pd.DataFrame(rows, columns=[*texts, "aliases", "source_ids", "lat", "lon", "_row"])
    for col in texts:
        frame[col] = frame[col].astype(str)
    return frame.astype({"lat": "float64", "lon": "float64", "_row": "int64"})


def _feature_problem(feat: object) -> tuple[str | None, str] | None:
    """(field, what is wrong) when ``feat`` is not a Point feature with text properties."""
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return None, "not a GeoJSON Feature"
    props = feat.get("properties")
    if not isinstance(props, dict):
        return "properties", "missing or not an object"
    geom = feat.get("geometry")
    if not isinstance(geom, dict) or geom.get("type") != "Point":
        kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
        return "geometry", f"expected a Point geometry, got {show(kind)}"
    coords = geom.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
    ):
        return "geometry", "coordinates must be [longitude, latitude] numbers"
    for key in ("city_id", "name", "name_kk", "name_ru", "region"):
        value = props.get(key)
        if value is not None and not isinstance(value, str):
            return key, f"must be text, got {type(value).__name__}"
    for key in ("aliases", "source_ids"):
        value = props.get(key)
        items = value.split(";") if isinstance(value, str) else value
        if items is not None and not (
            isinstance(items, list) and all(isinstance(a, str) for a in items)
        ):
            return key, "must be a list of strings"
    return None


def _feature_row(feat: dict, number: int) -> dict[str, object]:
    props = feat["properties"]
    row: dict[str, object] = {}
    for key in ("city_id", "name", "name_kk", "name_ru", "region"):
        value = (props.get(key) or "").strip()
        row[key] = value or None
    for key in ("aliases", "source_ids"):
        value = props.get(key) or []
        items = value.split(";") if isinstance(value, str) else value
        row[key] = tuple(a.strip() for a in items if a.strip())
    lon, lat = feat["geometry"]["coordinates"][:2]
    return {**row, "lat": float(lat), "lon": float(lon), "_row": number}


# --------------------------------------------------------------------------- record.json


def read_settings(data_dir: Path, out: Collector) -> RecordSettings:
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
            w, s, e, n = (float(v) for v in value)
            bbox = (w, s, e, n)
        else:
            out.add(SETTINGS_FILE, None, "bbox", "must be [west, south, east, north] in degrees")
    region = raw.get("region_name", settings.region_name)
    if not isinstance(region, str) or not region.strip():
        out.add(SETTINGS_FILE, None, "region_name", "must be a non-empty string")
        region = settings.region_name
    return RecordSettings(title=title, period=period, bbox=bbox, region_name=region)
