"""ACLED in: import an ACLED export into record files, and report on every row.

:func:`import_acled` reads an ACLED export (its standard 31 columns, any country or period;
older exports with upper-case headers or without the 2023 columns work too) and writes
``events.csv``, ``cities.geojson``, ``sources.csv`` and ``record.json`` so that
``data.load_record`` accepts the folder. Every input row gets an outcome in the
:class:`ImportReport`: kept (and on which place), merged (a duplicate ``event_id_cnty``) or
unplaceable (and why). Nothing is dropped silently.

Placing a row: by name, alias, spelling or distance, as :mod:`dashboard.acled_places` says.
A row placed by distance is drawn at that place's centre, so its ``geo_precision`` is raised to
at least 2 ("near or part of") and the report says so. A row no rule places makes a new place
from the ACLED location and coordinates (``region`` = admin1), which later rows match like any
other.

Category, from ACLED's ``sub_event_type``, else its ``event_type`` (see :func:`category_of`):

* Peaceful protest, Protest with intervention -> protest;
  Violent demonstration, Mob violence -> riot
* Excessive force against protesters, Arrests -> crackdown
* Battles, Explosions/Remote violence -> crackdown when either actor is state forces
  (``inter1``/``inter2`` is 1 or "State forces"), else context
* Violence against civilians -> crackdown when actor 1 is state forces, else context
* other Strategic developments -> government response when actor 1 is state forces, else context
* other Protests -> protest; other Riots -> riot; anything else -> context

Sources: one ``sources.csv`` row for the ACLED dataset (``acled``) and one per distinct outlet
named in ACLED's ``source`` field (``;``-separated); each event cites the dataset and its outlets.

Merging with an existing record and writing the folder: :mod:`dashboard.acled_files`.
Nothing here imports streamlit.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from dashboard import data, places
from dashboard.acled_files import (
    AcledImportError,
    Additions,
    Base,
    BBox,
    holds_record,
    load_base,
    read_export,
    write_record,
)
from dashboard.acled_places import Method, Places, slug, unique_id

ACLED_SOURCE_ID = "acled"
ACLED_OUTLET = "ACLED"
ACLED_TITLE = "Armed Conflict Location & Event Data (ACLED) export"
ACLED_URL = "https://acleddata.com/"

_MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)
_MONTHS = {n: i for i, full in enumerate(_MONTH_NAMES, 1) for n in (full, full[:3])} | {"sept": 9}
_STATE_FORCES = {"1", "state forces"}

Outcome = Literal["kept", "merged", "unplaceable"]


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


def _is_state(inter: str) -> bool:
    return inter.strip().casefold() in _STATE_FORCES


def category_of(event_type: str, sub_event_type: str, inter1: str, inter2: str) -> str:
    """Our category for an ACLED event (the rule is in the module docstring)."""
    sub = sub_event_type.strip().casefold()
    kind = event_type.strip().casefold()
    if sub in ("peaceful protest", "protest with intervention"):
        return "protest"
    if sub in ("violent demonstration", "mob violence"):
        return "riot"
    if sub.startswith("excessive force against protest") or sub == "arrests":
        return "crackdown"
    state1, state2 = _is_state(inter1), _is_state(inter2)
    if kind in ("battles", "explosions/remote violence"):
        return "crackdown" if state1 or state2 else "context"
    if kind == "violence against civilians":
        return "crackdown" if state1 else "context"
    if kind == "strategic developments":
        return "government response" if state1 else "context"
    if kind == "riots":
        return "riot"
    if kind == "protests":
        return "protest"
    return "context"


def _outlets(source: str) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in source.split(";") if s.strip()))


# --------------------------------------------------------------------------- import


class _Importer:
    """The rules for one export row at a time, and what the kept rows add to the record."""

    def __init__(self, export: Path, base: Base | None, max_km: float) -> None:
        self.export = export
        self.places = Places(max_km)
        self.new = Additions()
        self.kept_ids: dict[str, int] = {}
        self.existing_ids: dict[str, int] = {}
        self.sources: list[dict[str, str]] = list(base.sources) if base else []
        self.source_ids = {s["source_id"] for s in self.sources}
        self.source_by_key = {(s["outlet"], s["title"]): s["source_id"] for s in self.sources}
        self.new_sources: list[str] = []
        if base is not None:
            cities = base.record.cities
            for city_id, city in cities.iterrows():
                self.places.add(str(city_id), places.spellings(city), city["lat"], city["lon"])
            ev = base.record.events
            self.existing_ids = dict(zip(ev["event_id_cnty"], ev["row"], strict=True))

    def source_id(self, outlet: str, title: str, preferred: str, **extra: str) -> str:
        """The id of the source row (outlet, title), added if the record has none."""
        found = self.source_by_key.get((outlet, title))
        if found:
            return found
        sid = unique_id(preferred, self.source_ids)
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
        city_id = self.places.new_id(location, region)
        names = {"name": location, "name_kk": "", "name_ru": "", "aliases": []}
        self.new.features.append(
            {
                "type": "Feature",
                "properties": {"city_id": city_id, **names, "region": region},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
        return self.places.add(city_id, [location], lat, lon)

    def row(self, row: int, get: dict[str, str]) -> RowOutcome:
        event_id, location = get["event_id_cnty"], get["location"]

        def unplaceable(reason: str) -> RowOutcome:
            return RowOutcome(row, event_id, location, "unplaceable", reason)

        def merged(reason: str) -> RowOutcome:
            return RowOutcome(row, event_id, location, "merged", reason)

        if not event_id:
            return unplaceable("event_id_cnty is empty")
        if event_id in self.kept_ids:
            return merged(f"same event_id_cnty as row {self.kept_ids[event_id]}; kept once")
        if event_id in self.existing_ids:
            return merged(
                f"already in the existing record ({data.EVENTS_FILE} row "
                f"{self.existing_ids[event_id]}); that row is kept"
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
        self.new.events.append(
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
        self.new.dates.append(when)
        self.new.points.append((lon, lat))
        if get.get("country"):
            self.new.countries.setdefault(get["country"])
        return RowOutcome(
            row, event_id, location, "kept", detail + extra, city_id, method, distance
        )


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
    if existing is None and holds_record(out_dir):
        existing = out_dir
    elif existing is not None and holds_record(out_dir) and existing.resolve() != out_dir.resolve():
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
    header, rows, notes = read_export(export_csv)
    base = load_base(existing) if existing is not None else None
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
    report.new_places = [f["properties"]["city_id"] for f in imp.new.features]
    report.new_sources = imp.new_sources
    if not imp.new.events:
        return report
    report.period, report.bbox = write_record(out_dir, base, imp.new, imp.sources)
    report.written = True
    record, report.problems = data.validate(out_dir)
    if record is not None:
        report.totals = (len(record.events), len(record.cities), len(record.sources))
    return report
