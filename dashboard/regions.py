"""A record's first-level regions (``regions.geojson``): read, checked, and joined to points.

The bundled record carries Kazakhstan's 17 units of January 2022 (geokz, CC BY 4.0; see
geodata/README.md). A record without the file simply has no regions layer. The file is
untrusted like every record file: a malformed one gives problems naming the file and the
feature, and the map carries on without the layer. Pure: no streamlit.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data import Problem

REGIONS_FILE = "regions.geojson"
NAME_FIELDS = ("name_en", "name_kk", "name_ru")
# Display copy: boundaries simplified to about 2 km, which keeps a map update small.
DISPLAY_TOLERANCE_DEG = 0.02
MAX_REGIONS = 500


@dataclass(frozen=True)
class Regions:
    """Regions with a ``region_id`` (0..n-1), names, the full shape for joins and a simplified
    one for drawing."""

    frame: gpd.GeoDataFrame
    display: gpd.GeoDataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def assign(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The region of each point (-1 outside every region), by a spatial join; points on a
        shared border go to the first region that holds them. Unique coordinates are joined
        once, so a million events at a few hundred sites cost a few hundred lookups."""
        coords = np.column_stack([lat, lon]).astype(float)
        if not len(coords):
            return np.zeros(0, dtype=np.int64)
        unique, back = np.unique(coords, axis=0, return_inverse=True)
        points = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(unique[:, 1], unique[:, 0]), crs=self.frame.crs
        )
        joined = gpd.sjoin(points, self.frame[["region_id", "geometry"]], predicate="intersects")
        first = joined.groupby(level=0)["region_id"].min()
        codes = np.full(len(unique), -1, dtype=np.int64)
        codes[first.index.to_numpy()] = first.to_numpy()
        return codes[back.ravel()]


def load_regions(data_dir: Path) -> tuple[Regions | None, list[Problem]]:
    """The folder's regions, or None (no file, or a file that cannot be used) with problems."""
    path = data_dir / REGIONS_FILE
    if not path.is_file():
        return None, []
    problems: list[Problem] = []

    def fail(row: int | None, fld: str | None, message: str) -> tuple[None, list[Problem]]:
        problems.append(
            Problem(
                REGIONS_FILE, row, fld, f"{message}; the map is shown without regions", "warning"
            )
        )
        return None, problems

    try:
        doc = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return fail(None, None, f"is not valid UTF-8 GeoJSON ({exc.__class__.__name__})")
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        return fail(None, None, "is not a GeoJSON FeatureCollection with features")
    if len(features) > MAX_REGIONS:
        return fail(None, None, f"has {len(features)} features, more than {MAX_REGIONS}")
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            return fail(number, None, "feature has no properties")
        for fld in NAME_FIELDS:
            if not isinstance(props.get(fld), str) or not props[fld].strip():
                return fail(number, fld, "is missing or empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError) as exc:
        return fail(None, "geometry", f"has a geometry that cannot be read ({exc})")
    bad = ~frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) | ~frame.geometry.is_valid
    if bad.any():
        return fail(
            int(np.flatnonzero(bad.to_numpy())[0]) + 1, "geometry", "is not a valid polygon"
        )
    frame = frame.reset_index(drop=True)
    frame["region_id"] = np.arange(len(frame))
    frame = frame[["region_id", *NAME_FIELDS, "geometry"]]
    display = frame.copy()
    display["geometry"] = frame.geometry.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    return Regions(frame, display), problems


def uncovered_places(regions: Regions, cities: pd.DataFrame) -> list[str]:
    """Places of the record that lie in no region (a file that does not cover the record)."""
    codes = regions.assign(cities["lat"].to_numpy(), cities["lon"].to_numpy())
    return [str(c) for c in cities.index[codes < 0]]
