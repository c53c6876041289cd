"""Region boundaries: reading and checking the file, and the spatial join of points."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dashboard import data, query, regions
from dashboard.index import EventIndex, View
from tests.recordkit import event, write_record

BUNDLED = data.DEFAULT_DATA_DIR


@pytest.fixture(scope="module")
def kazakhstan() -> regions.Regions:
    loaded, problems = regions.load_regions(BUNDLED)
    assert problems == [] and loaded is not None
    return loaded


def region_of(kz: regions.Regions, lat: float, lon: float) -> str:
    (code,) = kz.assign(np.array([lat]), np.array([lon]))
    return "" if code < 0 else str(kz.frame.loc[code, "name_en"])


def test_the_bundled_file_has_the_17_units_of_january_2022(kazakhstan) -> None:
    assert len(kazakhstan) == 17
    names = set(kazakhstan.frame["name_en"])
    assert {"Nur-Sultan (city)", "Almaty (city)", "Shymkent (city)", "Mangystau"} <= names
    # the display copy is simplified, not the same shapes
    assert kazakhstan.display.geometry.iloc[0] != kazakhstan.frame.geometry.iloc[0]


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        # the city centre of Almaty is the city, not the region around it
        (43.2567, 76.9286, "Almaty (city)"),
        # Almaty's airport (about 15 km north-east of the centre) lies inside the city's unit
        (43.3521, 77.0405, "Almaty (city)"),
        # Talgar, just east of the city's edge, is in Almaty Region
        (43.3040, 77.2400, "Almaty"),
        # Zhanaozen and Aktau in Mangystau; Kulsary just over the line in Atyrau Region
        (43.3412, 52.8619, "Mangystau"),
        (43.6500, 51.1667, "Mangystau"),
        (46.9530, 54.0190, "Atyrau"),
        # Shymkent city and Turkestan Region around it
        (42.3417, 69.5901, "Shymkent (city)"),
        (43.2970, 68.2710, "Turkestan"),
        # out at sea, and abroad (Bishkek): no region
        (43.0, 50.0, ""),
        (42.8746, 74.5698, ""),
    ],
)
def test_points_near_borders_fall_in_the_right_region(kazakhstan, lat, lon, expected) -> None:
    assert region_of(kazakhstan, lat, lon) == expected


def test_many_points_are_joined_by_their_unique_coordinates(kazakhstan) -> None:
    lat = np.repeat([43.2567, 43.3412, 43.0], 10_000)
    lon = np.repeat([76.9286, 52.8619, 50.0], 10_000)
    codes = kazakhstan.assign(lat, lon)
    assert len(codes) == 30_000 and (codes[20_000:] == -1).all()
    assert len(set(codes[:10_000])) == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid UTF-8 GeoJSON"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "with features"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [{"type": "Feature", "properties": {"name_en": "X"}}],
                }
            ),
            "is missing or empty",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name_en": "X", "name_kk": "X", "name_ru": "X"},
                            "geometry": {"type": "Point", "coordinates": [70, 45]},
                        }
                    ],
                }
            ),
            "not a valid polygon",
        ),
    ],
)
def test_a_bad_regions_file_is_a_warning_and_no_layer(tmp_path: Path, content, needle) -> None:
    (tmp_path / regions.REGIONS_FILE).write_text(content, "utf-8")
    loaded, problems = regions.load_regions(tmp_path)
    assert loaded is None
    (problem,) = problems
    assert problem.file == regions.REGIONS_FILE and problem.severity == "warning"
    assert needle in problem.message and "without regions" in problem.message


def test_no_file_means_no_regions_and_no_problem(tmp_path: Path) -> None:
    assert regions.load_regions(tmp_path) == (None, [])


def test_region_counts_equal_a_plain_count_and_leave_out_national_measures(
    tmp_path: Path, kazakhstan
) -> None:
    rows = [
        event("A", "2022-01-05", "almaty", "riot", "Mob violence", "2"),
        event("B", "2022-01-05", "almaty", "crackdown", "Arrests", ""),
        event("C", "2022-01-06", "zhanaozen", "protest", "Peaceful protest", ""),
        event("D", "2022-01-06", "almaty", "government response", "Other", ""),
    ]
    rows[3]["scope"] = "national"
    folder = write_record(tmp_path, event_rows=rows)
    index = EventIndex(data.load_record(folder), kazakhstan)
    counts = index.region_counts(View(date(2022, 1, 1), date(2022, 1, 31)))
    by_name = counts.join(kazakhstan.frame.set_index("region_id")["name_en"]).set_index("name_en")
    assert by_name.loc["Almaty (city)", "events"] == 2
    assert by_name.loc["Almaty (city)", "fatalities"] == 2
    assert by_name.loc["Mangystau", "protest"] == 1
    assert counts["events"].sum() == 3  # the national measure is in no region
    rows_ = query.region_rows(index, View(date(2022, 1, 6), date(2022, 1, 6)))
    assert rows_["events"].sum() == 1 and len(rows_) == 17
