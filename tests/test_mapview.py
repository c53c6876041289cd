from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from dashboard import data, mapview, query
from tests.recordkit import events, write_record

HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\1 \"'&"


def layer_features(folder: Path, view: query.View | None = None) -> list[dict]:
    record = data.load_record(folder)
    index = query.EventIndex(record)
    view = view or query.View(*record.settings.period)
    group = mapview.city_layer(record, index.city_totals(view), index.events_in(view))
    (geojson,) = group._children.values()
    return geojson.data["features"]


def test_escape_html_neutralises_markup_and_template_syntax() -> None:
    out = mapview.escape_html(HOSTILE)
    for raw in "<>`$\\\"'":
        assert raw not in out
    assert out.startswith("&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{x}&#96;&#92;1")
    assert mapview.escape_html(None) == "" and mapview.escape_html(float("nan")) == ""
    assert mapview.escape_html("Алматы ‏") == "Алматы ‏"


def test_one_feature_per_place_sized_and_coloured(record_dir: Path) -> None:
    features = layer_features(record_dir)
    assert [f["properties"]["city_id"] for f in features] == ["almaty", "zhanaozen", "aktau"]
    almaty, zhanaozen, aktau = (f["properties"] for f in features)
    assert almaty["radius"] > zhanaozen["radius"]
    assert almaty["colour"] == mapview.COLOURS["crackdown"]
    assert zhanaozen["colour"] == mapview.COLOURS["protest"]
    assert aktau["dominant"] == "mixed"
    assert features[0]["geometry"]["coordinates"] == [76.8897, 43.2389]
    assert "4 events: 1 protest, 2 crackdown, 1 government response" in almaty["tooltip"]
    assert "Test event T5 in Almaty." in almaty["popup"]


def test_range_limits_features(record_dir: Path) -> None:
    features = layer_features(record_dir, query.View(date(2022, 1, 2), date(2022, 1, 2)))
    assert [f["properties"]["city_id"] for f in features] == ["zhanaozen"]
    assert "1 event: 1 protest" in features[0]["properties"]["tooltip"]


def test_every_text_field_is_escaped_in_tooltip_and_popup(record_dir: Path) -> None:
    rows = events()
    for row in rows:
        for col in ("notes", "source", "sub_event_type", "location"):
            row[col] = HOSTILE
    write_record(record_dir, event_rows=rows)
    geo = record_dir / data.CITIES_FILE
    doc = json.loads(geo.read_text("utf-8"))
    for f in doc["features"]:
        f["properties"].update(name=HOSTILE, name_kk=HOSTILE, name_ru=HOSTILE)
    geo.write_text(json.dumps(doc), "utf-8")
    for f in layer_features(record_dir):
        text = f["properties"]["tooltip"] + f["properties"]["popup"]
        assert "<img" not in text and "`" not in text and "${" not in text and "\\" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in f["properties"]["popup"]


def test_popup_is_capped(record_dir: Path) -> None:
    from tests.recordkit import event

    rows = [
        event(f"A{i}", "2022-01-05", "almaty", "protest", "Peaceful protest", "") for i in range(30)
    ]
    write_record(record_dir, event_rows=rows)
    (feature,) = layer_features(record_dir)
    popup = feature["properties"]["popup"]
    assert popup.count("<li>") == mapview.POPUP_EVENT_LIMIT
    assert f"and {30 - mapview.POPUP_EVENT_LIMIT} more" in popup


def test_approximate_events_are_marked(record_dir: Path) -> None:
    rows = events()
    for row in rows:
        if row["city_id"] == "aktau":
            row["time_precision"] = "2"
    write_record(record_dir, event_rows=rows)
    props = {f["properties"]["city_id"]: f["properties"] for f in layer_features(record_dir)}
    assert props["aktau"]["approximate"] is True and props["almaty"]["approximate"] is False
    assert "date approximate" in props["aktau"]["popup"]


def test_base_map_is_constant() -> None:
    a, b = mapview.base_map(), mapview.base_map()
    assert a.location == b.location == list(mapview.MAP_CENTER)
    assert a.options["zoom"] == mapview.MAP_ZOOM
