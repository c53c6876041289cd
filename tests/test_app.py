"""The Streamlit script, run headless by AppTest against small test records."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def run_app(folder: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
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
        "Riots and attacks": "0",
        "Crackdown events": "3",
        "Places affected": "3",
        "Deaths tied to events in range": "3",
    }
    args = folium_args(at)
    # A click selects a place; a pan or zoom reports the position the link holds.
    assert args["returned_objects"] == [
        "last_object_clicked",
        "last_object_clicked_tooltip",
        "center",
        "zoom",
    ]
    assert args["feature_group"].count('"dominant":') == 3
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
    assert after["feature_group"].count('"dominant":') == 1
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


def test_link_restores_view_and_url_follows_widgets(record_dir: Path, monkeypatch) -> None:
    at = run_app(
        record_dir,
        monkeypatch,
        **{
            "from": "2022-01-03",
            "to": "2022-01-05",
            "cat": "crackdown",
            "city": "almaty",
            "z": "7",
        },
    )
    assert at.slider[0].value == (date(2022, 1, 3), date(2022, 1, 5))
    assert metrics(at)["Events"] == "2" and metrics(at)["Protest events"] == "0"
    assert at.selectbox[0].value == "almaty"
    assert folium_args(at)["zoom"] == 7
    assert not at.warning
    assert at.query_params["cat"] == "crackdown"
    at.slider[0].set_value((date(2022, 1, 2), date(2022, 1, 7))).run()
    assert at.query_params["from"] == "2022-01-02" and at.query_params["to"] == "2022-01-07"
    assert at.query_params["city"] == "almaty"


def test_bad_link_gives_notice_and_valid_view(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch, **{"from": "garbage", "cat": "riots", "city": "x"})
    assert "could not be used" in at.warning[0].value
    texts = " ".join(t.value for t in at.text)
    assert "not a date" in texts and "Unknown categories" in texts and "not in the record" in texts
    assert metrics(at)["Events"] == "8"


def test_category_and_exact_filters(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch)
    at.pills[0].set_value(["protest"]).run()
    assert metrics(at)["Events"] == "4" and metrics(at)["Crackdown events"] == "0"
    at.toggle[0].set_value(True).run()
    assert metrics(at)["Events"] == "4"  # all test events are exact
    assert at.query_params["exact"] == "1" and at.query_params["cat"] == "protest"


def test_selecting_a_place_shows_its_chronology(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch)
    at.selectbox[0].set_value("aktau").run()
    assert any("Aktau: chronology" in h.value for h in at.subheader)
    story = at.dataframe[0].value
    assert story["description"].tolist() == ["Test event T3 in Aktau.", "Test event T8 in Aktau."]


def test_event_in_link_is_shown_and_kept_in_the_url(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch, event="T5")
    assert any("Selected event" in m.value for m in at.markdown)
    assert any("Test event T5 in Almaty." in t.value for t in at.text)
    assert at.query_params["event"] == "T5"


def test_downloads_are_offered_for_the_range(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch)
    from dashboard import assets, keep

    labels = [b.proto.label for b in at.get("download_button")]
    kept = ["Download this map (one HTML file, opens offline)"]
    assert labels == (kept if keep.available(assets.DEFAULT_VENDOR_DIR) else []) + [
        "Download 8 events as CSV (ACLED columns + ours)",
        "Download as GeoJSON",
    ]
    at.slider[0].set_value((date(2022, 1, 5), date(2022, 1, 5))).run()
    assert at.get("download_button")[-2].proto.label.startswith("Download 2 events")


def test_figures_panel_lists_claims_with_sources(tmp_path: Path, monkeypatch) -> None:
    from tests.recordkit import write_record

    figure = {
        "figure_id": "F1",
        "kind": "arrests",
        "label": "people detained",
        "value": "3000",
        "unit": "people",
        "scope": "almaty",
        "as_of": "2022-01-08",
        "claimed_by": "officials",
        "source_ids": "s2",
    }
    folder = write_record(tmp_path / "r", figures=[figure])
    at = run_app(folder, monkeypatch)
    assert not any("claimed by" in df.value.columns for df in at.dataframe)  # tab not open
    at.session_state["panel"] = "Figures"
    at.run()
    tables = [df.value for df in at.dataframe]
    figure_tables = [t for t in tables if "claimed by" in t.columns]
    assert figure_tables and figure_tables[0].iloc[0]["reported by"] == "Other Outlet"
    assert figure_tables[0].iloc[0]["in range"] == "●"
    at.selectbox[0].set_value("almaty").run()
    tables = [df.value for df in at.dataframe]
    assert sum("claimed by" in t.columns for t in tables) == 2  # panel + the place's story


def chart_datasets(at: AppTest) -> list[set[str]]:
    return [{d.name for d in c.proto.datasets} for c in at.get("vega_lite_chart")]


def test_only_the_open_panel_builds_its_charts(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch)
    assert chart_datasets(at) == [{"blackout", "counts", "selected", "showing"}, {"periods"}]
    at.session_state["panel"] = "Spread"
    at.run()
    assert not at.exception and chart_datasets(at) == [{"first"}]
    assert any(c.value.startswith("Each place at the date") for c in at.caption)


def test_link_opens_a_panel_and_the_url_follows_the_tabs(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch, panel="Spread")
    assert chart_datasets(at) == [{"first"}] and not at.warning
    assert at.query_params["panel"] == "spread"
    at.session_state["panel"] = "Figures"
    at.run()
    assert at.query_params["panel"] == "figures"


def toll(figure_id: str, value: str, as_of: str, claimed_by: str, claimant: str) -> dict:
    return {
        "figure_id": figure_id,
        "kind": "death toll",
        "label": "people killed in the unrest",
        "value": value,
        "unit": "people",
        "scope": "national",
        "as_of": as_of,
        "claimed_by": claimed_by,
        "claimant_type": claimant,
        "source_ids": "s1",
    }


def test_deaths_headline_is_the_latest_official_toll(tmp_path: Path, monkeypatch) -> None:
    from tests.recordkit import write_record

    figures = [
        toll("F1", "164", "2022-01-09", "Health ministry", "health ministry"),
        toll("F2", "225", "2022-01-15", "Prosecutor General", "officials"),
        toll("F3", "238", "2022-01-31", "Prosecutor General", "officials"),
        toll("F4", "300", "2022-01-20", "activists", "civil society"),
    ]
    at = run_app(write_record(tmp_path / "r", figures=figures), monkeypatch)
    assert metrics(at)["Death toll (latest official)"] == "238"
    caption = " ".join(c.value for c in at.caption)
    assert "238 according to Prosecutor General" in caption and "from 164 to 300" in caption
    # the per-event sum is shown, and labelled for what it is
    assert metrics(at)["Deaths tied to events in range"] == "3"
    # the Figures panel opens on the toll
    at.session_state["panel"] = "Figures"
    at.run()
    labels = [t.label for t in at.tabs]
    assert labels[labels.index("Figures") + 1] == "Death toll"


def test_nationwide_measures_are_listed_apart_and_drawn_on_no_place(
    tmp_path: Path, monkeypatch
) -> None:
    from tests.recordkit import event, write_record

    rows = [
        event("N1", "2022-01-05", "almaty", "government response", "Other", ""),
        event("N2", "2022-01-05", "almaty", "protest", "Peaceful protest", ""),
    ]
    rows[0]["scope"] = "national"
    at = run_app(write_record(tmp_path / "r", event_rows=rows), monkeypatch)
    assert metrics(at)["Events"] == "2" and metrics(at)["Places affected"] == "1"
    (nationwide,) = [e for e in at.expander if e.label.startswith("Nationwide")]
    assert nationwide.label == "Nationwide measures in this range: 1"
    assert '"radius": 8.2' in folium_args(at)["feature_group"]  # one event's circle, not two
    table = at.dataframe[-1].value.set_index("description")
    assert table.loc["Test event N1 in Almaty.", "place"] == "Nationwide"
    # lazy: its own table is built and sent only once the reader opens it
    assert len(nationwide.dataframe) == 0
    at.session_state["nationwide"] = True
    at.run()
    (nationwide,) = [e for e in at.expander if e.label.startswith("Nationwide")]
    assert nationwide.dataframe[0].value["description"].tolist() == ["Test event N1 in Almaty."]


def test_figures_table_leaves_missing_values_blank(tmp_path: Path, monkeypatch) -> None:
    from tests.recordkit import write_record

    figures = [toll("F1", "225", "2022-01-15", "Prosecutor General", "officials")]
    at = run_app(write_record(tmp_path / "r", figures=figures), monkeypatch)
    at.session_state["panel"] = "Figures"
    at.run()
    (table,) = [df.value for df in at.dataframe if "up to" in df.value.columns]
    assert table.iloc[0]["up to"] == "" and "None" not in table.astype(str).to_numpy()


def test_playback_steps_the_range_and_stops_at_the_end(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch, **{"from": "2022-01-28", "to": "2022-01-29"})
    at.button(key="play_button").click().run()
    assert at.session_state["play"] is True
    assert at.query_params["play"] == "1"
    # the ticker steps once per tick; each step is an ordinary view
    from dashboard import session as app_session

    for expected_end in (date(2022, 1, 30), date(2022, 1, 31)):
        at.session_state["pending_range"] = (
            app_session.viewstate.next_step(
                _state_of(at), (date(2021, 12, 28), date(2022, 1, 31))
            ).view.start,
            expected_end,
        )
        at.run()
        assert at.slider[0].value[1] == expected_end
        assert at.query_params["to"] == expected_end.isoformat()
    assert (
        app_session.viewstate.next_step(_state_of(at), (date(2021, 12, 28), date(2022, 1, 31)))
        is None
    )
    # touching a control stops playback, and the link says so
    at.slider[0].set_value((date(2022, 1, 2), date(2022, 1, 5))).run()
    assert at.session_state["play"] is False and at.query_params["play"] == "0"


def _state_of(at: AppTest):
    from dashboard import viewstate
    from dashboard.index import View

    start, end = at.session_state["range"]
    return viewstate.ViewState(View(start, end), window=at.session_state["window"])


def test_picking_a_place_sends_the_map_to_it_and_draws_its_sites(
    record_dir: Path, monkeypatch
) -> None:
    at = run_app(record_dir, monkeypatch)
    at.selectbox[0].set_value("almaty").run()
    args = folium_args(at)
    assert args["zoom"] == 11 and abs(args["center"][0] - 43.2389) < 1e-6
    assert '"site":' in args["feature_group"] and '"selected": true' in args["feature_group"]
    at.selectbox[0].set_value("").run()
    assert folium_args(at)["zoom"] == 5


def test_a_bad_layer_or_playback_link_gives_a_notice(record_dir: Path, monkeypatch) -> None:
    at = run_app(record_dir, monkeypatch, layer="regions", play="yes", speed="7", window="sideways")
    texts = " ".join(t.value for t in at.text)
    # the test record has no regions file: the switch is hidden and the link's layer refused
    assert "layer='regions' is not one of places" in texts
    assert "playback is paused" in texts and "2 s is used" in texts and "the range moves" in texts
    assert not at.radio or all(r.label != "Map shows" for r in at.radio)


def test_the_bundled_record_opens_on_the_latest_official_toll_and_local_circles(
    monkeypatch,
) -> None:
    """On the real record: the deaths headline is the latest national toll an official gave
    (computed here from figures.csv), and the capital's circle counts only what happened there."""
    record = data.load_record(data.DEFAULT_DATA_DIR)
    figures = record.figures
    tolls = figures[
        (figures["kind"] == "death toll")
        & (figures["scope"] == "national")
        & (figures["claimant_type"] == "officials")
    ]
    latest = tolls.sort_values(["as_of", "value"]).iloc[-1]
    at = run_app(data.DEFAULT_DATA_DIR, monkeypatch)
    assert metrics(at)["Death toll (latest official)"] == f"{int(latest['value']):,}"
    events = record.events
    local = events[(events["city_id"] == "nur-sultan") & (events["scope"] != "national")]
    national = events[events["scope"] == "national"]
    assert len(national) > 0
    feature_group = folium_args(at)["feature_group"]
    from dashboard import mapview

    capital = feature_group[feature_group.index('"city_id": "nur-sultan"') :]
    (radius,) = re.findall(r'"radius": ([0-9.]+)', capital.split('"city_id"')[1])
    assert float(radius) == mapview.radius_for(len(local)) < mapview.radius_for(len(local) + 1)
    nationwide = [e.label for e in at.expander if e.label.startswith("Nationwide")]
    assert nationwide == [f"Nationwide measures in this range: {len(national)}"]
