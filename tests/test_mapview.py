from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import branca.element
import folium
import jinja2

from dashboard import basemap, data, mapview, query
from dashboard.index import EventIndex, View
from tests.recordkit import CITIES, event, events, write_record

HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\1 \"'&"


def layer_features(
    folder: Path, view: View | None = None, selected: str | None = None
) -> list[dict]:
    record = data.load_record(folder)
    index = EventIndex(record)
    view = view or View(*record.settings.period)
    group = mapview.city_layer(query.circles(index, view, selected), selected)
    (geojson,) = group._children.values()
    return geojson.data["features"]


def test_element_templates_render_as_jinja_would() -> None:
    """branca's Element(template) goes through mapview's stand-in: text without Jinja syntax
    is kept as it is (as Jinja would render it), anything else is still compiled by Jinja."""
    rng = random.Random(7)
    alphabet = "ab {}%#\n\r\t<>&$`'\"\\é"
    for _ in range(2000):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        try:
            expected = jinja2.Template(source).render()
        except jinja2.TemplateSyntaxError:
            assert basemap._JINJA_SYNTAX.search(source), source
            continue
        with basemap.literal_scripts():
            assert branca.element.Element(source).render() == expected, repr(source)
    with basemap.literal_scripts():
        assert branca.element.Element("{{ 6*7 }}").render() == "42"
    # Outside the map's render, branca is left as it was: importing mapview patches nothing.
    assert branca.element.Template is jinja2.Template


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
    features = layer_features(record_dir, View(date(2022, 1, 2), date(2022, 1, 2)))
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
    assert popup.count("<li>") == query.POPUP_EVENT_LIMIT
    assert f"and {30 - query.POPUP_EVENT_LIMIT} more" in popup


def test_approximate_events_are_marked(record_dir: Path) -> None:
    rows = events()
    for row in rows:
        if row["city_id"] == "aktau":
            row["time_precision"] = "2"
    almaty = [row for row in rows if row["city_id"] == "almaty"]
    almaty[0]["geo_precision"] = "2"  # one of Almaty's events: place approximate
    write_record(record_dir, event_rows=rows)
    props = {f["properties"]["city_id"]: f["properties"] for f in layer_features(record_dir)}
    assert {city: p["precision"] for city, p in props.items()} == {
        "aktau": "approximate",
        "almaty": "mixed",
        "zhanaozen": "exact",
    }
    assert "date approximate" in props["aktau"]["popup"]
    assert "all with an approximate date or place" in props["aktau"]["tooltip"]
    assert "<br>1 with an approximate date or place" in props["almaty"]["tooltip"]
    assert "approximate" not in props["zhanaozen"]["tooltip"]
    # exact-only: Almaty's approximate event leaves the view, and its outline turns solid
    exact = View(date(2021, 12, 28), date(2022, 1, 31), exact_only=True)
    props = {f["properties"]["city_id"]: f["properties"] for f in layer_features(record_dir, exact)}
    assert props["almaty"]["precision"] == "exact" and "aktau" not in props


def test_precision_of_a_place() -> None:
    assert mapview.precision_of(3, 3) == "exact"
    assert mapview.precision_of(3, 1) == "mixed"
    assert mapview.precision_of(3, 0) == "approximate"
    assert set(mapview.OUTLINE_DASHES) == {"exact", "mixed", "approximate"}
    assert mapview.OUTLINE_DASHES["exact"] is None


