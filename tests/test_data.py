from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import data
from tests.recordkit import CITIES, SOURCES, event, events, feature, write_record


def problems_of(folder: Path) -> list[data.Problem]:
    return data.validate(folder)[1]


def errors_of(folder: Path) -> list[data.Problem]:
    return [p for p in problems_of(folder) if p.severity == "error"]


def test_good_record_loads_typed(record_dir: Path) -> None:
    record = data.load_record(record_dir)
    assert record.problems == ()
    assert len(record.events) == 8 and len(record.cities) == 3 and len(record.sources) == 2
    ev = record.events
    assert list(ev["event_date"]) == sorted(ev["event_date"])
    assert str(ev["event_date"].dtype).startswith("datetime64")
    assert ev.loc[ev["event_id_cnty"] == "T5", "fatalities"].item() == 3
    assert ev["fatalities"].isna().sum() == 6  # empty means "no figure reported", not 0
    assert ev.loc[ev["event_id_cnty"] == "T2", "day"].item() == 6  # 2022-01-03 - 2021-12-28
    assert record.cities.loc["almaty", "name_kk"] == "Алматы"
    assert record.cities.loc["almaty", "aliases"] == ("Alma-Ata",)
    assert len(record.version) == 12


def test_version_changes_with_content(record_dir: Path) -> None:
    before = data.record_version(record_dir)
    path = record_dir / data.EVENTS_FILE
    path.write_text(path.read_text("utf-8").replace("Test event T1", "Changed"), "utf-8")
    assert data.record_version(record_dir) != before


def test_missing_folder_and_missing_file(tmp_path: Path, record_dir: Path) -> None:
    with pytest.raises(data.RecordError, match="does not exist"):
        data.load_record(tmp_path / "nowhere")
    (record_dir / data.SOURCES_FILE).unlink()
    errors = errors_of(record_dir)
    assert [(e.file, e.message) for e in errors] == [("sources.csv", "file is missing")]


def test_malformed_geojson_names_line(record_dir: Path) -> None:
    (record_dir / data.CITIES_FILE).write_text(
        '{"type": "FeatureCollection",\n "features": [', "utf-8"
    )
    record, problems = data.validate(record_dir)
    assert record is None
    assert problems[0].file == "cities.geojson"
    assert "not valid JSON" in problems[0].message and "line 2" in problems[0].message


@pytest.mark.parametrize(
    ("mutate", "field", "needle"),
    [
        (lambda f: f.update(geometry={"type": "Polygon", "coordinates": []}), "geometry", "Point"),
        (lambda f: f["geometry"].update(coordinates=[43.24, 76.89]), "geometry", "swapped"),
        (
            lambda f: f["geometry"].update(coordinates=[2.35, 48.85]),
            "geometry",
            "outside Kazakhstan",
        ),
        (lambda f: f["properties"].update(city_id="Bad Id!"), "city_id", "not an id"),
        (lambda f: f["properties"].update(name=""), "name", "is empty"),
        (lambda f: f["properties"].update(aliases=[1, 2]), "aliases", "list of strings"),
    ],
)
def test_bad_city_feature_is_named_and_left_out(record_dir, mutate, field, needle) -> None:
    features = [feature(c) for c in CITIES]
    mutate(features[2])  # aktau
    doc = {"type": "FeatureCollection", "features": features}
    (record_dir / data.CITIES_FILE).write_text(json.dumps(doc), "utf-8")
    record, problems = data.validate(record_dir)
    assert record is not None
    city_problems = [p for p in problems if p.file == "cities.geojson"]
    assert len(city_problems) == 1
    assert city_problems[0].row == 3 and city_problems[0].field == field
    assert needle in city_problems[0].message
    # Aktau's events now point at no place: each is reported, the others are kept.
    assert "aktau" not in record.cities.index
    orphan = [p for p in problems if p.file == "events.csv"]
    assert {p.field for p in orphan} == {"city_id"} and len(orphan) == 2
    assert len(record.events) == 6


