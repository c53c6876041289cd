"""ACLED in and out: import an ACLED export into record files; export events in ACLED's shape.

Import (:func:`import_acled`) reads an ACLED export (its standard 31 columns, any country or
period; older exports with upper-case headers or without the 2023 columns work too) and writes
``events.csv``, ``cities.geojson``, ``sources.csv`` and ``record.json`` so that
``data.load_record`` accepts the folder. Every input row gets an outcome in the
:class:`ImportReport`: kept (and on which place), merged (a duplicate ``event_id_cnty``) or
unplaceable (and why). Nothing is dropped silently.

Placing a row, first rule that applies:

1. name: the ACLED ``location`` is a place's English name (case-insensitive);
2. alias: it is one of the place's other names (Kazakh, Russian, aliases);
3. spelling: it matches a name in another spelling (``places.normalise``: Qyzylorda/Kyzylorda);
4. distance: the nearest place within ``max_distance_km`` (haversine) of the ACLED coordinates.
   The event is then drawn at that place's centre, so its ``geo_precision`` is raised to at
   least 2 ("near or part of") and the report says so;
5. otherwise a new place is made from the ACLED location and coordinates (``region`` = admin1).

A name match counts only within :data:`SAME_NAME_MAX_KM` of the ACLED coordinates (or within
``max_distance_km`` when that is larger): farther away it is another town of the same name.
Places added by an import are matched by later rows like any other.

Category, from ACLED's ``sub_event_type``, else its ``event_type`` (see :func:`category_of`):

* Peaceful protest, Protest with intervention, Violent demonstration, Mob violence -> protest
* Excessive force against protesters, Arrests -> crackdown
* Battles, Explosions/Remote violence -> crackdown when either actor is state forces
  (``inter1``/``inter2`` is 1 or "State forces"), else context
* Violence against civilians -> crackdown when actor 1 is state forces, else context
* other Strategic developments -> government response when actor 1 is state forces, else context
* other Protests or Riots -> protest; anything else -> context

Sources: one ``sources.csv`` row for the ACLED dataset (``acled``) and one per distinct outlet
named in ACLED's ``source`` field (``;``-separated); each event cites the dataset and its outlets.

Export: :func:`to_acled_csv` (ACLED's 31 columns, then ours) and :func:`to_geojson`.
Nothing here imports streamlit.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard import data, places

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
# The columns an import needs; the rest of ACLED_COLUMNS may be missing (older exports).
ACLED_REQUIRED: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "inter1",
    "actor2",
    "inter2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
# Columns of ACLED exports before March 2023, accepted without comment.
ACLED_LEGACY: tuple[str, ...] = ("data_id", "event_id_no_cnty", "iso3")
# Our event columns that ACLED does not have, appended after ACLED's in exports.
OUR_COLUMNS: tuple[str, ...] = tuple(
    c for c in data.EVENT_REQUIRED + data.EVENT_OPTIONAL if c not in ACLED_COLUMNS
)

SAME_NAME_MAX_KM = 100.0
BBOX_MARGIN_DEG = 0.5
EARTH_RADIUS_KM = 6371.0088
ACLED_SOURCE_ID = "acled"
ACLED_OUTLET = "ACLED"
ACLED_TITLE = "Armed Conflict Location & Event Data (ACLED) export"
ACLED_URL = "https://acleddata.com/"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)
_MONTHS = {n: i for i, full in enumerate(_MONTH_NAMES, 1) for n in (full, full[:3])} | {"sept": 9}
_STATE_FORCES = {"1", "state forces"}

BBox = tuple[float, float, float, float]
Outcome = Literal["kept", "merged", "unplaceable"]
Method = Literal["name", "alias", "spelling", "distance", "new"]


class AcledImportError(Exception):
    """The export (or the record it merges with) cannot be read at all; ``problems`` says why."""

    def __init__(self, problems: list[data.Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class RowOutcome:
    """What became of one export row. ``row`` is its spreadsheet row (header = 1)."""

    row: int
    event_id: str
    location: str
    outcome: Outcome
    detail: str
    city_id: str | None = None
    method: Method | None = None
    distance_km: float | None = None

    def __str__(self) -> str:
        what = self.event_id or "(no event_id_cnty)"
        if self.location:
            what += f" {_quote(self.location)}"
        sep = " -> " if self.outcome == "kept" else ": "
        return f"row {self.row}: {self.outcome} {what}{sep}{self.detail}"


@dataclass
class ImportReport:
    """Every export row's outcome, what was written, and the check of the written folder."""

    export: Path
    out_dir: Path
    rows: list[RowOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_places: list[str] = field(default_factory=list)
    new_sources: list[str] = field(default_factory=list)
    merged_with: Path | None = None
    written: bool = False
    totals: tuple[int, int, int] = (0, 0, 0)
    period: tuple[date, date] | None = None
    bbox: BBox | None = None
    problems: list[data.Problem] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == outcome]

    @property
    def kept(self) -> list[RowOutcome]:
        return self.of("kept")

    @property
    def merged(self) -> list[RowOutcome]:
        return self.of("merged")

    @property
    def unplaceable(self) -> list[RowOutcome]:
        return self.of("unplaceable")

    def summary(self) -> list[str]:
        new = len(self.new_places)
        lines = [
            f"summary: {len(self.rows)} rows read from {self.export.name}: "
            f"{len(self.kept)} kept ({new} new {'place' if new == 1 else 'places'}), "
            f"{len(self.merged)} merged, {len(self.unplaceable)} unplaceable"
        ]
        if not self.written:
            lines.append(f"nothing written to {self.out_dir}: no row was kept")
            return lines
        events, cities, sources = self.totals
        base = f" (merged with {self.merged_with})" if self.merged_with else ""
        lines.append(
            f"wrote {self.out_dir}{base}: {events} events, {cities} places, {sources} sources"
        )
        if self.period and self.bbox:
            lines.append(
                f"record period {self.period[0]} to {self.period[1]}, "
                f"bbox [{', '.join(f'{v:g}' for v in self.bbox)}]"
            )
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            lines.append(f"check: the written record has {len(errors)} errors (listed above)")
        else:
            lines.append("check: the written record loads with no errors")
        return lines

    def format(self) -> str:
        """The report as text: notes, one line per export row, check problems, a summary."""
        lines = [f"note: {n}" for n in self.notes]
        lines += [str(r) for r in self.rows]
        lines += [f"check: {p}" for p in self.problems]
        return "\n".join(lines + self.summary())


