"""The record's contract as data: one pandera ``DataFrameSchema`` per record file.

Validation (``dashboard.validation``) runs on these schemas, and ``tests/test_schema_doc.py``
checks the column tables of ``geodata/README.md`` against them, so the contract is written once.

Why pandera rather than Frictionless Table Schema: pandera's checks run on whole columns at once
(pandas and pyarrow), so the million-event benchmark record parses and validates in about a
second; frictionless-py reads, casts and checks row by row in Python, far slower at that size,
and would need the rows once more as a frame afterwards. Pandera's checks are plain Python, so
the record's own rules (a list of source ids that must all resolve, a point inside a bounding box
or swapped, "at least one cited source was found") fit beside the stock ones (``isin``,
``in_range``, ``unique``); and ``lazy`` validation returns every failing cell with its row, which
is what the messages need.

How validation reads a schema:

* ``dtype`` is the type the column's text is parsed to: a date (ISO ``YYYY-MM-DD``), ``Int64``
  (a whole number) or ``float64`` (a decimal number); text that does not parse is an error on
  that cell. A column without a dtype is text, kept as it is. ``object`` columns (cities only)
  hold lists of strings.
* ``required=False``: the column may be left out of the file (it is then empty); ``nullable=False``:
  a cell must not be empty; ``unique=True``: no two rows share a value (later ones are reported).
* A check's ``error`` is the message, a template: ``{value}`` is the cell as the file has it
  (quoted), ``{raw}`` the same unquoted, ``{<column>}`` the row's parsed value of that column.
  ``statistics["details"]``, where a check has it, maps the cell to more fields.
* The schema's own ``checks`` compare columns of one row; each names in ``statistics`` the
  ``field`` it reports and the ``columns`` it reads.
* ``metadata={"from": "geometry"}`` marks the columns cities.geojson has as coordinates rather
  than as properties; a schema's ``metadata={"row": "feature"}`` says its rows are features.

Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa

from dashboard.problems import show

CITIES_FILE = "cities.geojson"
EVENTS_FILE = "events.csv"
SOURCES_FILE = "sources.csv"
FIGURES_FILE = "figures.csv"
PERIODS_FILE = "periods.csv"
SETTINGS_FILE = "record.json"

CATEGORIES: tuple[str, ...] = ("protest", "riot", "crackdown", "government response", "context")
SCOPES: tuple[str, ...] = ("local", "national")
PRECISIONS: tuple[int, ...] = (1, 2, 3)
PERIOD_KINDS: tuple[str, ...] = ("internet blackout", "state of emergency", "curfew")
# `death toll`: a total of people killed in the unrest (national, or one place's); `deaths`: a
# part of it (protesters, security personnel, deaths in custody...).
FIGURE_KINDS: tuple[str, ...] = (
    "death toll",
    "deaths",
    "injuries",
    "arrests",
    "troops",
    "aircraft",
    "crowd",
    "damage",
    "fuel_price",
    "claim",
    "other",
)
OUTLET_TYPES: tuple[str, ...] = (
    "official",
    "state media",
    "independent media",
    "international organisation",
    "rights group",
    "analysis",
    "other",
)
NOT_FOUND = "not found"  # a source's `checked` when its stored copy could not be read

# Kazakhstan's extent with a small margin, as (west, south, east, north).
KAZAKHSTAN_BBOX: tuple[float, float, float, float] = (46.4, 40.5, 87.4, 55.5)
DEFAULT_PERIOD: tuple[date, date] = (date(2021, 12, 28), date(2022, 1, 31))

DATE: Final = "datetime64[us]"
LARGEST_NUMBER = 2**31
# Figures count money too (damage in tenge runs to tens of billions).
LARGEST_AMOUNT = 10**15
ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,63}"
ADDRESS_PATTERN = r"https?://[^\s<>\"']+$"
CYRILLIC_PATTERN = "[\u0400-\u04ff]"
# The record's own text in Russian (written by the project): optional columns, since ACLED
# imports and other records have none, but a file that has one fills every cell of it.
RUSSIAN_COLUMNS: tuple[str, ...] = ("notes_ru", "label_ru")
# notes_ru of the events an import adds to a record that has Russian text: an export has none,
# and an empty cell there would be an error. The pages show such an event's English text.
NO_RUSSIAN = "(русского текста нет: событие импортировано из ACLED)"


@dataclass(frozen=True)
class RecordSettings:
    """Per-record settings from the optional ``record.json``."""

    title: str = "January 2022 unrest in Kazakhstan"
    period: tuple[date, date] = DEFAULT_PERIOD
    bbox: tuple[float, float, float, float] = KAZAKHSTAN_BBOX
    region_name: str = "Kazakhstan"


@dataclass(frozen=True)
class Keys:
    """The ids other files of the record hold, for a file's foreign keys."""

    places: pd.Index | None = None  # city_id of every place kept; None: not checked
    sources: pd.Index | None = None  # source_id of every source kept; None: not checked
    found: pd.Index | None = None  # sources not marked `not found`, when sources.csv has `checked`


