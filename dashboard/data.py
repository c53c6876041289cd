"""Load and validate a Qantar Map record folder.

A record folder holds ``cities.geojson``, ``events.csv``, ``sources.csv`` and optionally
``figures.csv``, ``periods.csv`` and ``record.json`` (see geodata/README.md). ``load_record``
reads it into typed frames and a list of :class:`Problem` entries, each naming file, row and
field. What each file must hold is written once, as data: the schemas in ``dashboard.schema``;
``dashboard.readers`` reads the files as text and ``dashboard.validation`` runs the schemas.

Two kinds of problem:

* fatal: the folder cannot be read as a record at all (a missing or unreadable file, malformed
  GeoJSON, a missing required column). ``load_record`` raises :class:`RecordError` listing them.
* row-level: one row is bad (a bad date, an unknown city...). That row is left out of the
  record and the problem says so; every good row is kept.

``record.cities`` is a plain DataFrame indexed by ``city_id``, with each place's point as
``lat``/``lon``: geopandas is not used here (see ``dashboard.readers`` for why), and there is no
geometry column. Work that needs shapes (a spatial join of places to regions) builds them from
``lat``/``lon`` with ``geopandas.points_from_xy`` where it needs them.

``record.events["day"]`` (days since the start of the record period) is computed here for the
range index in ``dashboard.query``; it belongs with that index and is to move there.

Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from dashboard import readers
from dashboard.problems import MAX_PROBLEMS_PER_CHECK, Collector, Problem, RecordError, Severity
from dashboard.schema import (
    CATEGORIES,
    CITIES_FILE,
    DEFAULT_PERIOD,
    EVENTS_FILE,
    FIGURES_FILE,
    KAZAKHSTAN_BBOX,
    NOT_FOUND,
    OUTLET_TYPES,
    PERIOD_KINDS,
    PERIODS_FILE,
    PRECISIONS,
    SCOPES,
    SETTINGS_FILE,
    SOURCES_FILE,
    Keys,
    RecordSettings,
    cities_schema,
    columns,
    documented,
    events_schema,
    figures_schema,
    periods_schema,
    sources_schema,
)
from dashboard.validation import conform, empty_frame

__all__ = [
    "CATEGORIES",
    "CITIES_FILE",
    "DATA_DIR_ENV",
    "DEFAULT_DATA_DIR",
    "DEFAULT_PERIOD",
    "EVENTS_FILE",
    "EVENT_OPTIONAL",
    "EVENT_REQUIRED",
    "FAST_CSV_BYTES",
    "FIGURES_FILE",
    "FIGURE_OPTIONAL",
    "FIGURE_REQUIRED",
    "KAZAKHSTAN_BBOX",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_CHECK",
    "NOT_FOUND",
    "OUTLET_TYPES",
    "PERIODS_FILE",
    "PERIOD_KINDS",
    "PERIOD_OPTIONAL",
    "PERIOD_REQUIRED",
    "PRECISIONS",
    "SCOPES",
    "SETTINGS_FILE",
    "SOURCES_FILE",
    "SOURCE_OPTIONAL",
    "SOURCE_REQUIRED",
    "Problem",
    "Record",
    "RecordError",
    "RecordSettings",
    "Severity",
    "data_dir_from_env",
    "fingerprint",
    "load_record",
    "record_files",
    "record_version",
    "validate",
]

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "geodata"
DATA_DIR_ENV = "QANTAR_DATA_DIR"

MAX_FILE_BYTES = 512 * 1024 * 1024
# CSV files this big are parsed by pyarrow first (see readers.read_big_csv).
FAST_CSV_BYTES = 8 * 1024 * 1024

# The columns of each file, from its schema.
EVENT_REQUIRED = columns(documented(EVENTS_FILE), required=True)
EVENT_OPTIONAL = columns(documented(EVENTS_FILE), required=False)
SOURCE_REQUIRED = columns(documented(SOURCES_FILE), required=True)
SOURCE_OPTIONAL = columns(documented(SOURCES_FILE), required=False)
FIGURE_REQUIRED = columns(documented(FIGURES_FILE), required=True)
FIGURE_OPTIONAL = columns(documented(FIGURES_FILE), required=False)
PERIOD_REQUIRED = columns(documented(PERIODS_FILE), required=True)
PERIOD_OPTIONAL = columns(documented(PERIODS_FILE), required=False)

FILE_ORDER = (SETTINGS_FILE, CITIES_FILE, EVENTS_FILE, SOURCES_FILE, FIGURES_FILE, PERIODS_FILE)
PROBLEM_ORDER = (SETTINGS_FILE, CITIES_FILE, SOURCES_FILE, EVENTS_FILE, FIGURES_FILE, PERIODS_FILE)
CITY_COLUMNS = [
    "city_id",
    "name",
    "name_kk",
    "name_ru",
    "region",
    "aliases",
    "source_ids",
    "row",
    "lat",
    "lon",
]


@dataclass(frozen=True)
class Record:
    """A validated record. Frames are shared between sessions: never mutate them."""

    cities: pd.DataFrame
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
    return [data_dir / n for n in FILE_ORDER if (data_dir / n).is_file()]


def fingerprint(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: (name, size, mtime) of each record file."""
    out = []
    for path in record_files(data_dir):
        st = path.stat()
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def record_version(data_dir: Path) -> str:
    """A short content hash of the record files: cite it to pin the data a view showed."""
    digest = hashlib.sha256()
    for path in record_files(data_dir):
        digest.update(path.name.encode())
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:12]


