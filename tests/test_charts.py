from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from altair.vegalite.v6.schema import load_schema

from dashboard import charts, data, query
from dashboard.index import EventIndex, View
from tests.recordkit import events, write_record

FIGURES = [
    {
        "figure_id": "F1",
        "kind": "deaths",
        "label": "people killed",
        "value": "26",
        "unit": "people",
        "scope": "national",
        "as_of": "2022-01-07",
        "claimed_by": "officials",
        "source_ids": "s1",
        "claimant_type": "officials",
    },
    {
        "figure_id": "F2",
        "kind": "deaths",
        "label": "people killed",
        "value": "164",
        "unit": "people",
        "scope": "almaty",
        "as_of": "2022-01-09",
        "claimed_by": "state media",
        "source_ids": "s1;s2",
        "claimant_type": "state media",
    },
]
PERIODS = [
    {
        "period_id": "P1",
        "kind": "internet blackout",
        "label": "Full shutdown",
        "start": "2022-01-05",
        "end": "2022-01-09",
        "scope": "national",
        "source_ids": "s1",
    },
    {
        "period_id": "P2",
        "kind": "curfew",
        "label": "Curfew 23:00-07:00",
        "start": "2022-01-05",
        "end": "2022-01-18",
        "scope": "almaty",
        "source_ids": "s2",
    },
]


@pytest.fixture
def record(tmp_path: Path) -> data.Record:
    rows = events()
    rows[2]["geo_precision"] = "2"  # T3 Aktau: place approximate
    folder = write_record(tmp_path / "r", event_rows=rows, figures=FIGURES)
    from tests.recordkit import write_csv

    write_csv(
        folder / data.PERIODS_FILE, PERIODS, list(data.PERIOD_REQUIRED + data.PERIOD_OPTIONAL)
    )
    record = data.load_record(folder)
    assert record.problems == ()
    return record


def test_daily_counts_split_by_category_and_precision(record: data.Record) -> None:
    counts = charts.daily_counts(record.events)
    assert counts["events"].sum() == len(record.events)
    jan3 = counts[counts["date"] == "2022-01-03"].set_index("precision")["events"].to_dict()
    assert jan3 == {"approximate": 1, "exact": 1}
    assert charts.daily_counts(record.events.iloc[:0]).empty


def test_periods_national_plus_selected_place_with_outlets(record: data.Record) -> None:
    assert query.period_frame(record)["period_id"].tolist() == ["P1"]
    both = query.period_frame(record, "almaty")
    assert both["period_id"].tolist() == ["P1", "P2"]
    assert both.set_index("period_id").loc["P2", "source"] == "Other Outlet"


def valid_vega_lite(spec: dict) -> dict:
    """The spec with its frames as plain rows, after checking it against the Vega-Lite schema
    (what Altair would check; the app builds each spec once and then only swaps the data)."""
    rows = {
        name: json.loads(frame.to_json(orient="records", date_format="iso"))
        for name, frame in spec["datasets"].items()
    }
    plain = {**spec, "datasets": rows}
    jsonschema.validate(plain, load_schema())
    names = set(re.findall(r"'data': \{'name': '([^']+)'\}", str(spec)))
    assert names == set(rows), "every named dataset is filled, and only those"
    return plain


def test_figures_flag_claims_in_range_and_name_places(record: data.Record) -> None:
    frame = query.figure_frame(record, (date(2022, 1, 1), date(2022, 1, 8)))
    by_id = frame.set_index("figure_id")
    assert by_id.loc["F1", "in_range"] and not by_id.loc["F2", "in_range"]
    assert by_id.loc["F2", "place"] == "Almaty" and by_id.loc["F1", "place"] == "national"
    assert by_id.loc["F2", "source"] == "Test Outlet; Other Outlet"
    spec = valid_vega_lite(charts.figures_chart(frame, record.settings.period))
    assert spec["mark"]["type"] == "point"
    assert [row["in_range"] for row in spec["datasets"]["figures"]] == [True, False]


def test_first_events_order_the_spread(record: data.Record) -> None:
    index = EventIndex(record)
    first = query.spread(index, View(*record.settings.period))
    assert first["place"].tolist() == ["Zhanaozen", "Aktau", "Almaty"]
    assert first.set_index("place").loc["Almaty", "events"] == 4
    spec = valid_vega_lite(charts.spread_chart(first, record.settings.period))
    assert spec["mark"]["type"] == "circle" and spec["height"] == 160
    assert query.spread(index, View(date(2021, 12, 28), date(2021, 12, 29))).empty


def test_timeline_has_bars_blackout_band_and_selected_box(record: data.Record) -> None:
    counts_chart, lanes = charts.timeline_chart(
        charts.daily_counts(record.events),
        query.period_frame(record, "almaty"),
        record.settings.period,
        (date(2022, 1, 4), date(2022, 1, 6)),
    )
    spec = valid_vega_lite(counts_chart)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "bar", "rect", "rule"]
    datasets = spec["datasets"]
    assert [row["label"] for row in datasets["blackout"]] == ["Full shutdown"]
    assert datasets["selected"] == [
        {"start": "2022-01-04T00:00:00.000", "stop": "2022-01-07T00:00:00.000"}
    ]
    lanes_data = valid_vega_lite(lanes)["datasets"]["periods"]
    assert {row["kind"] for row in lanes_data} == {"internet blackout", "curfew"}


def test_charts_are_fresh_copies(record: data.Record) -> None:
    """Streamlit takes the datasets out of the dict it is given: the cached spec must not
    change when a chart is drawn."""
    first = charts.figures_chart(
        query.figure_frame(record, (date(2022, 1, 1), date(2022, 1, 8))), record.settings.period
    )
    del first["datasets"]
    first["mark"]["type"] = "changed"
    again = charts.figures_chart(
        query.figure_frame(record, record.settings.period), record.settings.period
    )
    assert again["mark"]["type"] == "point" and "figures" in again["datasets"]
