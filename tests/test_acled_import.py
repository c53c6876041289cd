"""ACLED in: importing an ACLED-format export (written here, test data); import-acled."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path

import pytest

from dashboard import acled_import, data, schema
from dashboard.__main__ import main
from dashboard.acled_places import Places
from dashboard.export import ACLED_COLUMNS
from tests.recordkit import CITIES, write_record

KYZYLORDA = {
    "city_id": "kyzylorda",
    "name": "Kyzylorda",
    "name_kk": "Қызылорда",
    "name_ru": "Кызылорда",
    "aliases": ["Qyzylorda"],
    "region": "Kyzylorda Region",
    "lon": 65.5092,
    "lat": 44.8488,
}
BASE_CITIES = [*CITIES, KYZYLORDA]


def acled_row(event_id: str, location: str, lat: str, lon: str, **fields: str) -> dict:
    """One ACLED export row (all 31 columns), a peaceful protest unless told otherwise."""
    row = {
        "event_id_cnty": event_id,
        "event_date": "2022-01-05",
        "year": "2022",
        "time_precision": "1",
        "disorder_type": "Demonstrations",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "actor1": "Protesters (Kazakhstan)",
        "assoc_actor_1": "",
        "inter1": "6",
        "actor2": "",
        "assoc_actor_2": "",
        "inter2": "0",
        "interaction": "60",
        "civilian_targeting": "",
        "iso": "398",
        "region": "Central Asia",
        "country": "Kazakhstan",
        "admin1": "Almaty",
        "admin2": "",
        "admin3": "",
        "location": location,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": "1",
        "source": "Reuters; Vlast.kz",
        "source_scale": "National-International",
        "notes": f"Test event {event_id}.",
        "fatalities": "0",
        "tags": "",
        "timestamp": "1642000000",
    }
    row.update(fields)
    return row


EXPORT_ROWS = [
    acled_row("KAZ1", "Almaty", "43.2389", "76.8897", event_date="05 January 2022"),
    acled_row("KAZ2", "Alma-Ata", "43.2500", "76.9100"),
    acled_row(
        "KAZ3",
        "Qyzylorda",
        "44.8488",
        "65.5092",
        admin1="Kyzylorda",
        event_type="Riots",
        sub_event_type="Violent demonstration",
    ),
    acled_row(
        "KAZ4",
        "Kaskelen",
        "43.2000",
        "76.6200",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Police Forces of Kazakhstan (2019-)",
        inter1="State forces",
        fatalities="2",
    ),
    acled_row(
        "KAZ5",
        "Taraz",
        "42.9000",
        "71.3667",
        admin1="Zhambyl",
        event_type="Strategic developments",
        sub_event_type="Other",
        actor1="Government of Kazakhstan (2019-)",
        inter1="1",
    ),
    acled_row("KAZ6", "Taraz", "42.9000", "71.3667", admin1="Zhambyl", source="Reuters"),
    acled_row("KAZ7", "Nowhere", "", "", admin1="Mangystau"),
    acled_row("KAZ8", "Aktau", "43.6500", "51.1600", event_date="2022-13-45"),
    acled_row("KAZ1", "Almaty", "43.2389", "76.8897"),
    acled_row("T3", "Aktau", "43.6500", "51.1600"),
    acled_row("KAZ9", "Жаңаөзен", "43.3400", "52.8600", event_date="6 Jan 2022"),
    acled_row("KAZ10", "Kyzyl-Orda", "44.8500", "65.5000", admin1="Kyzylorda"),
    acled_row("KAZ11", "Aktau", "50.2800", "57.1700", admin1="Aktobe Region", time_precision="2"),
    acled_row("KAZ12", "Almaty", "43.2389", "76.8897", fatalities="-1"),
]


def write_export(path: Path, rows: list[dict], extra_lines: list[str] = ()) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(ACLED_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        for line in extra_lines:
            fh.write(line + "\n")
    return path


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine, written out again here so the test does not trust the code under test."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(
        tmp_path / "acled.csv", EXPORT_ROWS, ["KAZ13,2022-01-07,2022,1,Demonstrations"]
    )


FIGURE = {
    "figure_id": "f1",
    "kind": "deaths",
    "label": "Deaths (test figure)",
    "value": "5",
    "unit": "people",
    "scope": "national",
    "as_of": "2022-01-07",
    "claimed_by": "Test officials",
    "source_ids": "s1",
}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_record(tmp_path / "base", cities=BASE_CITIES, figures=[FIGURE])


def expected_lines() -> list[str]:
    kaskelen = km(43.2, 76.62, 43.2389, 76.8897)
    aktau_far = km(50.28, 57.17, 43.65, 51.16)
    return [
        'row 2: kept KAZ1 "Almaty" -> almaty (Almaty) by name',
        'row 3: kept KAZ2 "Alma-Ata" -> almaty (Almaty) by alias "Alma-Ata"',
        'row 4: kept KAZ3 "Qyzylorda" -> kyzylorda (Kyzylorda) by alias "Qyzylorda"',
        f'row 5: kept KAZ4 "Kaskelen" -> almaty (Almaty) by distance {kaskelen:.1f} km;'
        " geo_precision 1 -> 2",
        'row 6: kept KAZ5 "Taraz" -> new place taraz (Taraz), region "Zhambyl"',
        'row 7: kept KAZ6 "Taraz" -> taraz (Taraz) by name',
        'row 8: unplaceable KAZ7 "Nowhere": latitude "" is not a number in -90..90',
        'row 9: unplaceable KAZ8 "Aktau": event_date "2022-13-45" is not a date'
        " (YYYY-MM-DD or '05 January 2022')",
        'row 10: merged KAZ1 "Almaty": same event_id_cnty as row 2; kept once',
        'row 11: merged T3 "Aktau": already in the existing record (events.csv row 4);'
        " that row is kept",
        'row 12: kept KAZ9 "Жаңаөзен" -> zhanaozen (Zhanaozen) by alias "Жаңаөзен"',
        'row 13: kept KAZ10 "Kyzyl-Orda" -> kyzylorda (Kyzylorda) by spelling "Kyzylorda"',
        'row 14: kept KAZ11 "Aktau" -> new place aktau-aktobe-region (Aktau),'
        f' region "Aktobe Region"; the place named "Aktau" is {aktau_far:.0f} km away',
        'row 15: unplaceable KAZ12 "Almaty": fatalities "-1" is not a whole number >= 0',
        "row 16: unplaceable KAZ13: row has 5 fields, the header has 31",
    ]


def test_import_reports_every_row_and_writes_a_valid_record(export, base, tmp_path) -> None:
    out = tmp_path / "out"
    report = acled_import.import_acled(export, out, existing=base)
    lines = report.format().splitlines()
    assert lines[:15] == expected_lines()
    assert lines[15:] == [
        "summary: 15 rows read from acled.csv: 9 kept (2 new places), 2 merged, 4 unplaceable",
        f"wrote {out} (merged with {base}): 17 events, 6 places, 5 sources",
        "record period 2021-12-28 to 2022-01-31, bbox [46.4, 40.5, 87.4, 55.5]",
        "check: the written record loads with no errors",
    ]
    assert [r.row for r in report.rows] == list(range(2, 17))  # every input row, in order
    record = data.load_record(out)
    assert record.problems == ()
    assert (out / data.FIGURES_FILE).read_bytes() == (base / data.FIGURES_FILE).read_bytes()
    assert record.figures["figure_id"].tolist() == ["f1"]
    assert len(record.events) == 8 + 9
    assert set(record.cities.index) == {c["city_id"] for c in BASE_CITIES} | {
        "taraz",
        "aktau-aktobe-region",
    }
    assert record.cities.loc["taraz", "region"] == "Zhambyl"
    assert (record.cities.loc["taraz", "lat"], record.cities.loc["taraz", "lon"]) == (
        42.9,
        71.3667,
    )
    ev = record.events.set_index("event_id_cnty")
    assert ev.loc["KAZ1", "event_date"] == ev.loc["KAZ2", "event_date"]  # "05 January 2022"
    assert str(ev.loc["KAZ9", "event_date"].date()) == "2022-01-06"
    assert ev.loc["KAZ4", "geo_precision"] == 2 and ev.loc["KAZ1", "geo_precision"] == 1
    assert ev.loc["KAZ11", "time_precision"] == 2
    assert ev.loc["KAZ4", "fatalities"] == 2
    assert ev.loc["KAZ4", "location"] == "Kaskelen"  # ACLED's location and coordinates kept
    assert ev.loc["KAZ4", "longitude"] == 76.62
    assert {k: ev.loc[k, "category"] for k in ("KAZ1", "KAZ3", "KAZ4", "KAZ5")} == {
        "KAZ1": "protest",
        "KAZ3": "riot",
        "KAZ4": "crackdown",
        "KAZ5": "government response",
    }
    assert ev.loc["KAZ1", "source_ids"] == "acled;acled-reuters;acled-vlast-kz"
    assert ev.loc["KAZ6", "source_ids"] == "acled;acled-reuters"
    assert ev.loc["T1", "notes"] == "Test event T1 in Zhanaozen."  # existing rows kept as they were
    assert ev.loc["T1", "notes_ru"] == "Тестовое событие T1: Zhanaozen."
    assert ev.loc["KAZ1", "notes_ru"] == schema.NO_RUSSIAN  # an export has no Russian text
    assert record.sources.loc["acled", "url"] == acled_import.ACLED_URL
    assert record.sources.loc["acled-vlast-kz", "outlet"] == "Vlast.kz"
    assert report.new_sources == ["acled", "acled-reuters", "acled-vlast-kz"]
    assert not (base / "acled.csv").exists() and len(data.load_record(base).events) == 8


def test_import_without_existing_record_makes_places_and_whole_month_period(
    export, tmp_path
) -> None:
    out = tmp_path / "fresh"
    report = acled_import.import_acled(export, out)
    assert report.merged_with is None
    outcomes: dict[str, tuple] = {}
    for r in report.rows:  # the first row of each id (KAZ1 comes twice)
        outcomes.setdefault(r.event_id, (r.outcome, r.method, r.city_id))
    assert outcomes["KAZ1"] == ("kept", "new", "almaty")
    assert outcomes["KAZ2"][:2] == ("kept", "distance")  # 2 km from the place made for KAZ1
    assert outcomes["T3"] == ("kept", "new", "aktau")  # nothing existing to merge with
    assert outcomes["KAZ11"][1:] == ("new", "aktau-aktobe-region")
    record = data.load_record(out)
    assert record.problems == ()
    assert record.settings.period == (date(2022, 1, 1), date(2022, 1, 31))
    w, s, e, n = record.settings.bbox
    assert w < record.cities["lon"].min() and e > record.cities["lon"].max()
    assert s < record.cities["lat"].min() and n > record.cities["lat"].max()
    assert record.settings.region_name == "Kazakhstan"
    assert record.settings.title == "ACLED events: Kazakhstan, January 2022"
    assert len(record.events) == len(report.kept) == 10
    with (out / data.EVENTS_FILE).open(encoding="utf-8") as fh:
        assert "notes_ru" not in fh.readline().split(",")  # no Russian column, so no empty one


def test_import_into_a_record_merges_and_reimport_adds_nothing(export, base) -> None:
    first = acled_import.import_acled(export, base)  # existing defaults to the record in out_dir
    assert first.merged_with == base
    assert [str(r) for r in first.rows] == expected_lines()
    assert len(data.load_record(base).events) == 17
    before = {p.name: p.read_bytes() for p in base.iterdir()}
    again = acled_import.import_acled(export, base)
    assert {r.outcome for r in again.rows} == {"merged", "unplaceable"}
    assert len(again.merged) == 11  # the 9 kept last time, KAZ1's duplicate and T3
    assert again.format().splitlines()[-1] == f"nothing written to {base}: no row was kept"
    assert {p.name: p.read_bytes() for p in base.iterdir()} == before


def test_period_and_bbox_grow_to_cover_new_events(base, tmp_path) -> None:
    rows = [
        acled_row("KGZ1", "Bishkek", "42.8746", "74.5698", country="Kyrgyzstan"),
        acled_row("KAZ1", "Almaty", "43.2389", "76.8897", event_date="2022-03-02"),
    ]
    out = tmp_path / "grown"
    acled_import.import_acled(write_export(tmp_path / "x.csv", rows), out, existing=base)
    record = data.load_record(out)
    assert record.problems == ()
    assert record.settings.period == (date(2021, 12, 28), date(2022, 3, 31))
    assert record.settings.bbox == (46.4, 40.5, 87.4, 55.5)  # Bishkek is inside already
    assert record.settings.region_name == "Kazakhstan"
    rows = [acled_row("CHL1", "Santiago", "-33.4489", "-70.6693", country="Chile")]
    acled_import.import_acled(write_export(tmp_path / "y.csv", rows), out)
    record = data.load_record(out)
    assert record.problems == ()
    assert record.settings.bbox == (-71.1693, -33.9489, 87.4, 55.5)
    assert record.settings.region_name == "Kazakhstan, Chile"
    assert record.settings.title == data.RecordSettings().title  # the record's own, kept


def test_settings_of_a_many_country_export(tmp_path) -> None:
    countries = ["Chile", "Peru", "Bolivia", "Ecuador", "Colombia", "Brazil"]
    rows = [
        acled_row(
            f"X{i}", c, str(-10 - i), str(-70 + i), country=c, event_date=f"2021-{i + 5:02d}-02"
        )
        for i, c in enumerate(countries)
    ]
    acled_import.import_acled(write_export(tmp_path / "x.csv", rows), tmp_path / "out")
    settings = data.load_record(tmp_path / "out").settings
    assert settings.region_name == "Chile, Peru, Bolivia and 3 more"
    assert (
        settings.title == "ACLED events: Chile, Peru, Bolivia and 3 more, May 2021 to October 2021"
    )
    assert settings.period == (date(2021, 5, 1), date(2021, 10, 31))
    assert settings.bbox == (-70.5, -15.5, -64.5, -9.5)


def test_title_of_an_export_over_a_year_names_both_months(tmp_path) -> None:
    rows = [
        acled_row("KAZ1", "Almaty", "43.2389", "76.8897", event_date="2021-01-10"),
        acled_row("KAZ2", "Almaty", "43.2389", "76.8897", event_date="2022-01-20"),
    ]
    acled_import.import_acled(write_export(tmp_path / "x.csv", rows), tmp_path / "out")
    settings = data.load_record(tmp_path / "out").settings
    assert settings.title == "ACLED events: Kazakhstan, January 2021 to January 2022"
    assert settings.period == (date(2021, 1, 1), date(2022, 1, 31))


def test_nearest_place_across_the_antimeridian_and_by_a_pole() -> None:
    taveuni, station = (-16.9, 179.95), (89.99, 0.0)
    index = Places(max_km=25.0)
    index.add("taveuni", ["Taveuni"], *taveuni)
    index.add("station", ["Station"], *station)
    for row_at, place, city_id in (
        ((-16.9, -179.95), taveuni, "taveuni"),
        ((89.99, 180.0), station, "station"),
    ):
        match, _ = index.match("Unnamed", *row_at)
        assert match is not None and match.method == "distance"
        assert index.ids[match.index] == city_id
        assert match.distance_km == pytest.approx(km(*row_at, *place), abs=1e-6)
    assert index.match("Unnamed", -16.9, -179.5) == (None, None)  # 48 km from Taveuni


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "acled.csv: file is missing"),
        (b"", "acled.csv: file is empty"),
        (b"event_id_cnty,event_date\nKAZ1,2022-01-05\n", "field 'latitude': required ACLED"),
        (b"event_id_cnty,event_id_cnty\n", "field 'event_id_cnty': column appears more than once"),
        (b"event_id_cnty\n\xff\xfe\n", "not UTF-8 text (byte 0xff on line 2)"),
    ],
)
def test_unreadable_export_is_a_clear_error(tmp_path, content, needle) -> None:
    path = tmp_path / "acled.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(acled_import.AcledImportError) as caught:
        acled_import.import_acled(path, tmp_path / "out")
    assert any(needle in str(p) for p in caught.value.problems), caught.value.problems
    assert not (tmp_path / "out").exists()


def test_upper_case_headers_and_semicolons_are_read(tmp_path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow([c.upper() for c in ACLED_COLUMNS])
    writer.writerow(acled_row("KAZ1", "Almaty", "43.2389", "76.8897").values())
    path = tmp_path / "old.csv"
    path.write_text(buf.getvalue(), "utf-8")
    report = acled_import.import_acled(path, tmp_path / "out")
    assert [r.outcome for r in report.rows] == ["kept"]


def test_bom_and_multi_line_notes(tmp_path) -> None:
    rows = [acled_row("KAZ1", "Almaty", "43.2389", "76.8897", notes="First line.\r\nSecond\rThird")]
    path = write_export(tmp_path / "x.csv", rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out = tmp_path / "out"
    assert [r.outcome for r in acled_import.import_acled(path, out).rows] == ["kept"]
    record = data.load_record(out)
    assert record.problems == ()
    assert record.events["notes"].tolist() == ["First line.\nSecond\nThird"]


def test_csv_error_stops_reading_and_is_reported(tmp_path) -> None:
    rows = [
        acled_row("KAZ1", "Almaty", "43.2389", "76.8897"),
        acled_row("KAZ2", "Almaty", "43.2389", "76.8897", notes="x" * (csv.field_size_limit() + 1)),
        acled_row("KAZ3", "Almaty", "43.2389", "76.8897"),
    ]
    report = acled_import.import_acled(write_export(tmp_path / "x.csv", rows), tmp_path / "out")
    assert [str(r) for r in report.rows] == [
        'row 2: kept KAZ1 "Almaty" -> new place almaty (Almaty), region "Almaty"',
        "row 3: unplaceable (no event_id_cnty): not readable as CSV from here on "
        f"(field larger than field limit ({csv.field_size_limit()})); later rows not read",
    ]


def test_existing_record_with_errors_is_refused(export, base, tmp_path) -> None:
    events = base / data.EVENTS_FILE
    events.write_text(events.read_text("utf-8").replace("2022-01-02", "2022-02-30"), "utf-8")
    with pytest.raises(acled_import.AcledImportError) as caught:
        acled_import.import_acled(export, tmp_path / "out", existing=base)
    first, *rest = caught.value.problems
    assert "the existing record has 1 errors" in first.message
    assert (rest[0].file, rest[0].row, rest[0].field) == ("events.csv", 2, "event_date")


def test_out_folder_holding_another_record_is_refused(export, base, tmp_path) -> None:
    other = write_record(tmp_path / "other")
    with pytest.raises(acled_import.AcledImportError, match="already holds a record other than"):
        acled_import.import_acled(export, other, existing=base)


def test_cli_prints_report_and_exits_zero(export, base, tmp_path, capsys) -> None:
    out = tmp_path / "cli-out"
    code = main(["import-acled", str(export), "--out", str(out), "--existing", str(base)])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[:15] == expected_lines()
    assert printed[-1] == "check: the written record loads with no errors"
    assert main(["validate", str(out)]) == 0


def test_cli_max_distance_changes_matching(export, base, tmp_path, capsys) -> None:
    out = tmp_path / "near"
    assert main(["import-acled", str(export), "--out", str(out), "--max-distance", "5"]) == 0
    assert 'row 5: kept KAZ4 "Kaskelen" -> new place kaskelen (Kaskelen)' in capsys.readouterr().out
    with pytest.raises(SystemExit) as caught:
        main(["import-acled", str(export), "--max-distance", "-1"])
    assert caught.value.code == 2
    assert "'-1' is not a distance in km" in capsys.readouterr().err


def test_cli_default_out_folder(export, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["import-acled", str(export)]) == 0
    assert data.load_record(tmp_path / "acled-import").problems == ()


def test_cli_bad_export_exits_nonzero_with_the_problems(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id_cnty,event_date,location\nKAZ1,2022-01-05,Almaty\n", "utf-8")
    assert main(["import-acled", str(bad), "--out", str(tmp_path / "o")]) == 1
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert "error: bad.csv, row 1, field 'latitude': required ACLED column is missing" in lines
    assert lines[-1] == f"{bad}: cannot be imported"
    assert printed.err == "" and not (tmp_path / "o").exists()


def test_cli_unwritable_out_folder_is_a_message(export, tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    assert main(["import-acled", str(export), "--out", str(blocker / "out")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith(f"error: {blocker / 'out'}: ")
    assert lines[-1] == f"{export}: cannot be imported"


@pytest.mark.parametrize(
    ("event_type", "sub", "inter1", "inter2", "category"),
    [
        ("Protests", "Peaceful protest", "6", "", "protest"),
        ("Protests", "Protest with intervention", "6", "1", "protest"),
        ("Protests", "Excessive force against protesters", "1", "6", "crackdown"),
        ("Protests", "Excessive force against protestors", "1", "6", "crackdown"),
        ("Riots", "Mob violence", "5", "", "riot"),
        ("Strategic developments", "Arrests", "1", "6", "crackdown"),
        ("Strategic developments", "Looting/property destruction", "5", "", "context"),
        ("Strategic developments", "Agreement", "State forces", "", "government response"),
        ("Battles", "Armed clash", "2", "State forces", "crackdown"),
        ("Battles", "Armed clash", "2", "3", "context"),
        ("Violence against civilians", "Attack", "4", "7", "context"),
        ("Explosions/Remote violence", "Grenade", "8", "1", "crackdown"),
        ("Something new", "Other", "1", "", "context"),
    ],
)
def test_category_rule(event_type, sub, inter1, inter2, category) -> None:
    assert acled_import.category_of(event_type, sub, inter1, inter2) == category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-05", date(2022, 1, 5)),
        ("05 January 2022", date(2022, 1, 5)),
        ("5 january 2022", date(2022, 1, 5)),
        ("05-Jan-2022", date(2022, 1, 5)),
        ("30 Sept 2022", date(2022, 9, 30)),
        ("31 February 2022", None),
        ("05/01/2022", None),
        ("2022-1-5", None),
        ("", None),
    ],
)
def test_parse_acled_date(text, expected) -> None:
    assert acled_import.parse_acled_date(text) == expected