# --------------------------------------------------------------------------- checks


def _literal(text: str) -> str:
    """Text put into a message template as it is."""
    return text.replace("{", "{{").replace("}", "}}")


def one_of(values: Sequence[Any], *, empty_is_wrong: bool = False) -> pa.Check:
    """The cell is one of ``values`` (an empty cell too, unless ``empty_is_wrong``)."""
    shown = _literal(", ".join(str(v) for v in values))
    return pa.Check.isin(
        list(values), ignore_na=not empty_is_wrong, error=f"{{value}} is not one of: {shown}"
    )


def at_least_zero() -> pa.Check:
    return pa.Check.ge(0, error="{value} is negative")


def plausible(largest: int = LARGEST_NUMBER) -> pa.Check:
    return pa.Check.le(largest, error="{value} is implausibly large")


def cyrillic() -> pa.Check:
    """Russian text: the cell has at least one Cyrillic letter (so not English left in place)."""
    return pa.Check.str_contains(
        CYRILLIC_PATTERN, error="{value} has no Cyrillic letter; Russian text is expected"
    )


def address() -> pa.Check:
    return pa.Check.str_matches(ADDRESS_PATTERN, error="{value} is not an http(s) address")


def known(keys: pd.Index, what: str) -> pa.Check:
    """A foreign key: the cell is one of ``keys``."""
    return pa.Check(lambda s: s.isin(keys), name="known key", error=f"{{value}} is not {what}")


def scope(places: pd.Index) -> pa.Check:
    """``national`` or a place (figures, periods): an empty cell is neither."""
    return pa.Check(
        lambda s: s.eq("national") | s.isin(places),
        ignore_na=False,
        name="scope",
        error=f"{{value}} is neither 'national' nor a place in {CITIES_FILE}",
    )