def test_duplicate_city_id(record_dir: Path) -> None:
    features = [feature(c) for c in CITIES] + [feature(CITIES[0])]
    (record_dir / data.CITIES_FILE).write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    problem = errors_of(record_dir)[0]
    assert (problem.row, problem.field) == (4, "city_id")
    assert "first used in feature 1" in problem.message


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("city_id", "atlantis", "not a place in cities.geojson"),
        ("event_date", "05/01/2022", "not a date in YYYY-MM-DD form"),
        ("event_date", "2022-02-30", "not a date"),
        ("event_date", "2023-01-05", "outside the record period"),
        ("event_date", "", "is empty"),
        ("source_ids", "s1;nope", "'nope' is not a known source"),
        ("source_ids", "", "is empty"),
        ("fatalities", "-2", "is negative"),
        ("fatalities", "2.5", "not a whole number"),
        ("fatalities", "many", "not a number"),
        ("category", "unrest", "not one of"),
        ("time_precision", "7", "not one of"),
        ("latitude", "north", "not a number"),
        ("latitude", "51.5", None),
        ("notes", "", "is empty"),
        ("scope", "global", "not one of"),
    ],
)
def test_bad_event_row_is_named_and_only_it_is_left_out(record_dir, column, value, needle) -> None:
    rows = events()
    rows[3][column] = value  # T4, spreadsheet row 5
    if value == "51.5":  # a valid latitude that moves Almaty's event off the map
        rows[3]["longitude"] = "-0.12"
        needle = "outside Kazakhstan"
        column = "latitude/longitude"
    write_record(record_dir, event_rows=rows)
    record, problems = data.validate(record_dir)
    assert record is not None
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.row, problem.field) == ("events.csv", 5, column)
    assert needle in problem.message
    assert "T4" not in set(record.events["event_id_cnty"])
    assert len(record.events) == 7


def test_duplicate_event_id(record_dir: Path) -> None:
    rows = events()
    rows[5]["event_id_cnty"] = "T1"
    write_record(record_dir, event_rows=rows)
    (problem,) = errors_of(record_dir)
    assert (problem.row, problem.field) == (7, "event_id_cnty")
    assert "first used in row 2" in problem.message


def test_missing_required_column_is_fatal(record_dir: Path) -> None:
    path = record_dir / data.EVENTS_FILE
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("event_date")
    path.write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines)
    )
    record, problems = data.validate(record_dir)
    assert record is None
    assert [(p.file, p.row, p.field, p.message) for p in problems] == [
        ("events.csv", 1, "event_date", "required column is missing")
    ]


def test_extra_column_is_a_warning_and_rows_load(record_dir: Path) -> None:
    rows = [dict(r, mood="tense") for r in events()]
    path = record_dir / data.EVENTS_FILE
    from tests.recordkit import write_csv

    write_csv(path, rows)
    record, problems = data.validate(record_dir)
    assert record is not None and len(record.events) == 8
    assert [(p.severity, p.field) for p in problems] == [("warning", "mood")]


def test_row_with_too_many_fields_is_reported(record_dir: Path) -> None:
    path = record_dir / data.EVENTS_FILE
    lines = path.read_text("utf-8").splitlines()
    lines[3] += ",surplus"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    record, problems = data.validate(record_dir)
    assert record is not None and len(record.events) == 7
    (problem,) = problems
    assert problem.row == 4 and "left out" in problem.message


def test_non_utf8_bom_and_empty_files(record_dir: Path) -> None:
    path = record_dir / data.EVENTS_FILE
    good = path.read_bytes()
    path.write_bytes(good.replace(b"Test event T3", "Caf\xe9".encode("latin-1")))
    (problem,) = errors_of(record_dir)
    assert problem.file == "events.csv" and problem.row == 4 and "not UTF-8" in problem.message

    path.write_bytes(b"\xef\xbb\xbf" + good)
    record, problems = data.validate(record_dir)
    assert record is not None and len(record.events) == 8
    assert [p.severity for p in problems] == ["warning"] and "byte-order mark" in problems[
        0
    ].message

    path.write_bytes(b"")
    (problem,) = errors_of(record_dir)
    assert problem.message == "file is empty"


