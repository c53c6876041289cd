"""The record's own text in Russian: ``notes_ru`` (events.csv) and ``label_ru`` (figures.csv,
periods.csv). The bundled record has it on every row, each number of the English text in it;
a record without the columns still loads (they are then empty); where a column is there, an
empty or Latin-only cell is a problem that names it."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import data
from dashboard.__main__ import main
from dashboard.schema import CYRILLIC_PATTERN
from tests.recordkit import events, write_csv, write_record
from tests.test_data import FIGURE

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
# file -> (English column, its Russian column, id column)
RUSSIAN = {
    data.EVENTS_FILE: ("notes", "notes_ru", "event_id_cnty"),
    data.FIGURES_FILE: ("label", "label_ru", "figure_id"),
    data.PERIODS_FILE: ("label", "label_ru", "period_id"),
}
PERIOD = {
    "period_id": "P1",
    "kind": "curfew",
    "label": "Curfew 23:00-07:00",
    "start": "2022-01-05",
    "end": "2022-01-18",
    "scope": "almaty",
    "source_ids": "s1",
}


def bundled(file: str) -> tuple[list[str], list[dict[str, str]]]:
    with (GEODATA / file).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def numbers(text: str) -> list[str]:
    """The digit runs of ``text``, a thousands separator (``10,000``, ``10 000``) removed first;
    a decimal point or comma splits (``1.5`` in English is ``1,5`` in Russian)."""
    joined = re.sub(r"(?<=\d)[,\u00a0\u202f ](?=\d{3}(?!\d))", "", text)
    return re.findall(r"\d+", joined)


def test_numbers_reads_separators_alike() -> None:
    assert numbers("10,000 people, 1.5 km, 2 Jan") == ["10000", "1", "5", "2"]
    assert numbers("10 000 человек, 1,5 км, 2 января") == ["10000", "1", "5", "2"]
    assert numbers("12,5 and 1,234,567") == ["12", "5", "1234567"]


def rows_of(file: str) -> Iterator[tuple[str, str, str]]:
    english, russian, key = RUSSIAN[file]
    for row in bundled(file)[1]:
        yield row[key], row[english], row[russian]


@pytest.mark.parametrize("file", list(RUSSIAN))
def test_the_russian_column_follows_the_english_one(file: str) -> None:
    english, russian, _ = RUSSIAN[file]
    header, _ = bundled(file)
    assert header[header.index(english) + 1] == russian


@pytest.mark.parametrize("file", list(RUSSIAN))
def test_every_bundled_row_has_russian_text(file: str) -> None:
    missing = [
        key for key, _, ru in rows_of(file) if not re.search(CYRILLIC_PATTERN, ru.strip() or "")
    ]
    assert missing == []


@pytest.mark.parametrize("file", list(RUSSIAN))
def test_every_number_of_the_english_text_is_in_the_russian(file: str) -> None:
    wrong = {}
    for key, en, ru in rows_of(file):
        lost = sorted(set(numbers(en)) - set(numbers(ru)), key=int)
        if lost:
            wrong[key] = lost
    assert wrong == {}


@pytest.mark.parametrize("file", list(RUSSIAN))
def test_russian_quotes_are_guillemets(file: str) -> None:
    straight = [key for key, _, ru in rows_of(file) if re.search('["“”„]', ru)]
    assert straight == []


def test_the_bundled_record_loads_its_russian_text() -> None:
    record = data.load_record(GEODATA)
    assert record.problems == ()
    for frame in (record.events["notes_ru"], record.figures["label_ru"]):
        assert frame.str.contains(CYRILLIC_PATTERN).all()
    assert record.periods["label_ru"].str.contains(CYRILLIC_PATTERN).all()


def test_a_record_without_russian_columns_loads_with_them_empty(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k != "notes_ru"} for row in events()]
    folder = write_record(tmp_path / "r", event_rows=rows, figures=[FIGURE])
    write_csv(folder / data.PERIODS_FILE, [PERIOD], [*PERIOD])
    for file, (_, russian, _) in RUSSIAN.items():
        assert russian not in (folder / file).read_text("utf-8").splitlines()[0].split(",")
    record, problems = data.validate(folder)
    assert list(problems) == []
    assert record is not None and len(record.events) == 8
    assert (record.events["notes_ru"] == "").all()
    assert list(record.figures["label_ru"]) == [""]
    assert list(record.periods["label_ru"]) == [""]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "is empty"),
        ("Test event T4 in Almaty.", "has no Cyrillic letter; Russian text is expected"),
        ("2022-01-05, 12:00", "has no Cyrillic letter"),
    ],
)
def test_an_empty_or_latin_russian_note_is_a_problem(tmp_path: Path, value, needle) -> None:
    rows = events()
    rows[3]["notes_ru"] = value  # T4, spreadsheet row 5
    folder = write_record(tmp_path / "r", event_rows=rows)
    record, problems = data.validate(folder)
    assert [(p.file, p.row, p.field) for p in problems] == [("events.csv", 5, "notes_ru")]
    assert needle in problems[0].message
    assert record is not None and "T4" not in set(record.events["event_id_cnty"])


@pytest.mark.parametrize("value", ["", "people killed"])
def test_an_empty_or_latin_russian_label_is_a_problem(tmp_path: Path, value) -> None:
    figures = [dict(FIGURE, label_ru="убитые"), dict(FIGURE, figure_id="F2", label_ru=value)]
    folder = write_record(tmp_path / "r", figures=figures)
    periods = [dict(PERIOD, label_ru="Комендантский час"), dict(PERIOD, period_id="P2")]
    periods[1]["label_ru"] = value
    write_csv(folder / data.PERIODS_FILE, periods, [*PERIOD, "label_ru"])
    record, problems = data.validate(folder)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("figures.csv", 3, "label_ru"),
        ("periods.csv", 3, "label_ru"),
    ]
    assert record is not None
    assert list(record.figures["figure_id"]) == ["F1"]
    assert list(record.periods["period_id"]) == ["P1"]


def test_validate_command_names_the_latin_russian_cell(tmp_path: Path, capsys) -> None:
    rows = events()
    rows[0]["notes_ru"] = "Protest in Zhanaozen."
    folder = write_record(tmp_path / "r", event_rows=rows)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "error: events.csv, row 2, field 'notes_ru': 'Protest in Zhanaozen.' has no" in out
