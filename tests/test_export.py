"""Events out (dashboard.export): CSV in ACLED's shape with formulas neutralised, and GeoJSON.

The record exported is made by importing an ACLED-format export (test data) for another country.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dashboard import acled_import, data, export
from tests.test_acled_import import acled_row, write_export

HOSTILE_NOTES = {
    "CHL1": '=HYPERLINK("http://x","y")',
    "CHL2": "+1+2",
    "CHL3": "-2 dead",
    "CHL4": "@SUM(A1)",
}


@pytest.fixture
def chile(tmp_path: Path) -> data.Record:
    rows = [
        acled_row(
            eid,
            "Santiago",
            "-33.4489",
            "-70.6693",
            country="Chile",
            iso="152",
            admin1="Santiago Metropolitan",
            notes=note,
            actor2="-Unknown" if eid == "CHL2" else "",
            fatalities="1" if eid == "CHL1" else "",
        )
        for eid, note in HOSTILE_NOTES.items()
    ]
    out = tmp_path / "chile"
    report = acled_import.import_acled(write_export(tmp_path / "chile.csv", rows), out)
    assert len(report.kept) == 4
    record = data.load_record(out)
    assert record.problems == ()
    return record


def test_export_csv_has_acled_columns_and_neutralised_formulas(chile) -> None:
    body = export.to_acled_csv(chile.events, chile)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert list(rows[0]) == [
        *export.ACLED_COLUMNS,
        "city_id",
        "category",
        "source_ids",
        "notes_ru",
        "scope",
    ]
    by_id = {r["event_id_cnty"]: r for r in rows}
    assert {k: by_id[k]["notes"] for k in HOSTILE_NOTES} == {
        k: "'" + v for k, v in HOSTILE_NOTES.items()
    }
    assert by_id["CHL2"]["actor2"] == "'-Unknown"
    for row in rows:  # numbers stay numbers: a negative longitude is not text
        assert (row["latitude"], row["longitude"]) == ("-33.4489", "-70.6693")
        assert (row["year"], row["time_precision"], row["geo_precision"]) == ("2022", "1", "1")
        assert row["event_date"] == "2022-01-05"
        assert row["admin1"] == "Santiago Metropolitan"  # the place's region
        assert row["city_id"] == "santiago" and row["category"] == "protest"
    assert by_id["CHL1"]["fatalities"] == "1" and by_id["CHL2"]["fatalities"] == ""


def test_export_csv_neutralises_tab_and_carriage_return(chile) -> None:
    # The loader strips cells, so these only reach an export from a frame built elsewhere.
    events = chile.events.copy()
    events["notes"] = ["\tTabbed", "\rReturn", "plain", " =spaced"]
    rows = list(csv.DictReader(io.StringIO(export.to_acled_csv(events, chile).decode())))
    assert [r["notes"] for r in rows] == ["'\tTabbed", "'\rReturn", "plain", " =spaced"]


def test_export_round_trips_through_import(chile, tmp_path) -> None:
    path = tmp_path / "again.csv"
    path.write_bytes(export.to_acled_csv(chile.events, chile))
    report = acled_import.import_acled(path, tmp_path / "again")
    assert [r.outcome for r in report.rows] == ["kept"] * 4
    again = data.load_record(tmp_path / "again")
    cols = ["event_id_cnty", "event_date", "latitude", "longitude", "city_id", "fatalities"]
    assert again.events[cols].equals(chile.events[cols])


def test_export_geojson_features(chile) -> None:
    subset = chile.events[chile.events["event_id_cnty"] != "CHL3"]
    doc = json.loads(export.to_geojson(subset, chile))
    assert doc["type"] == "FeatureCollection"
    assert doc["record"]["version"] == chile.version
    assert len(doc["features"]) == 3
    feature = next(f for f in doc["features"] if f["properties"]["event_id_cnty"] == "CHL1")
    assert feature["geometry"] == {"type": "Point", "coordinates": [-70.6693, -33.4489]}
    props = feature["properties"]
    assert props["notes"] == HOSTILE_NOTES["CHL1"]  # GeoJSON is data, not a spreadsheet
    assert props["fatalities"] == 1 and props["time_precision"] == 1
    assert props["event_date"] == "2022-01-05" and props["place"] == "Santiago"
    second = next(f for f in doc["features"] if f["properties"]["event_id_cnty"] == "CHL2")
    assert second["properties"]["fatalities"] is None


def test_export_of_no_events(chile) -> None:
    empty = chile.events.iloc[0:0]
    assert export.to_acled_csv(empty, chile).decode().split("\r\n") == [
        ",".join([*export.ACLED_COLUMNS, *export.OUR_COLUMNS]),
        "",
    ]
    assert json.loads(export.to_geojson(empty, chile))["features"] == []
