"""geodata/README.md's data dictionary says what the schemas (dashboard/schema.py) check: each
file's table names exactly the schema's columns, and a column's cell says "one of `a`, `b`"
exactly when the schema allows only those values. Either side changing alone fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import data, schema

README = Path(__file__).resolve().parent.parent / "geodata" / "README.md"
FILES = [
    data.CITIES_FILE,
    data.EVENTS_FILE,
    data.FIGURES_FILE,
    data.PERIODS_FILE,
    data.SOURCES_FILE,
]


def section(text: str, heading: str) -> str:
    """The text under a ``## `` or ``### `` heading, up to the next heading of that level."""
    level = heading.split(" ", 1)[0]
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^{level} |\Z)", text, re.M | re.S)
    assert match, f"no section {heading!r} in {README.name}"
    return match.group(1)


def column_table(file: str) -> dict[str, str]:
    """The first table of the file's section: each column it names -> its description."""
    lines = section(README.read_text("utf-8"), f"## `{file}`").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows: dict[str, str] = {}
    for line in lines[start + 2 :]:  # after the header and the --- row
        if not line.startswith("|"):
            break
        names, meaning = (cell.strip() for cell in line.strip("|").split("|", 1))
        for name in re.findall(r"`([^`]+)`", names):
            rows[name] = meaning
    return rows


def documented_values(meaning: str) -> list[str] | None:
    """The values a description allows: the backticked run after "one of", if it says so."""
    match = re.search(r"\bone of ((?:`[^`]+`(?:, or |, | or )?)+)", meaning)
    return re.findall(r"`([^`]+)`", match.group(1)) if match else None


def test_the_parser_reads_allowed_values() -> None:
    assert documented_values("exactly one of `a`, `b c`, `d`; see the rule `e`") == [
        "a",
        "b c",
        "d",
    ]
    assert documented_values("`a` or `b`, as the source says") is None


@pytest.mark.parametrize("file", FILES)
def test_readme_names_the_schema_columns(file: str) -> None:
    table = column_table(file)
    columns = [*schema.columns(schema.documented(file), required=True)]
    columns += schema.columns(schema.documented(file), required=False)
    assert sorted(table) == sorted(columns)


@pytest.mark.parametrize("file", FILES)
def test_readme_lists_exactly_the_allowed_values(file: str) -> None:
    table = column_table(file)
    checked = schema.documented(file)
    for name, meaning in table.items():
        allowed = schema.allowed_values(checked.columns[name])
        expected = None if allowed is None else [str(v) for v in allowed]
        assert documented_values(meaning) == expected, f"{file}: {name}"


def test_the_category_rule_covers_every_category() -> None:
    rule = section(README.read_text("utf-8"), "### Category rule")
    assert re.findall(r"^\* `([^`]+)`:", rule, re.M) == list(data.CATEGORIES)