# --------------------------------------------------------------------------- small helpers


def _quote(text: str, limit: int = 60) -> str:
    if len(text) > limit:
        text = text[:limit] + "…"
    return json.dumps(text, ensure_ascii=False)


def parse_acled_date(text: str) -> date | None:
    """An ACLED event date: ``2022-01-05``, ``05 January 2022``, ``5-Jan-2022``; else None."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        m = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})", text)
        if m and m[2].casefold() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
    except ValueError:
        return None
    return None


def _whole(text: str) -> int | None:
    """A non-negative whole number written as ``3`` or ``3.0``; else None."""
    m = re.fullmatch(r"(\d+)(\.0*)?", text.strip())
    return int(m[1]) if m else None


def _number(text: str, lo: float, hi: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and lo <= value <= hi else None


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lmb = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi))


def _km(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """Great-circle distance between two unit vectors (the haversine formula, via the chord)."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.dist(a, b) / 2))


@functools.lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    return places.normalise(text)


def slug(text: str) -> str:
    """An id made of lowercase Latin letters, digits and ``-`` (empty if nothing is left)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or places.normalise(text)
    return folded[:48].strip("-")


def _unique_id(preferred: str, taken: set[str]) -> str:
    candidate, n = preferred, 2
    while candidate in taken:
        candidate = f"{preferred}-{n}"
        n += 1
    return candidate


def _is_state(inter: str) -> bool:
    return inter.strip().casefold() in _STATE_FORCES


def category_of(event_type: str, sub_event_type: str, inter1: str, inter2: str) -> str:
    """Our category for an ACLED event (the rule is in the module docstring)."""
    sub = sub_event_type.strip().casefold()
    kind = event_type.strip().casefold()
    if sub in ("peaceful protest", "protest with intervention"):
        return "protest"
    if sub in ("violent demonstration", "mob violence"):
        return "protest"
    if sub.startswith("excessive force against protest") or sub == "arrests":
        return "crackdown"
    state1, state2 = _is_state(inter1), _is_state(inter2)
    if kind in ("battles", "explosions/remote violence"):
        return "crackdown" if state1 or state2 else "context"
    if kind == "violence against civilians":
        return "crackdown" if state1 else "context"
    if kind == "strategic developments":
        return "government response" if state1 else "context"
    if kind in ("protests", "riots"):
        return "protest"
    return "context"


def _outlets(source: str) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in source.split(";") if s.strip()))


# --------------------------------------------------------------------------- reading the export


_Rows = Iterator[tuple[int, list[str], str | None]]


def _read_export(path: Path) -> tuple[list[str], _Rows, list[str]]:
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

    def rows() -> _Rows:
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


# --------------------------------------------------------------------------- places


@dataclass
class _Match:
    index: int
    method: Method
    spelling: str = ""
    distance_km: float = 0.0


class _Places:
    """Known places (from the existing record, then new ones) and the matching rules.

    Nearest-place search uses a grid of cubes over points on the unit sphere, each cube as wide
    as the chord of ``max_km``: every place within ``max_km`` lies in the 27 cubes around a
    point, at any latitude and across the antimeridian."""

    def __init__(self, max_km: float) -> None:
        self.max_km = max_km
        self.same_name_km = max(SAME_NAME_MAX_KM, max_km)
        self.cell = max(2 * math.sin(min(max_km / (2 * EARTH_RADIUS_KM), math.pi / 2)), 1e-9)
        self.ids: list[str] = []
        self.names: list[str] = []
        self.points: list[tuple[float, float, float]] = []
        self.grid: dict[tuple[int, ...], list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_alias: dict[str, list[tuple[int, str]]] = {}
        self.by_spelling: dict[str, list[tuple[int, str]]] = {}

    def _cube(self, point: tuple[float, float, float]) -> tuple[int, ...]:
        return tuple(math.floor(c / self.cell) for c in point)

    def add(self, city_id: str, names: list[str], lat: float, lon: float) -> int:
        i = len(self.ids)
        self.ids.append(city_id)
        self.names.append(names[0])
        point = _unit_vector(lat, lon)
        self.points.append(point)
        self.grid.setdefault(self._cube(point), []).append(i)
        self.by_name.setdefault(names[0].casefold(), []).append(i)
        for alias in names[1:]:
            self.by_alias.setdefault(alias.casefold(), []).append((i, alias))
        for spelling in names:
            key = places.normalise(spelling)
            if key:
                self.by_spelling.setdefault(key, []).append((i, spelling))
        return i

    def match(
        self, location: str, lat: float, lon: float
    ) -> tuple[_Match | None, tuple[str, float] | None]:
        """The place for a row, and (name, km) of a same-named place too far away to count."""
        point = _unit_vector(lat, lon)
        too_far: tuple[str, float] | None = None
        key = location.casefold()
        tiers: list[tuple[Method, list[tuple[int, str]]]] = [
            ("name", [(i, self.names[i]) for i in self.by_name.get(key, [])]),
            ("alias", self.by_alias.get(key, [])),
            ("spelling", self.by_spelling.get(_normalised(location), [])),
        ]
        for method, candidates in tiers:
            if not candidates:
                continue
            km, i, spelling = min((_km(point, self.points[i]), i, s) for i, s in candidates)
            if km <= self.same_name_km:
                return _Match(i, method, spelling, km), None
            too_far = too_far or (spelling, km)
        cube = self._cube(point)
        near = [
            (_km(point, self.points[i]), i)
            for step in itertools.product((-1, 0, 1), repeat=3)
            for i in self.grid.get(tuple(c + d for c, d in zip(cube, step, strict=True)), [])
        ]
        km, i = min(near, default=(math.inf, -1))
        if km <= self.max_km:
            return _Match(i, "distance", distance_km=km), too_far
        return None, too_far


# --------------------------------------------------------------------------- the existing record


@dataclass
class _Base:
    """An existing record folder, as raw rows to write back unchanged, plus its loaded form."""

    folder: Path
    record: data.Record
    event_columns: list[str]
    events: list[dict[str, str]]
    sources_columns: list[str]
    sources: list[dict[str, str]]
    features: list[dict[str, Any]]
    collection: dict[str, Any]
    settings_raw: dict[str, Any]


def _holds_record(folder: Path) -> bool:
    return any((folder / n).exists() for n in (data.CITIES_FILE, data.EVENTS_FILE))


def _read_raw_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [{k: v or "" for k, v in r.items() if k is not None} for r in reader]
        return [c.strip() for c in reader.fieldnames or []], rows


def _load_base(folder: Path) -> _Base:
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
    collection = json.loads((folder / data.CITIES_FILE).read_text(encoding="utf-8-sig"))
    settings_path = folder / data.SETTINGS_FILE
    settings_raw = (
        json.loads(settings_path.read_text(encoding="utf-8-sig")) if settings_path.is_file() else {}
    )
    return _Base(
        folder=folder,
        record=record,
        event_columns=event_columns,
        events=events,
        sources_columns=sources_columns,
        sources=sources,
        features=list(collection["features"]),
        collection=collection,
        settings_raw=settings_raw,
    )


# --------------------------------------------------------------------------- import


class _Importer:
    def __init__(self, export: Path, base: _Base | None, max_km: float) -> None:
        self.export = export
        self.base = base
        self.places = _Places(max_km)
        self.place_taken: set[str] = set()
        self.new_features: list[dict[str, Any]] = []
        self.events: list[dict[str, str]] = []
        self.kept_ids: dict[str, int] = {}
        self.existing_ids: dict[str, int] = {}
        self.sources: list[dict[str, str]] = list(base.sources) if base else []
        self.source_ids = {s["source_id"] for s in self.sources}
        self.source_by_key = {(s["outlet"], s["title"]): s["source_id"] for s in self.sources}
        self.new_sources: list[str] = []
        self.dates: list[date] = []
        self.points: list[tuple[float, float]] = []
        self.countries: dict[str, None] = {}  # in order of first appearance
        if base is not None:
            cities = base.record.cities
            for city_id, city in cities.iterrows():
                self.places.add(str(city_id), places.spellings(city), city["lat"], city["lon"])
                self.place_taken.add(str(city_id))
            ev = base.record.events
            self.existing_ids = dict(zip(ev["event_id_cnty"], ev["row"], strict=True))

    def source_id(self, outlet: str, title: str, preferred: str, **extra: str) -> str:
        """The id of the source row (outlet, title), added if the record has none."""
        found = self.source_by_key.get((outlet, title))
        if found:
            return found
        sid = _unique_id(preferred, self.source_ids)
        self.sources.append({"source_id": sid, "outlet": outlet, "title": title, **extra})
        self.source_ids.add(sid)
        self.source_by_key[(outlet, title)] = sid
        self.new_sources.append(sid)
        return sid

    def outlet_source(self, outlet: str) -> str:
        title = f"{outlet}, as cited by ACLED"
        found = self.source_by_key.get((outlet, title))
        return found or self.source_id(outlet, title, f"acled-{slug(outlet) or 'source'}")

    def new_place(self, location: str, region: str, lat: float, lon: float) -> int:
        base_id = slug(location) or "place"
        city_id = base_id
        if city_id in self.place_taken and slug(region):
            city_id = f"{base_id}-{slug(region)}"[:64]
        city_id = _unique_id(city_id, self.place_taken)
        self.place_taken.add(city_id)
        self.new_features.append(
            {
                "type": "Feature",
                "properties": {
                    "city_id": city_id,
                    "name": location,
                    "name_kk": "",
                    "name_ru": "",
                    "aliases": [],
                    "region": region,
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
        return self.places.add(city_id, [location], lat, lon)

    def row(self, row: int, get: dict[str, str]) -> RowOutcome:
        event_id, location = get["event_id_cnty"], get["location"]

        def unplaceable(reason: str) -> RowOutcome:
            return RowOutcome(row, event_id, location, "unplaceable", reason)

        if not event_id:
            return unplaceable("event_id_cnty is empty")
        if event_id in self.kept_ids:
            return RowOutcome(
                row,
                event_id,
                location,
                "merged",
                f"same event_id_cnty as row {self.kept_ids[event_id]}; kept once",
            )
        if event_id in self.existing_ids:
            return RowOutcome(
                row,
                event_id,
                location,
                "merged",
                f"already in the existing record ({data.EVENTS_FILE} row "
                f"{self.existing_ids[event_id]}); that row is kept",
            )
        when = parse_acled_date(get["event_date"])
        if when is None:
            return unplaceable(
                f"event_date {_quote(get['event_date'])} is not a date "
                "(YYYY-MM-DD or '05 January 2022')"
            )
        lat = _number(get["latitude"], -90, 90)
        lon = _number(get["longitude"], -180, 180)
        if lat is None:
            return unplaceable(f"latitude {_quote(get['latitude'])} is not a number in -90..90")
        if lon is None:
            return unplaceable(f"longitude {_quote(get['longitude'])} is not a number in -180..180")
        if not location:
            return unplaceable("location is empty")
        checks = (
            ("time_precision", _whole(get["time_precision"]) in data.PRECISIONS, "1, 2 or 3"),
            ("geo_precision", _whole(get["geo_precision"]) in data.PRECISIONS, "1, 2 or 3"),
            (
                "fatalities",
                not get["fatalities"] or _whole(get["fatalities"]) is not None,
                "a whole number >= 0",
            ),
            ("event_type", bool(get["event_type"]), "not empty"),
        )
        for fld, ok, wanted in checks:
            if not ok:
                return unplaceable(f"{fld} {_quote(get[fld])} is not {wanted}")

        match, too_far = self.places.match(location, lat, lon)
        geo_precision = _whole(get["geo_precision"]) or 1
        extra = ""
        if match is None:
            index = self.new_place(location, get.get("admin1", ""), lat, lon)
            city_id = self.places.ids[index]
            detail = f"new place {city_id} ({location})"
            if get.get("admin1"):
                detail += f", region {_quote(get['admin1'])}"
            if too_far:
                detail += f"; the place named {_quote(too_far[0])} is {too_far[1]:.0f} km away"
            method: Method = "new"
            distance = None
        else:
            city_id = self.places.ids[match.index]
            method = match.method
            distance = match.distance_km
            detail = f"{city_id} ({self.places.names[match.index]}) by {method}"
            if method in ("alias", "spelling"):
                detail += f" {_quote(match.spelling)}"
            if method == "distance":
                detail += f" {match.distance_km:.1f} km"
                if geo_precision < 2:
                    extra = f"; geo_precision {geo_precision} -> 2"
                    geo_precision = 2

        acled = self.source_id(
            ACLED_OUTLET,
            ACLED_TITLE,
            ACLED_SOURCE_ID,
            url=ACLED_URL,
            published_note=f"imported from {self.export.name}",
        )
        outlets = _outlets(get["source"])
        ids = [acled] + [self.outlet_source(o) for o in outlets]
        self.events.append(
            {
                "event_id_cnty": event_id,
                "event_date": when.isoformat(),
                "time_precision": str(_whole(get["time_precision"])),
                "disorder_type": get.get("disorder_type", ""),
                "event_type": get["event_type"],
                "sub_event_type": get["sub_event_type"],
                "actor1": get["actor1"],
                "actor2": get["actor2"],
                "location": location,
                "latitude": get["latitude"],
                "longitude": get["longitude"],
                "geo_precision": str(geo_precision),
                "source": "; ".join(outlets) or "ACLED (no outlet named)",
                "notes": get["notes"] or "(no notes in the ACLED export)",
                "fatalities": str(_whole(get["fatalities"])) if get["fatalities"] else "",
                "city_id": city_id,
                "category": category_of(
                    get["event_type"], get["sub_event_type"], get["inter1"], get["inter2"]
                ),
                "scope": "local",
                "source_ids": ";".join(ids),
            }
        )
        self.kept_ids[event_id] = row
        self.dates.append(when)
        self.points.append((lon, lat))
        if get.get("country"):
            self.countries.setdefault(get["country"])
        return RowOutcome(
            row, event_id, location, "kept", detail + extra, city_id, method, distance
        )


def _month_span(lo: date, hi: date) -> tuple[date, date]:
    first = lo.replace(day=1)
    nxt = (hi.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def _month_name(day: date) -> str:
    return f"{_MONTH_NAMES[day.month - 1].title()} {day.year}"


def _names(names: list[str], most: int = 4) -> str:
    """``a, b, c`` or, for a long list, ``a, b, c and 9 more``."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[: most - 1])} and {len(names) - most + 1} more"