def test_oversized_file_is_refused(record_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(data, "MAX_FILE_BYTES", 100)
    record, problems = data.validate(record_dir)
    assert record is None and "over the" in problems[0].message


def test_many_bad_rows_are_summarised(record_dir: Path) -> None:
    rows = [
        event(f"X{i}", "2022-13-01", "almaty", "protest", "Peaceful protest", "") for i in range(50)
    ]
    write_record(record_dir, event_rows=events() + rows)
    record, problems = data.validate(record_dir)
    assert record is not None and len(record.events) == 8
    assert len(problems) == data.MAX_PROBLEMS_PER_CHECK + 1
    assert "30 more rows" in problems[-1].message


def test_source_url_must_be_http(record_dir: Path) -> None:
    sources = [
        {"source_id": "s1", "outlet": "A", "title": "T", "url": "javascript:alert(1)"},
        {"source_id": "s2", "outlet": "B", "title": "T", "url": "https://example.org/a"},
    ]
    write_record(record_dir, sources=sources)
    errors = errors_of(record_dir)
    assert errors[0].file == "sources.csv" and errors[0].field == "url"
    # s1 is left out, so every event citing it is reported too
    assert sum(e.file == "events.csv" for e in errors) == 8


def test_figures_are_validated(record_dir: Path) -> None:
    base = dict(FIGURE)
    bad = [
        dict(base, figure_id="F2", value="-1"),
        dict(base, figure_id="F3", scope="mars"),
        dict(base, figure_id="F4", value="5", value_max="2"),
    ]
    write_record(record_dir, figures=[base, *bad])
    record, problems = data.validate(record_dir)
    assert list(record.figures["figure_id"]) == ["F1"]
    assert [(p.row, p.field) for p in problems] == [(3, "value"), (5, "value_max"), (4, "scope")]


def test_settings_file_changes_period_and_bbox(record_dir: Path) -> None:
    (record_dir / data.SETTINGS_FILE).write_text(
        json.dumps({"title": "Test", "period": ["2022-01-01", "2022-01-04"]}), "utf-8"
    )
    record, problems = data.validate(record_dir)
    assert record.settings.period[1].isoformat() == "2022-01-04"
    assert sum("outside the record period" in p.message for p in problems) == 4
    (record_dir / data.SETTINGS_FILE).write_text('{"period": ["x"]}', "utf-8")
    _, problems = data.validate(record_dir)
    assert problems[0].file == "record.json" and problems[0].field == "period"


def test_data_dir_from_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    assert data.data_dir_from_env() == tmp_path
    monkeypatch.delenv(data.DATA_DIR_ENV)
    assert data.data_dir_from_env() == data.DEFAULT_DATA_DIR


def test_riot_is_a_category(record_dir: Path) -> None:
    rows = events()
    rows[3]["category"] = "riot"
    write_record(record_dir, event_rows=rows)
    record, problems = data.validate(record_dir)
    assert problems == []
    assert record.events.loc[record.events["event_id_cnty"] == "T4", "category"].item() == "riot"


FIGURE = {
    "figure_id": "F1",
    "kind": "deaths",
    "label": "people killed",
    "value": "26",
    "unit": "people",
    "scope": "national",
    "as_of": "2022-01-07",
    "claimed_by": "officials",
    "source_ids": "s1",
}


def test_rows_must_cite_a_source_whose_copy_was_found(record_dir: Path) -> None:
    sources = [
        {"source_id": "s1", "outlet": "A", "title": "T", "checked": "not found"},
        {"source_id": "s2", "outlet": "B", "title": "T", "checked": "2026-11-30"},
    ]
    rows = events()
    rows[1]["source_ids"] = "s1;s2"  # one of the two was read: fine
    figures = [FIGURE, dict(FIGURE, figure_id="F2", source_ids="s2")]
    write_record(record_dir, sources=sources, event_rows=rows, figures=figures)
    record, problems = data.validate(record_dir)
    assert list(record.events["event_id_cnty"]) == ["T2"]
    assert list(record.figures["figure_id"]) == ["F2"]
    events_problems = [p for p in problems if p.file == "events.csv"]
    assert [(p.row, p.field) for p in events_problems] == [
        (r, "source_ids") for r in (2, 4, 5, 6, 7, 8, 9)
    ]
    assert "'s1'" in events_problems[0].message and "not found" in events_problems[0].message
    (figure_problem,) = [p for p in problems if p.file == "figures.csv"]
    assert (figure_problem.row, figure_problem.field) == (2, "source_ids")


def test_without_a_checked_column_no_source_needs_checking(tmp_path: Path) -> None:
    folder = write_record(tmp_path / "r")
    path = folder / data.SOURCES_FILE
    path.write_text("source_id,outlet,title\ns1,A,T\ns2,B,T\n", "utf-8")
    record, problems = data.validate(folder)
    assert problems == [] and len(record.events) == 8
    assert set(record.sources["checked"]) == {""}


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("checked", "30/11/2026", "neither a date in YYYY-MM-DD form nor 'not found'"),
        ("checked", "Not Found", "neither a date"),
        ("stored_copy", "file:///etc/passwd", "not an http(s) address"),
        ("outlet_type", "blog", "'blog' is not one of: official, state media"),
        ("outlet_group", "RFE/RL", "not a lowercase slug"),
        ("published", "2022-13-01", "not a date in YYYY-MM-DD form"),
    ],
)
def test_bad_source_cell_is_named_and_the_source_left_out(
    record_dir: Path, column: str, value: str, needle: str
) -> None:
    sources = [dict(s) for s in SOURCES]
    sources[1][column] = value
    write_record(record_dir, sources=sources)
    record, problems = data.validate(record_dir)
    assert [(p.file, p.row, p.field) for p in problems] == [("sources.csv", 3, column)]
    assert needle in problems[0].message
    assert list(record.sources.index) == ["s1"]