def _ids(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The distinct cells of a ``;``-separated id column, and their ids (index: position in
    the distinct cells). Few distinct values in many rows: each is split once."""
    distinct = pd.Series(cells.dropna().unique())
    ids = distinct.str.split(";").explode().str.strip()
    return distinct, ids[ids.notna() & (ids != "")]


def _per_cell(cells: pd.Series, distinct: pd.Series, flags: pd.Series) -> pd.Series:
    """``flags`` (by position in ``distinct``) spread back over ``cells``; empty cells pass."""
    failing = flags.index[~flags.to_numpy(dtype=bool)]
    return ~cells.isin(distinct.iloc[failing])


def first_unknown_id(cell: str | Iterable[str], keys: pd.Index) -> str:
    """The first id of a list cell (``a;b`` text or a list) that is not in ``keys``."""
    ids = cell.split(";") if isinstance(cell, str) else list(cell)
    return next((i.strip() for i in ids if i.strip() and i.strip() not in keys), "")


def known_ids(keys: pd.Index, what: str) -> pa.Check:
    """A list of foreign keys, ``;``-separated: every one is in ``keys``."""

    def every_id_known(cells: pd.Series) -> pd.Series:
        distinct, ids = _ids(cells)
        return _per_cell(cells, distinct, ids.isin(keys).groupby(level=0).all())

    return pa.Check(
        every_id_known,
        name="known ids",
        error=f"{{first_unknown}} is not {what}",
        statistics={"details": lambda cell: {"first_unknown": show(first_unknown_id(cell, keys))}},
    )


def cites_found(found: pd.Index) -> pa.Check:
    """At least one of the cited sources is not marked ``not found``."""

    def some_source_found(cells: pd.Series) -> pd.Series:
        distinct, ids = _ids(cells)
        return _per_cell(cells, distinct, ids.isin(found).groupby(level=0).any())

    return pa.Check(
        some_source_found,
        name="cites a found source",
        error=f"{{value}}: every source cited is marked '{NOT_FOUND}' in {SOURCES_FILE} "
        "(its stored copy could not be read); cite one that was read",
    )


def checked_date() -> pa.Check:
    """A source's ``checked``: an ISO date or exactly ``not found``."""

    def date_or_not_found(cells: pd.Series) -> pd.Series:
        iso = cells.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        parsed = pd.to_datetime(cells.where(iso), format="%Y-%m-%d", errors="coerce")
        return cells.eq(NOT_FOUND) | parsed.notna()

    return pa.Check(
        date_or_not_found,
        name="date or not found",
        error=f"{{value}} is neither a date in YYYY-MM-DD form nor '{NOT_FOUND}'",
    )


def inside(bbox: tuple[float, ...], region: str, lat: str, lon: str, field: str) -> list[pa.Check]:
    """Row checks: the point (``lat``, ``lon`` columns) lies inside ``bbox``; a point outside
    whose swapped coordinates would be inside gets its own message."""
    w, s, e, n = bbox
    order = "latitude and longitude" if field != "geometry" else "longitude and latitude"
    point = f"({{{lat}}}, {{{lon}}})" if field != "geometry" else f"[{{{lon}}}, {{{lat}}}]"

    def flags(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
        y, x = frame[lat], frame[lon]
        missing = y.isna() | x.isna()
        return missing, y.between(s, n) & x.between(w, e), x.between(s, n) & y.between(w, e)

    def not_outside(frame: pd.DataFrame) -> pd.Series:
        missing, ok, swapped = flags(frame)
        return missing | ok | swapped

    def not_swapped(frame: pd.DataFrame) -> pd.Series:
        missing, ok, swapped = flags(frame)
        return missing | ok | ~swapped

    where = _literal(region)
    stats = {"field": field, "columns": [lat, lon]}
    return [
        pa.Check(not_outside, name="inside", error=f"{point} is outside {where}", statistics=stats),
        pa.Check(
            not_swapped,
            name="not swapped",
            error=f"{point} is outside {where} ({order} swapped?)",
            statistics=stats,
        ),
    ]


def not_below(low: str, high: str, error: str) -> pa.Check:
    """Row check: ``high`` is not below ``low`` (either may be empty)."""
    return pa.Check(
        lambda f: ~(f[high] < f[low]).fillna(False).astype(bool),
        name=f"{high} not below {low}",
        error=error,
        statistics={"field": high, "columns": [low, high]},
    )


# --------------------------------------------------------------------------- columns


def text(
    *checks: pa.Check, required: bool = True, empty: bool = True, unique: bool = False
) -> pa.Column:
    """Text, kept as the file has it (stripped). No ``dtype``: it is text as read, so there is
    no type to check (pandera's check of a string dtype costs a millisecond a column)."""
    return pa.Column(
        None,
        checks=list(checks),
        required=required,
        nullable=empty,
        unique=unique,
        report_duplicates="exclude_first",
    )


def russian() -> pa.Column:
    """A Russian version of the column before it: the file may leave the column out (it is
    then empty), but where it is there every cell holds Russian text."""
    return text(cyrillic(), required=False, empty=False)


def day(*checks: pa.Check, required: bool = True, empty: bool = False) -> pa.Column:
    return pa.Column(DATE, checks=list(checks), required=required, nullable=empty)


def whole(*checks: pa.Check, required: bool = True, empty: bool = False) -> pa.Column:
    return pa.Column("Int64", checks=list(checks), required=required, nullable=empty)


def number(*checks: pa.Check, metadata: dict[str, str] | None = None) -> pa.Column:
    return pa.Column("float64", checks=list(checks), nullable=False, metadata=metadata)


def id_list(keys: Keys, *, found: bool = False) -> pa.Column:
    """``source_ids``: sources.csv ids separated by ``;``, each known, and (``found``, when
    sources.csv says which were checked) at least one whose stored copy was read."""
    checks = []
    if keys.sources is not None:
        checks.append(known_ids(keys.sources, f"a known source in {SOURCES_FILE}"))
    if found and keys.found is not None:
        checks.append(cites_found(keys.found))
    return text(*checks, empty=False)


def _place(keys: Keys) -> list[pa.Check]:
    return [] if keys.places is None else [known(keys.places, f"a place in {CITIES_FILE}")]


def _scope(keys: Keys) -> list[pa.Check]:
    return [] if keys.places is None else [scope(keys.places)]


# --------------------------------------------------------------------------- the files


def sources_schema() -> pa.DataFrameSchema:
    optional = {"required": False}
    return pa.DataFrameSchema(
        {
            "source_id": text(empty=False, unique=True),
            "outlet": text(empty=False),
            "title": text(empty=False),
            "author": text(**optional),
            "published": day(required=False, empty=True),
            "published_note": text(**optional),
            "url": text(address(), **optional),
            "seed_file": text(**optional),
            "checked": text(checked_date(), **optional),
            "stored_copy": text(address(), **optional),
            "outlet_type": text(one_of(OUTLET_TYPES), **optional),
            "outlet_group": text(
                pa.Check.str_matches(
                    ID_PATTERN + "$", error="{value} is not a lowercase slug (a-z, 0-9, - and _)"
                ),
                **optional,
            ),
        },
        name=SOURCES_FILE,
    )


def cities_schema(settings: RecordSettings, keys: Keys) -> pa.DataFrameSchema:
    """The properties of each feature of cities.geojson, and its point (``lat``, ``lon``)."""
    sources = keys.sources
    source_checks = []
    if sources is not None:
        source_checks.append(
            pa.Check(
                lambda s: s.map(lambda ids: all(i in sources for i in ids)).astype(bool),
                name="known ids",
                error=f"{{first_unknown}} is not a known source in {SOURCES_FILE}",
                statistics={
                    "details": lambda ids: {"first_unknown": show(first_unknown_id(ids, sources))}
                },
            )
        )
    geometry = {"from": "geometry"}
    return pa.DataFrameSchema(
        {
            "city_id": text(
                pa.Check.str_matches(
                    ID_PATTERN + "$",
                    error="{value} is not an id (lowercase letters, digits, - and _)",
                ),
                empty=False,
                unique=True,
            ),
            "name": text(empty=False),
            "name_kk": text(required=False),
            "name_ru": text(required=False),
            "aliases": pa.Column(object, required=False),
            "region": text(required=False),
            "source_ids": pa.Column(object, checks=source_checks, required=False),
            "lat": number(metadata=geometry),
            "lon": number(metadata=geometry),
        },
        checks=inside(settings.bbox, settings.region_name, "lat", "lon", "geometry"),
        name=CITIES_FILE,
        metadata={"row": "feature"},
    )


def events_schema(settings: RecordSettings, keys: Keys) -> pa.DataFrameSchema:
    lo, hi = settings.period
    period = pa.Check.in_range(
        pd.Timestamp(lo),
        pd.Timestamp(hi),
        error=f"{{raw}} is outside the record period {lo} to {hi}",
    )
    return pa.DataFrameSchema(
        {
            "event_id_cnty": text(empty=False, unique=True),
            "event_date": day(period),
            "time_precision": whole(one_of(PRECISIONS)),
            "disorder_type": text(required=False),
            "event_type": text(empty=False),
            "sub_event_type": text(),
            "actor1": text(required=False),
            "actor2": text(required=False),
            "location": text(empty=False),
            "latitude": number(),
            "longitude": number(),
            "geo_precision": whole(one_of(PRECISIONS)),
            "source": text(empty=False),
            "notes": text(empty=False),
            "notes_ru": russian(),
            "fatalities": whole(at_least_zero(), plausible(), empty=True),
            "city_id": text(*_place(keys), empty=False),
            "category": text(one_of(CATEGORIES, empty_is_wrong=True), empty=False),
            "scope": text(one_of(SCOPES), required=False),
            "source_ids": id_list(keys, found=True),
        },
        checks=inside(
            settings.bbox, settings.region_name, "latitude", "longitude", "latitude/longitude"
        ),
        name=EVENTS_FILE,
    )


def figures_schema(keys: Keys) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "figure_id": text(empty=False, unique=True),
            "kind": text(one_of(FIGURE_KINDS, empty_is_wrong=True), empty=False),
            "label": text(empty=False),
            "label_ru": russian(),
            "value": whole(at_least_zero(), plausible(LARGEST_AMOUNT)),
            "value_max": whole(
                at_least_zero(), plausible(LARGEST_AMOUNT), required=False, empty=True
            ),
            "unit": text(empty=False),
            "qualifier": text(required=False),
            "scope": text(*_scope(keys), empty=False),
            "as_of": day(),
            "as_of_precision": whole(one_of(PRECISIONS), required=False, empty=True),
            "claimed_by": text(empty=False),
            "claimant_type": text(required=False),
            "source_ids": id_list(keys, found=True),
            "notes": text(required=False),
        },
        checks=[not_below("value", "value_max", "is smaller than value")],
        name=FIGURES_FILE,
    )


