"""Builds small record folders for tests. The rows are test data, not part of the record."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dashboard import data
from dashboard.schema import RUSSIAN_COLUMNS

CITIES = [
    {
        "city_id": "zhanaozen",
        "name": "Zhanaozen",
        "name_kk": "Жаңаөзен",
        "name_ru": "Жанаозен",
        "aliases": ["Janaozen"],
        "region": "Mangystau Region",
        "lon": 52.8600,
        "lat": 43.3400,
    },
    {
        "city_id": "almaty",
        "name": "Almaty",
        "name_kk": "Алматы",
        "name_ru": "Алматы",
        "aliases": ["Alma-Ata"],
        "region": "Almaty (city)",
        "lon": 76.8897,
        "lat": 43.2389,
    },
    {
        "city_id": "aktau",
        "name": "Aktau",
        "name_kk": "Ақтау",
        "name_ru": "Актау",
        "aliases": ["Aqtau"],
        "region": "Mangystau Region",
        "lon": 51.1600,
        "lat": 43.6500,
    },
]

SOURCES = [
    {
        "source_id": "s1",
        "outlet": "Test Outlet",
        "title": "First report",
        "published": "2022-01-10",
    },
    {"source_id": "s2", "outlet": "Other Outlet", "title": "Second report", "published": ""},
]

# (id, date, city, category, sub_event_type, fatalities)
EVENT_ROWS = [
    ("T1", "2022-01-02", "zhanaozen", "protest", "Peaceful protest", ""),
    ("T2", "2022-01-03", "zhanaozen", "protest", "Peaceful protest", ""),
    ("T3", "2022-01-03", "aktau", "protest", "Peaceful protest", ""),
    ("T4", "2022-01-04", "almaty", "protest", "Violent demonstration", ""),
    ("T5", "2022-01-05", "almaty", "crackdown", "Excessive force against protesters", "3"),
    ("T6", "2022-01-05", "almaty", "crackdown", "Arrests", ""),
    ("T7", "2022-01-06", "almaty", "government response", "Other", ""),
    ("T8", "2022-01-07", "aktau", "crackdown", "Arrests", "0"),
]


def event(id_: str, day: str, city: str, category: str, sub: str, fatalities: str) -> dict:
    c = next(c for c in CITIES if c["city_id"] == city)
    return {
        "event_id_cnty": id_,
        "event_date": day,
        "time_precision": "1",
        "disorder_type": "Demonstrations",
        "event_type": "Protests",
        "sub_event_type": sub,
        "actor1": "Protesters (Kazakhstan)",
        "actor2": "",
        "location": c["name"],
        "latitude": str(c["lat"]),
        "longitude": str(c["lon"]),
        "geo_precision": "1",
        "source": "Test Outlet",
        "notes": f"Test event {id_} in {c['name']}.",
        "notes_ru": f"Тестовое событие {id_}: {c['name']}.",
        "fatalities": fatalities,
        "city_id": city,
        "category": category,
        "scope": "local",
        "source_ids": "s1",
    }


def events() -> list[dict]:
    return [event(*row) for row in EVENT_ROWS]


def feature(city: dict) -> dict:
    props = {k: v for k, v in city.items() if k not in ("lon", "lat")}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [city["lon"], city["lat"]]},
    }


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    # A Russian column no row fills is left out, as in records that have no Russian text.
    columns = [c for c in columns if c not in RUSSIAN_COLUMNS or any(c in r for r in rows)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_record(
    folder: Path,
    *,
    cities: list[dict] | None = None,
    event_rows: list[dict] | None = None,
    sources: list[dict] | None = None,
    figures: list[dict] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": [feature(c) for c in (cities or CITIES)]}
    (folder / data.CITIES_FILE).write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
    write_csv(
        folder / data.EVENTS_FILE,
        event_rows if event_rows is not None else events(),
        list(data.EVENT_REQUIRED + data.EVENT_OPTIONAL),
    )
    write_csv(
        folder / data.SOURCES_FILE,
        sources or SOURCES,
        list(data.SOURCE_REQUIRED + data.SOURCE_OPTIONAL),
    )
    if figures:
        write_csv(
            folder / data.FIGURES_FILE, figures, list(data.FIGURE_REQUIRED + data.FIGURE_OPTIONAL)
        )
    return folder
