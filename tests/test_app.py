"""The Streamlit script, run headless by AppTest against small test records."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def run_app(folder: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def folium_args(at: AppTest) -> dict:
    (component,) = at.get("component_instance")
    assert component.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(component.proto.json_args)


def test_whole_record_by_default(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch)
    assert at.slider[0].value == (date(2021, 12, 28), date(2022, 1, 31))
    assert metrics(at) == {
        "Events": "8",
        "Protest events": "4",
        "Crackdown events": "3",
        "Places affected": "3",
        "Reported deaths (lowest figure)": "3",
    }
    args = folium_args(at)
    assert args["returned_objects"] == []  # panning and zooming do not rerun the script
    assert args["feature_group"].count('"type": "Feature"') == 3
    table = at.dataframe[0].value
    assert len(table) == 8 and list(table.columns)[:3] == ["date", "place", "category"]


def test_slider_changes_figures_and_layer_but_not_the_map_key(
    record_dir: Path, monkeypatch
) -> None:
    at = run_app(record_dir, monkeypatch)
    before = folium_args(at)
    at.slider[0].set_value((date(2022, 1, 5), date(2022, 1, 5))).run()
    assert not at.exception
    assert metrics(at)["Events"] == "2"
    assert metrics(at)["Crackdown events"] == "2"
    assert metrics(at)["Places affected"] == "1"
    after = folium_args(at)
    assert after["feature_group"] != before["feature_group"]
    assert after["feature_group"].count('"type": "Feature"') == 1
    assert '"city_id": "almaty"' in after["feature_group"]
    assert after["key"] == before["key"]  # same component key: the iframe is not rebuilt
    assert after["script"] == before["script"]
    assert len(at.dataframe[0].value) == 2


def test_broken_record_shows_problems_not_a_traceback(record_dir: Path, monkeypatch) -> None:
    (record_dir / data.CITIES_FILE).write_text("{not json", "utf-8")
    at = run_app(record_dir, monkeypatch)
    assert "could not be loaded" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems.iloc[0]["file"] == "cities.geojson"
    assert "not valid JSON" in problems.iloc[0]["problem"]
    assert not at.get("component_instance")


def test_bad_rows_are_listed_and_the_rest_is_shown(record_dir: Path, monkeypatch) -> None:
    path = record_dir / data.EVENTS_FILE
    path.write_text(path.read_text("utf-8").replace("2022-01-04", "2022-01-99"), "utf-8")
    at = run_app(record_dir, monkeypatch)
    assert "1 problem(s) in the record" in at.expander[0].label
    problems = at.dataframe[0].value
    assert problems.iloc[0][["file", "row", "field"]].tolist() == ["events.csv", 5, "event_date"]
    assert metrics(at)["Events"] == "7"
