"""The files of an ACLED import: the export it reads, the record it merges with, the folder it
writes.

The export is read with the csv module (UTF-8, with or without a byte order mark; comma,
semicolon or tab; header names in any case); a file that cannot be read at all raises
:class:`AcledImportError` naming file, row and field. An existing record is read twice:
validated (its places and event ids are what import rows are matched against) and as raw rows,
which are written back unchanged ahead of the new ones. Files an import does not touch (figures,
periods) are copied as they are. ``record.json`` gets the period (whole months) and bounding box
of the union; a fresh import also gets a title and region name from the export's countries.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dashboard import data
from dashboard.export import ACLED_COLUMNS
from dashboard.schema import NO_RUSSIAN, RUSSIAN_COLUMNS

# The columns an import needs; the rest of ACLED_COLUMNS may be missing (older exports).
ACLED_REQUIRED: tuple[str, ...] = tuple(
    """event_id_cnty event_date time_precision event_type sub_event_type actor1 inter1 actor2
    inter2 location latitude longitude geo_precision source notes fatalities""".split()
)
# Columns of ACLED exports before March 2023, accepted without comment.
ACLED_LEGACY: tuple[str, ...] = ("data_id", "event_id_no_cnty", "iso3")

BBOX_MARGIN_DEG = 0.5

BBox = tuple[float, float, float, float]


class AcledImportError(Exception):
    """The export (or the record it merges with) cannot be read at all; ``problems`` says why."""

    def __init__(self, problems: list[data.Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


Rows = Iterator[tuple[int, list[str], str | None]]


def read_export(path: Path) -> tuple[list[str], Rows, list[str]]:
    """(header, rows, notes). Each row is (spreadsheet row, fields, CSV error or None); the
    rows stop after a CSV error. Raises AcledImportError when the file cannot be read at all."""
    name = path.name

    def fatal(message: str, row: int | None = None, fld: str | None = None) -> AcledImportError:
        return AcledImportError([data.Problem(name, row, fld, message)])

    if not path.is_file():
        raise fatal("file is missing" if not path.exists() else "not a file")
    size = path.stat().st_size
    if size > data.MAX_FILE_BYTES:
        raise fatal(f"file is {size / 2**20:.0f} MiB, over the limit")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fatal(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
            "save the export as UTF-8 CSV",
            line,
        ) from None
    if not text.strip():
        raise fatal("file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:4096].splitlines()[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise fatal(f"not a readable CSV file: {exc}", 1) from None
    problems = [
        data.Problem(name, 1, col, "column appears more than once")
        for col in sorted({h for h in header if header.count(h) > 1})
    ]
    problems += [
        data.Problem(name, 1, col, "required ACLED column is missing")
        for col in ACLED_REQUIRED
        if col not in header
    ]
    if problems:
        raise AcledImportError(problems)
    known = set(ACLED_COLUMNS) | set(ACLED_LEGACY)
    unknown = [h for h in header if h not in known]
    notes = [f"columns not in ACLED's format, ignored: {', '.join(unknown)}"] if unknown else []

    def rows() -> Rows:
        row = 1
        while True:
            row += 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield row, [], str(exc)
                return
            if fields:
                yield row, fields, None

    return header, rows(), notes


@dataclass
class Base:
    """An existing record folder, as raw rows to write back unchanged, plus its loaded form."""

    folder: Path
    record: data.Record
    event_columns: list[str]
    events: list[dict[str, str]]
    sources_columns: list[str]
    sources: list[dict[str, str]]
    collection: dict[str, Any]
    settings_raw: dict[str, Any]


@dataclass
class Additions:
    """What an import adds: event rows and places, with each event's date and (lon, lat), and
    the export's countries in order of first appearance."""

    events: list[dict[str, str]] = field(default_factory=list)
    features: list[dict[str, Any]] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    countries: dict[str, None] = field(default_factory=dict)


def holds_record(folder: Path) -> bool:
    return any((folder / n).exists() for n in (data.CITIES_FILE, data.EVENTS_FILE))


def _read_raw_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [{k: v or "" for k, v in r.items() if k is not None} for r in reader]
        return [c.strip() for c in reader.fieldnames or []], rows


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8-sig")) if path.is_file() else {}


def load_base(folder: Path) -> Base:
    """The record in ``folder``; AcledImportError if it has errors (rows would be lost)."""
    record, problems = data.validate(folder)
    errors = [p for p in problems if p.severity == "error"]
    if record is None or errors:
        head = data.Problem(
            str(folder),
            None,
            None,
            f"the existing record has {len(errors)} errors; fix them first "
            f"(python -m dashboard validate {folder}) so that no row of it is lost",
        )
        raise AcledImportError([head, *errors])
    event_columns, events = _read_raw_csv(folder / data.EVENTS_FILE)
    sources_columns, sources = _read_raw_csv(folder / data.SOURCES_FILE)
    return Base(
        folder=folder,
        record=record,
        event_columns=event_columns,
        events=events,
        sources_columns=sources_columns,
        sources=sources,
        collection=_read_json(folder / data.CITIES_FILE),
        settings_raw=_read_json(folder / data.SETTINGS_FILE),
    )


