"""Synthetic records in the ``QANTAR_DATA_DIR`` format, for the benchmark.

``python bench/generate.py 100000 [--extra-places 2000] [--out DIR]`` writes a record folder
(cities.geojson, events.csv, sources.csv, record.json) that ``python -m dashboard validate``
accepts without a problem. The places are the real ones from geodata/cities.geojson (or the test
kit's three when that file is missing), optionally plus synthetic places at random points inside
a rough inner outline of Kazakhstan. Events are spread over the record's default period with a
peak in the first week of January, most of them at the biggest places. The same arguments and
seed always give the same files. Every row is synthetic: nothing here is part of the record.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from dashboard import data  # noqa: E402
from tests import recordkit  # noqa: E402

OUT_DIR = REPO / "bench" / "out" / "records"
DONE_MARK = ".generated"

# A rough outline drawn well inside Kazakhstan's border (lon, lat): every synthetic place is in
# the country, though the outline leaves out some of its edges.
INNER_KAZAKHSTAN = Polygon(
    [
        (50.5, 48.0),
        (50.0, 49.5),
        (52.0, 50.8),
        (58.0, 50.0),
        (61.5, 50.5),
        (63.0, 52.5),
        (69.0, 53.5),
        (76.0, 52.5),
        (79.5, 50.7),
        (83.5, 49.5),
        (81.0, 47.5),
        (79.5, 45.5),
        (77.0, 43.7),
        (71.5, 43.3),
        (68.5, 42.0),
        (65.0, 44.0),
        (61.5, 46.0),
        (56.0, 45.0),
        (55.5, 43.5),
        (53.5, 42.5),
        (51.5, 44.0),
        (54.0, 46.0),
        (52.0, 47.8),
    ]
)

CATEGORY_SHARE = {"protest": 0.5, "crackdown": 0.3, "government response": 0.12, "context": 0.08}
SUB_EVENT = {
    "protest": ["Peaceful protest", "Protest with intervention", "Violent demonstration"],
    "crackdown": ["Arrests", "Excessive force against protesters", "Attack"],
    "government response": ["Other"],
    "context": ["Other"],
}
EVENT_TYPE = {
    "protest": ("Demonstrations", "Protests"),
    "crackdown": ("Political violence", "Violence against civilians"),
    "government response": ("Strategic developments", "Strategic developments"),
    "context": ("Strategic developments", "Strategic developments"),
}
OUTLETS = ["Synthetic Wire", "Example Daily", "Test Radio", "Sample Agency", "Bench Observer"]
WORDS = (
    "crowd square akimat gathered fuel price police detained reported residents march night "
    "road blocked officials statement internet shutdown curfew troops arrived shots fired "
    "witnesses video hundreds dozens said according local media later released court fined "
    "workers strike demanded resignation government gas liquefied tenge square centre city"
).split()


def _cities() -> list[dict]:
    """The real places (as recordkit-style dicts with lon/lat)."""
    path = REPO / "geodata" / data.CITIES_FILE
    if not path.is_file():
        return [dict(c) for c in recordkit.CITIES]
    doc = json.loads(path.read_text("utf-8"))
    out = []
    for feat in doc["features"]:
        props = feat["properties"]
        lon, lat = feat["geometry"]["coordinates"][:2]
        out.append(
            {
                "city_id": props["city_id"],
                "name": props["name"],
                "name_kk": props.get("name_kk", ""),
                "name_ru": props.get("name_ru", ""),
                "aliases": list(props.get("aliases", [])),
                "region": props.get("region", ""),
                "lon": lon,
                "lat": lat,
            }
        )
    return out


def _extra_places(n: int, rng: np.random.Generator) -> list[dict]:
    west, south, east, north = INNER_KAZAKHSTAN.bounds
    places: list[dict] = []
    while len(places) < n:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if not INNER_KAZAKHSTAN.contains(Point(lon, lat)):
            continue
        i = len(places) + 1
        places.append(
            {
                "city_id": f"synthetic-{i:05d}",
                "name": f"Synthetic place {i}",
                "name_kk": "",
                "name_ru": "",
                "aliases": [],
                "region": "Synthetic",
                "lon": round(lon, 4),
                "lat": round(lat, 4),
            }
        )
    return places


def _notes(n: int, rng: np.random.Generator) -> list[str]:
    """Synthetic descriptions, 8 to 40 words (about 50 to 300 characters)."""
    lengths = rng.integers(8, 41, size=n)
    words = np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), size=int(lengths.sum()))]
    ends = np.cumsum(lengths)
    starts = ends - lengths
    return [
        "Synthetic event: " + " ".join(words[a:b]) + "." for a, b in zip(starts, ends, strict=True)
    ]


def record_folder(n_events: int, extra_places: int = 0, seed: int = 0) -> Path:
    """Where ``generate`` writes the record for these arguments."""
    suffix = f"-plus{extra_places}places" if extra_places else ""
    return OUT_DIR / f"events{n_events}{suffix}-seed{seed}"


def generate(n_events: int, extra_places: int = 0, seed: int = 0, out: Path | None = None) -> Path:
    """Write the record (unless an earlier run finished it) and return its folder."""
    folder = out or record_folder(n_events, extra_places, seed)
    if (folder / DONE_MARK).is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cities = _cities() + _extra_places(extra_places, rng)
    n_real = len(cities) - extra_places

    # Most events at the biggest real places (Zipf-like); a fifth at the synthetic ones.
    weights = np.concatenate(
        [
            1.0 / np.arange(1, n_real + 1),
            np.full(
                extra_places, 0.25 * (1.0 / np.arange(1, n_real + 1)).sum() / max(1, extra_places)
            ),
        ]
    )
    place = rng.choice(len(cities), size=n_events, p=weights / weights.sum())
    lo, hi = data.DEFAULT_PERIOD
    n_days = (hi - lo).days + 1
    peak = np.clip(np.round(rng.normal(9.0, 3.0, size=n_events)), 0, n_days - 1)
    day = np.where(rng.random(n_events) < 0.6, peak, rng.integers(0, n_days, size=n_events))
    cats = list(CATEGORY_SHARE)
    category = rng.choice(len(cats), size=n_events, p=list(CATEGORY_SHARE.values()))

    lon = np.array([c["lon"] for c in cities])[place]
    lat = np.array([c["lat"] for c in cities])[place]
    geo_precision = rng.choice([1, 2, 3], size=n_events, p=[0.8, 0.15, 0.05])
    time_precision = rng.choice([1, 2, 3], size=n_events, p=[0.85, 0.12, 0.03])
    fatal = rng.integers(0, 12, size=n_events).astype(str)
    fatal[rng.random(n_events) < 0.85] = ""
    pick = rng.integers(0, 3, size=n_events)
    sub_event = [
        SUB_EVENT[cats[k]][j % len(SUB_EVENT[cats[k]])] for k, j in zip(category, pick, strict=True)
    ]
    n_sources = 200
    source_a = rng.integers(0, n_sources, size=n_events)
    source_b = rng.integers(0, n_sources, size=n_events)
    dates = pd.Timestamp(lo) + pd.to_timedelta(day, unit="D")
    names = np.array([c["name"] for c in cities], dtype=object)
    ids = np.array([c["city_id"] for c in cities], dtype=object)
    events = pd.DataFrame(
        {
            "event_id_cnty": [f"SYN{i:07d}" for i in range(n_events)],
            "event_date": dates.strftime("%Y-%m-%d"),
            "time_precision": time_precision,
            "disorder_type": [EVENT_TYPE[cats[k]][0] for k in category],
            "event_type": [EVENT_TYPE[cats[k]][1] for k in category],
            "sub_event_type": sub_event,
            "actor1": "Protesters (Kazakhstan)",
            "actor2": "",
            "location": names[place],
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
            "geo_precision": geo_precision,
            "source": np.array(OUTLETS, dtype=object)[source_a % len(OUTLETS)],
            "notes": _notes(n_events, rng),
            "fatalities": fatal,
            "city_id": ids[place],
            "category": np.array(cats, dtype=object)[category],
            "scope": "local",
            "source_ids": [
                f"syn{a:04d}" if a == b else f"syn{a:04d};syn{b:04d}"
                for a, b in zip(source_a, source_b, strict=True)
            ],
        }
    )
    events.to_csv(folder / data.EVENTS_FILE, index=False)
    sources = [
        {
            "source_id": f"syn{i:04d}",
            "outlet": OUTLETS[i % len(OUTLETS)],
            "title": f"Synthetic report {i}",
            "published": (lo + timedelta(days=i % n_days)).isoformat(),
        }
        for i in range(n_sources)
    ]
    recordkit.write_csv(
        folder / data.SOURCES_FILE, sources, list(data.SOURCE_REQUIRED + data.SOURCE_OPTIONAL)
    )
    collection = {
        "type": "FeatureCollection",
        "features": [recordkit.feature(c) for c in cities],
    }
    (folder / data.CITIES_FILE).write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
    settings = {
        "title": f"Synthetic benchmark record ({n_events:,} events, {len(cities)} places)",
        "period": [lo.isoformat(), hi.isoformat()],
    }
    (folder / data.SETTINGS_FILE).write_text(json.dumps(settings), "utf-8")
    (folder / DONE_MARK).write_text("complete\n", "utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", type=int, help="number of events")
    parser.add_argument("--extra-places", type=int, default=0, help="synthetic places to add")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="default: bench/out/records/...")
    args = parser.parse_args(argv)
    print(generate(args.events, args.extra_places, args.seed, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
