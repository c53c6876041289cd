"""Events out, for the app's downloads: CSV in ACLED's shape, and GeoJSON.

:func:`to_acled_csv` writes ACLED's 31 columns, then ours, with formula-like text neutralised for
spreadsheets; :func:`to_geojson` writes the same events as a FeatureCollection of Points (with
geopandas). Nothing here imports streamlit, nor the ACLED importer.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd

from dashboard import data
from dashboard.text import neutralise_formula

# ACLED's export columns, in ACLED's order.
ACLED_COLUMNS: tuple[str, ...] = tuple(
    """event_id_cnty event_date year time_precision disorder_type event_type sub_event_type
    actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting
    iso region country admin1 admin2 admin3 location latitude longitude geo_precision
    source source_scale notes fatalities tags timestamp""".split()
)
# Our event columns that ACLED does not have, appended after ACLED's in exports.
OUR_COLUMNS: tuple[str, ...] = tuple(
    c for c in data.EVENT_REQUIRED + data.EVENT_OPTIONAL if c not in ACLED_COLUMNS
)


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


def to_geojson(events: pd.DataFrame, record: data.Record) -> bytes:
    """The events as a GeoJSON FeatureCollection of Points at each event's coordinates.

    Each feature's properties are the event's columns (as in :func:`to_acled_csv`, without the
    coordinates and the columns ACLED has and we do not), plus ``year``, ``admin1`` and
    ``place`` (the place's name); empty values are ``null``. Text is left as it is: GeoJSON is
    data, not a spreadsheet. The collection carries the record's title and version.
    """
    frame = _acled_frame(events, record)
    names = record.cities["name"] if len(record.cities) else pd.Series(dtype=str)
    frame["place"] = events["city_id"].map(names).fillna("")
    keep = [c for c in frame.columns if c in events.columns or c in ("year", "admin1", "place")]
    props = frame[[c for c in keep if c not in ("latitude", "longitude")]]
    points = gpd.points_from_xy(events["longitude"], events["latitude"], crs="EPSG:4326")
    doc = gpd.GeoDataFrame(props, geometry=points).to_geo_dict(na="null", drop_id=True)
    doc["record"] = {"title": record.settings.title, "version": record.version}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