def _settings(imp: _Importer) -> tuple[dict[str, Any], tuple[date, date], BBox]:
    lo, hi = _month_span(min(imp.dates), max(imp.dates))
    lons = [p[0] for p in imp.points]
    lats = [p[1] for p in imp.points]
    m = BBOX_MARGIN_DEG
    box: BBox = (
        max(-180.0, min(lons) - m),
        max(-90.0, min(lats) - m),
        min(180.0, max(lons) + m),
        min(90.0, max(lats) + m),
    )
    if imp.base is None:
        region = _names(list(imp.countries)) or "the imported area"
        months = f"{_month_name(lo)} to {_month_name(hi)}" if lo.month != hi.month else ""
        raw: dict[str, Any] = {
            "title": f"ACLED events: {region}, {months or _month_name(lo)}",
            "region_name": region,
        }
        period, bbox = (lo, hi), box
    else:
        raw = dict(imp.base.settings_raw)
        old = imp.base.record.settings
        period = (min(old.period[0], lo), max(old.period[1], hi))
        w, s, e, n = old.bbox
        inside = all(w <= x <= e and s <= y <= n for x, y in imp.points)
        bbox = (min(w, box[0]), min(s, box[1]), max(e, box[2]), max(n, box[3]))
        if not inside:
            named = [c for c in imp.countries if c not in old.region_name]
            raw["region_name"] = _names([old.region_name, *named])
    raw["period"] = [period[0].isoformat(), period[1].isoformat()]
    raw["bbox"] = [round(v, 6) for v in bbox]
    return raw, period, bbox


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def _one_line_ending(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    """CSV with ``\n`` line ends. A line break inside a cell becomes ``\n`` too: the csv module
    would leave a lone ``\r`` unquoted, and readers would take it for the end of the row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _one_line_ending(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def _write(imp: _Importer, out_dir: Path) -> tuple[tuple[date, date], BBox]:
    base = imp.base
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = list(data.EVENT_REQUIRED + data.EVENT_OPTIONAL)
    event_cols = list(base.event_columns) if base else []
    event_cols += [c for c in ours if c not in event_cols]
    source_cols = list(base.sources_columns) if base else []
    source_cols += [c for c in data.SOURCE_REQUIRED + data.SOURCE_OPTIONAL if c not in source_cols]
    collection = dict(base.collection) if base else {"type": "FeatureCollection"}
    collection["features"] = (base.features if base else []) + imp.new_features
    settings, period, bbox = _settings(imp)
    written = (data.SETTINGS_FILE, data.CITIES_FILE, data.SOURCES_FILE, data.EVENTS_FILE)
    if base is not None and base.folder.resolve() != out_dir.resolve():
        for path in data.record_files(base.folder):  # figures, periods...: copied unchanged
            if path.name not in written:
                shutil.copyfile(path, out_dir / path.name)
    _write_text(out_dir / data.SETTINGS_FILE, json.dumps(settings, indent=2) + "\n")
    _write_text(
        out_dir / data.CITIES_FILE, json.dumps(collection, ensure_ascii=False, indent=2) + "\n"
    )
    _write_text(out_dir / data.SOURCES_FILE, _csv_text(source_cols, imp.sources))
    _write_text(
        out_dir / data.EVENTS_FILE,
        _csv_text(event_cols, (base.events if base else []) + imp.events),
    )
    return period, bbox


def import_acled(
    export_csv: Path,
    out_dir: Path,
    *,
    existing: Path | None = None,
    max_distance_km: float = 25.0,
) -> ImportReport:
    """Import an ACLED export into ``out_dir`` and report on every row.

    ``existing`` is a record folder whose places rows are matched to and whose events count as
    already recorded; the written folder is the union of it and the import. It defaults to
    ``out_dir`` when that already holds a record (importing into it merges). Raises
    :class:`AcledImportError` when the export or the existing record cannot be read.
    """
    if not (math.isfinite(max_distance_km) and max_distance_km >= 0):
        raise ValueError(f"max_distance_km must be a distance >= 0, got {max_distance_km}")
    if existing is None and _holds_record(out_dir):
        existing = out_dir
    elif (
        existing is not None and _holds_record(out_dir) and existing.resolve() != out_dir.resolve()
    ):
        raise AcledImportError(
            [
                data.Problem(
                    str(out_dir),
                    None,
                    None,
                    f"already holds a record other than {existing}; "
                    "choose an empty folder or import into that record",
                )
            ]
        )
    header, rows, notes = _read_export(export_csv)
    base = _load_base(existing) if existing is not None else None
    imp = _Importer(export_csv, base, max_distance_km)
    report = ImportReport(export_csv, out_dir, notes=notes, merged_with=existing)
    width = len(header)
    for row, fields, error in rows:
        if error is not None:
            reason = f"not readable as CSV from here on ({error}); later rows not read"
            report.rows.append(RowOutcome(row, "", "", "unplaceable", reason))
            break
        if len(fields) != width:
            reason = f"row has {len(fields)} fields, the header has {width}"
            given = dict(zip(header, fields, strict=False))
            report.rows.append(
                RowOutcome(
                    row,
                    given.get("event_id_cnty", "").strip(),
                    given.get("location", "").strip(),
                    "unplaceable",
                    reason,
                )
            )
            continue
        get = {h: v.strip() for h, v in zip(header, fields, strict=True)}
        report.rows.append(imp.row(row, get))
    report.new_places = [f["properties"]["city_id"] for f in imp.new_features]
    report.new_sources = imp.new_sources
    if not imp.events:
        return report
    report.period, report.bbox = _write(imp, out_dir)
    report.written = True
    record, report.problems = data.validate(out_dir)
    if record is not None:
        report.totals = (len(record.events), len(record.cities), len(record.sources))
    return report


# --------------------------------------------------------------------------- export


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _acled_frame(events: pd.DataFrame, record: data.Record) -> pd.DataFrame:
    regions = record.cities["region"] if len(record.cities) else pd.Series(dtype=str)
    derived: dict[str, pd.Series] = {
        "year": events["event_date"].dt.year.astype("Int64"),
        "admin1": events["city_id"].map(regions).fillna(""),
    }
    out = pd.DataFrame(index=events.index)
    for col in ACLED_COLUMNS + OUR_COLUMNS:
        if col in events.columns:
            out[col] = events[col]
        elif col in derived:
            out[col] = derived[col]
        else:
            out[col] = ""
    out["event_date"] = events["event_date"].dt.strftime("%Y-%m-%d")
    out["category"] = out["category"].astype(str)
    return out


def to_acled_csv(events: pd.DataFrame, record: data.Record) -> bytes:
    """The events as CSV: ACLED's 31 columns, then ours (city_id, category, source_ids, scope).

    Text cells that a spreadsheet would run as a formula are neutralised with a leading
    apostrophe; numeric columns (coordinates, precisions, fatalities, year) stay numbers.
    """
    frame = _acled_frame(events, record)
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].map(
                lambda v: neutralise_formula(v) if isinstance(v, str) else v
            )
    # CRLF as RFC 4180 says; it also makes the writer quote any cell holding a line break.
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def to_geojson(events: pd.DataFrame, record: data.Record) -> bytes:
    """The events as a GeoJSON FeatureCollection of Points at each event's coordinates."""
    frame = _acled_frame(events, record)
    names = record.cities["name"] if len(record.cities) else pd.Series(dtype=str)
    frame["place"] = events["city_id"].map(names).fillna("")
    keep = [c for c in frame.columns if c in events.columns or c in ("year", "admin1", "place")]
    props = frame[[c for c in keep if c not in ("latitude", "longitude")]]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {k: _plain(v) for k, v in zip(props.columns, values, strict=True)},
        }
        for lon, lat, values in zip(
            events["longitude"], events["latitude"], props.itertuples(index=False), strict=True
        )
    ]
    doc = {
        "type": "FeatureCollection",
        "record": {"title": record.settings.title, "version": record.version},
        "features": features,
    }
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