def test_good_source_columns_load(record_dir: Path) -> None:
    sources = [
        dict(
            SOURCES[0],
            checked="not found",
            stored_copy="https://example.org/copy",
            outlet_type="international organisation",
            outlet_group="rferl",
        ),
        dict(SOURCES[1], checked="2026-11-30"),
    ]
    rows = [dict(r, source_ids="s1;s2") for r in events()]
    write_record(record_dir, sources=sources, event_rows=rows)
    record, problems = data.validate(record_dir)
    assert problems == []
    assert record.sources.loc["s1", "outlet_type"] == "international organisation"
    assert record.sources.loc["s2", "outlet_type"] == ""


def test_cities_are_a_plain_frame_with_their_sources(record_dir: Path) -> None:
    cities = [dict(c, source_ids=["s1"]) for c in CITIES]
    write_record(record_dir, cities=cities)
    record = data.load_record(record_dir)
    assert list(record.cities.columns) == [
        "city_id",
        "name",
        "name_kk",
        "name_ru",
        "region",
        "aliases",
        "source_ids",
        "row",
        "lat",
        "lon",
    ]
    assert record.cities.loc["aktau", "source_ids"] == ("s1",)
    assert (record.cities.loc["aktau", "lat"], record.cities.loc["aktau", "lon"]) == (43.65, 51.16)


def test_city_citing_an_unknown_source(record_dir: Path) -> None:
    cities = [dict(c) for c in CITIES]
    cities[2]["source_ids"] = ["s1", "nope"]
    write_record(record_dir, cities=cities)
    record, problems = data.validate(record_dir)
    city_problems = [p for p in problems if p.file == "cities.geojson"]
    assert [(p.row, p.field) for p in city_problems] == [(3, "source_ids")]
    assert city_problems[0].message == "feature 3: 'nope' is not a known source in sources.csv"
    assert "aktau" not in record.cities.index


def test_a_cell_gets_one_problem_each_field_its_own(record_dir: Path) -> None:
    rows = events()
    rows[2]["fatalities"] = "many"
    rows[2]["event_date"] = "2023-01-05"  # a second field of the same row
    figures = [dict(FIGURE, scope="")]  # empty, and so not 'national' or a place either
    write_record(record_dir, event_rows=rows, figures=figures)
    _, problems = data.validate(record_dir)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("events.csv", 4, "event_date"),
        ("events.csv", 4, "fatalities"),
        ("figures.csv", 2, "scope"),
    ]
    assert problems[2].message == "'' is neither 'national' nor a place in cities.geojson"