def _month_span(lo: date, hi: date) -> tuple[date, date]:
    return lo.replace(day=1), hi.replace(day=calendar.monthrange(hi.year, hi.month)[1])


def _names(names: list[str], most: int = 4) -> str:
    """``a, b, c`` or, for a long list, ``a, b, c and 9 more``."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[: most - 1])} and {len(names) - most + 1} more"


def _settings(base: Base | None, new: Additions) -> tuple[dict[str, Any], tuple[date, date], BBox]:
    lo, hi = _month_span(min(new.dates), max(new.dates))
    lons = [p[0] for p in new.points]
    lats = [p[1] for p in new.points]
    m = BBOX_MARGIN_DEG
    box: BBox = (
        max(-180.0, min(lons) - m),
        max(-90.0, min(lats) - m),
        min(180.0, max(lons) + m),
        min(90.0, max(lats) + m),
    )
    if base is None:
        region = _names(list(new.countries)) or "the imported area"
        one_month = (lo.year, lo.month) == (hi.year, hi.month)
        months = f"{lo:%B %Y}" if one_month else f"{lo:%B %Y} to {hi:%B %Y}"
        raw: dict[str, Any] = {"title": f"ACLED events: {region}, {months}", "region_name": region}
        period, bbox = (lo, hi), box
    else:
        raw = dict(base.settings_raw)
        old = base.record.settings
        period = (min(old.period[0], lo), max(old.period[1], hi))
        w, s, e, n = old.bbox
        inside = all(w <= x <= e and s <= y <= n for x, y in new.points)
        bbox = (min(w, box[0]), min(s, box[1]), max(e, box[2]), max(n, box[3]))
        if not inside:
            named = [c for c in new.countries if c not in old.region_name]
            raw["region_name"] = _names([old.region_name, *named])
    raw["period"] = [period[0].isoformat(), period[1].isoformat()]
    raw["bbox"] = [round(v, 6) for v in bbox]
    return raw, period, bbox


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    """CSV with ``\n`` line ends. A line break inside a cell becomes ``\n`` too: the csv module
    would leave a lone ``\r`` unquoted, and readers would take it for the end of the row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: v.replace("\r\n", "\n").replace("\r", "\n") for k, v in row.items()})
    return buf.getvalue()


def write_record(
    out_dir: Path, base: Base | None, new: Additions, sources: list[dict[str, str]]
) -> tuple[tuple[date, date], BBox]:
    """Write the base record (if any) plus ``new`` into ``out_dir``, with ``sources`` (the base's
    and the new ones); the record's period and bounding box."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # An export has no Russian text: its columns are not added (empty, they would be errors).
    ours = [c for c in data.EVENT_REQUIRED + data.EVENT_OPTIONAL if c not in RUSSIAN_COLUMNS]
    event_cols = list(base.event_columns) if base else []
    event_cols += [c for c in ours if c not in event_cols]
    source_cols = list(base.sources_columns) if base else []
    source_cols += [c for c in data.SOURCE_REQUIRED + data.SOURCE_OPTIONAL if c not in source_cols]
    collection: dict[str, Any] = dict(base.collection) if base else {"type": "FeatureCollection"}
    collection["features"] = [*collection.get("features", []), *new.features]
    settings, period, bbox = _settings(base, new)
    written = (data.SETTINGS_FILE, data.CITIES_FILE, data.SOURCES_FILE, data.EVENTS_FILE)
    if base is not None and base.folder.resolve() != out_dir.resolve():
        for path in data.record_files(base.folder):  # figures, periods...: copied unchanged
            if path.name not in written:
                shutil.copyfile(path, out_dir / path.name)
    _write_text(out_dir / data.SETTINGS_FILE, json.dumps(settings, indent=2) + "\n")
    _write_text(
        out_dir / data.CITIES_FILE, json.dumps(collection, ensure_ascii=False, indent=2) + "\n"
    )
    _write_text(out_dir / data.SOURCES_FILE, _csv_text(source_cols, sources))
    added = new.events
    if "notes_ru" in event_cols:
        added = [{"notes_ru": NO_RUSSIAN, **ev} for ev in added]
    events = (base.events if base else []) + added
    _write_text(out_dir / data.EVENTS_FILE, _csv_text(event_cols, events))
    return period, bbox