def test_base_map_opens_on_the_record_bbox(tmp_path: Path) -> None:
    """The first view fits the record's own box (an imported record of another country opens
    on that country), and the country outline is drawn only when the record has one."""
    outline = tmp_path / "outline.geojson"
    outline.write_text(json.dumps({"type": "FeatureCollection", "features": []}), "utf-8")
    for bbox in [(46.4, 40.5, 87.4, 55.5), (-18.0, 4.0, 15.0, 28.0)]:
        fmap = basemap.base_map(bbox, outline=None)
        (fit,) = [c for c in fmap._children.values() if isinstance(c, folium.map.FitBounds)]
        west, south, east, north = bbox
        assert fit.bounds == [[south, west], [north, east]]
        assert not [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    with_outline = basemap.base_map((46.4, 40.5, 87.4, 55.5), outline=outline)
    assert [c for c in with_outline._children.values() if isinstance(c, folium.GeoJson)]


def made_up_places(n: int, name: str = "Place") -> list[dict]:
    return [
        {
            **CITIES[0],
            "city_id": f"place-{i:04d}",
            "name": f"{name} {i}",
            "lon": 50.0 + (i * 7.919) % 35,
            "lat": 42.0 + (i * 3.141) % 12,
        }
        for i in range(n)
    ]


def event_at(city: dict, id_: str, day: int, category: str = "protest", notes: str = "") -> dict:
    row = event(id_, f"2022-01-{day:02d}", "almaty", category, "Peaceful protest", "")
    row.update(
        city_id=city["city_id"],
        location=city["name"],
        latitude=str(city["lat"]),
        longitude=str(city["lon"]),
        notes=notes or f"Test event {id_}.",
    )
    return row


def many_places(folder: Path, n_places: int, events_per_place: int, name: str = "Place") -> Path:
    """``n_places`` made-up places; place i has ``events_per_place * (i + 1)`` events (so the
    places differ in size), half protest and half crackdown, over the first week of January."""
    cities = made_up_places(n_places, name)
    rows = [
        event_at(city, f"E{i:04d}-{j:04d}", 1 + j % 7, ("protest", "crackdown")[j % 2])
        for i, city in enumerate(cities)
        for j in range(events_per_place * (i + 1))
    ]
    return write_record(folder, cities=cities, event_rows=rows)


def test_many_places_are_bounded_summed_into_areas_and_all_drawn(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(query, "MAX_PLACE_CIRCLES", 5)
    monkeypatch.setattr(query, "MAX_AREA_CIRCLES", 4)
    folder = many_places(tmp_path / "r", 40, 1)
    features = layer_features(folder, selected="place-0000")  # the smallest place
    props = [f["properties"] for f in features]
    assert len(features) <= 5 + 4
    single = [p for p in props if not p["city_id"].startswith("area:")]
    areas = [p for p in props if p["city_id"].startswith("area:")]
    # the four biggest places, then the selected one (the smallest) drawn on its own
    assert [p["city_id"] for p in single] == [
        "place-0039",
        "place-0038",
        "place-0037",
        "place-0036",
        "place-0000",
    ]
    assert single[-1]["selected"] and not any(p["selected"] for p in single[:-1])
    assert areas and all(p["precision"] == "approximate" and not p["selected"] for p in areas)
    # every place and every event is on the map, once
    places_in_areas = sum(
        int(p["tooltip"].split("<b>" + mapview.AREA_MARK)[1].split(" ")[0]) for p in areas
    )
    assert places_in_areas + len(single) == 40
    drawn = sum(int(p["tooltip"].split("<br>")[1].split(" ")[0]) for p in props)
    assert drawn == sum(range(1, 41))
    assert all(f["geometry"]["type"] == "Point" for f in features)
    assert "smaller places in this area" in areas[0]["popup"]


def test_popup_lines_are_shared_out_and_the_payload_is_bounded(tmp_path: Path) -> None:
    """Thousands of places with long notes: at most MAX_PLACE_CIRCLES + MAX_AREA_CIRCLES
    circles, popups within the byte budget, the whole layer under 200 kB."""
    long_note = "Long note " + "x" * (mapview.NOTE_LIMIT + 50)
    cities = made_up_places(2000)
    rows = [
        event_at(city, f"E{i:04d}-{j}", 1 + j, notes=long_note)
        for i, city in enumerate(cities)
        for j in range(3 if i < 150 else 1)
    ]
    folder = write_record(tmp_path / "r", cities=cities, event_rows=rows)
    features = layer_features(folder)
    assert len(features) <= query.MAX_PLACE_CIRCLES + query.MAX_AREA_CIRCLES
    popups = [f["properties"]["popup"] for f in features]
    lines = sum(p.count("<li>") for p in popups[: query.MAX_PLACE_CIRCLES])
    assert 0 < lines <= query.POPUP_LINE_BUDGET
    assert mapview.sent_size(features) <= mapview.LAYER_BYTE_BUDGET


def test_sent_size_counts_the_escapes_on_the_way_to_the_page() -> None:
    # tojson turns < into \u003c (6 bytes), the component's JSON doubles the backslash: 7
    assert mapview.sent_size("<") - mapview.sent_size("") == 7
    assert mapview.sent_size("a") - mapview.sent_size("") == 1
    assert mapview.sent_size("Ж") - mapview.sent_size("") == 7


def test_payload_does_not_grow_with_events(tmp_path: Path) -> None:
    small = layer_features(many_places(tmp_path / "small", 3, 12))
    big = layer_features(many_places(tmp_path / "big", 3, 400))
    assert len(json.dumps(big)) < 1.05 * len(json.dumps(small))


def test_places_with_no_popup_lines_say_how_to_list_their_events(
    record_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(query, "POPUP_LINE_BUDGET", 2)  # 3 places: none gets a line...
    props = {f["properties"]["city_id"]: f["properties"] for f in layer_features(record_dir)}
    assert "<li>" not in props["almaty"]["popup"]
    assert "4 more: click the circle to list them below the map" in props["almaty"]["popup"]
    selected = {  # ... except the selected place, which gets them all
        f["properties"]["city_id"]: f["properties"]
        for f in layer_features(record_dir, selected="almaty")
    }
    assert selected["almaty"]["popup"].count("<li>") == 4


def test_area_popups_escape_place_names(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(query, "MAX_PLACE_CIRCLES", 1)
    features = layer_features(many_places(tmp_path / "r", 6, 1, name=HOSTILE))
    areas = [f["properties"] for f in features if f["properties"]["city_id"].startswith("area:")]
    assert areas
    for props in areas:
        text = props["tooltip"] + props["popup"]
        assert "<img" not in text and "`" not in text and "${" not in text and "\\" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in props["popup"]


def test_the_live_map_s_popups_are_fetched_not_sent(tmp_path: Path) -> None:
    """On the live map a place's circle carries its counts, not its events (its popup fetches
    them, see test_popups): the update stays small however many events are in view."""
    folder = write_record(tmp_path / "r")
    index = EventIndex(data.load_record(folder))
    lo, hi = index.record.settings.period
    circles = query.circles(index, View(lo, hi))
    live = mapview.city_features(circles, fetched=True)
    kept = mapview.city_features(circles)
    assert [f["properties"]["city_id"] for f in live] == [f["properties"]["city_id"] for f in kept]
    for feature in live:
        props = feature["properties"]
        assert props["events"] == 1 and "popup" not in props
        assert "<li>" not in props["tooltip"]
    assert mapview.sent_size(live) < mapview.sent_size(kept)
    assert all("<li>" in f["properties"]["popup"] for f in kept)