def periods_schema(keys: Keys) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "period_id": text(empty=False, unique=True),
            "kind": text(one_of(PERIOD_KINDS, empty_is_wrong=True), empty=False),
            "label": text(empty=False),
            "label_ru": russian(),
            "start": day(),
            "end": day(),
            "scope": text(*_scope(keys), empty=False),
            "source_ids": id_list(keys, found=True),
            "notes": text(required=False),
        },
        checks=[not_below("start", "end", "is before start")],
        name=PERIODS_FILE,
    )


SCHEMAS: dict[str, Callable[[RecordSettings, Keys], pa.DataFrameSchema]] = {
    CITIES_FILE: cities_schema,
    EVENTS_FILE: events_schema,
    FIGURES_FILE: lambda _, keys: figures_schema(keys),
    PERIODS_FILE: lambda _, keys: periods_schema(keys),
    SOURCES_FILE: lambda *_: sources_schema(),
}


def documented(file: str) -> pa.DataFrameSchema:
    """A file's schema with every check, keys included (empty), as the data dictionary shows
    it."""
    empty = pd.Index([], dtype=str)
    return SCHEMAS[file](RecordSettings(), Keys(places=empty, sources=empty, found=empty))


def columns(schema: pa.DataFrameSchema, *, required: bool) -> tuple[str, ...]:
    """The file's required (or optional) columns, in the schema's order."""
    return tuple(
        name
        for name, column in schema.columns.items()
        if column.required == required and (column.metadata or {}).get("from") is None
    )


def allowed_values(column: pa.Column) -> list[Any] | None:
    """The values a column allows (its ``isin`` check), or None when it allows any."""
    for check in column.checks:
        if check.name == "isin":
            return list(check.statistics["allowed_values"])
    return None