# --------------------------------------------------------------------------- the files


def _read_csv(path: Path, schema: pa.DataFrameSchema, out: Collector) -> pd.DataFrame | None:
    return readers.read_csv(path, schema, out, max_bytes=MAX_FILE_BYTES, fast_bytes=FAST_CSV_BYTES)


def _load_sources(path: Path, out: Collector) -> tuple[pd.DataFrame | None, Keys]:
    """The sources, and the keys other files cite them by."""
    schema = sources_schema()
    text = _read_csv(path, schema, out)
    if text is None:
        return None, Keys()
    sources = conform(path.name, text, schema, out).set_index("source_id", drop=False)
    found = sources.index[sources["checked"] != NOT_FOUND] if "checked" in text else None
    return sources, Keys(sources=sources.index, found=found)


def _load_cities(
    path: Path, settings: RecordSettings, keys: Keys, out: Collector
) -> pd.DataFrame | None:
    text = readers.read_cities(path, out, max_bytes=MAX_FILE_BYTES)
    if text is None:
        return None
    cities = conform(path.name, text, cities_schema(settings, keys), out)
    return cities[CITY_COLUMNS].set_index("city_id", drop=False)


def _load_events(
    path: Path, settings: RecordSettings, keys: Keys, out: Collector
) -> pd.DataFrame | None:
    schema = events_schema(settings, keys)
    text = _read_csv(path, schema, out)
    if text is None:
        return None
    if text.empty:
        out.add(path.name, None, None, "the file has no events", "warning")
    events = conform(path.name, text, schema, out)
    events["time_precision"] = events["time_precision"].astype("int8")
    events["geo_precision"] = events["geo_precision"].astype("int8")
    events["scope"] = events["scope"].replace("", "local")
    events["category"] = pd.Categorical(events["category"], categories=list(CATEGORIES))
    start = pd.Timestamp(settings.period[0])
    events["day"] = (events["event_date"] - start).dt.days.astype("int32")
    events = events.sort_values(["event_date", "event_id_cnty"], kind="stable")
    return events.reset_index(drop=True)


def _load_figures(path: Path, keys: Keys, out: Collector) -> pd.DataFrame:
    schema = figures_schema(keys)
    text = _read_csv(path, schema, out) if path.is_file() else None
    if text is None:
        if path.is_file():
            out.add(path.name, None, None, "the file could not be read: no figure is shown")
        figures = empty_frame(schema)
    else:
        figures = conform(path.name, text, schema, out)
    figures["as_of_precision"] = figures["as_of_precision"].fillna(1).astype("int8")
    return figures.sort_values(["kind", "as_of", "figure_id"]).reset_index(drop=True)


def _load_periods(path: Path, keys: Keys, out: Collector) -> pd.DataFrame:
    schema = periods_schema(keys)
    text = _read_csv(path, schema, out) if path.is_file() else None
    if text is None:
        if path.is_file():
            out.add(path.name, None, None, "the file could not be read: no period is shown")
        return empty_frame(schema)
    periods = conform(path.name, text, schema, out)
    return periods.sort_values(["start", "period_id"]).reset_index(drop=True)


def load_record(data_dir: Path) -> Record:
    """Load and validate a record folder. Raises RecordError when it cannot be read at all."""
    out = Collector()
    if not data_dir.is_dir():
        raise RecordError([Problem(str(data_dir), None, None, "record folder does not exist")])
    settings = readers.read_settings(data_dir, out)
    sources, keys = _load_sources(data_dir / SOURCES_FILE, out)
    cities = _load_cities(data_dir / CITIES_FILE, settings, keys, out)
    if cities is None or sources is None:
        raise RecordError(_in_file_order(out.problems))
    keys = Keys(places=cities.index, sources=keys.sources, found=keys.found)
    events = _load_events(data_dir / EVENTS_FILE, settings, keys, out)
    if events is None:
        raise RecordError(_in_file_order(out.problems))
    figures = _load_figures(data_dir / FIGURES_FILE, keys, out)
    periods = _load_periods(data_dir / PERIODS_FILE, keys, out)
    return Record(
        cities=cities,
        events=events,
        sources=sources,
        figures=figures,
        periods=periods,
        settings=settings,
        version=record_version(data_dir),
        problems=tuple(_in_file_order(out.problems)),
    )


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (record.json, cities, sources...), each file's in its order."""
    rank = {name: i for i, name in enumerate(PROBLEM_ORDER)}
    return sorted(problems, key=lambda p: rank.get(p.file, len(rank)))


def validate(data_dir: Path) -> tuple[Record | None, list[Problem]]:
    """Every problem in a record folder, and the record when it could be read."""
    try:
        record = load_record(data_dir)
    except RecordError as exc:
        return None, exc.problems
    return record, list(record.problems)
