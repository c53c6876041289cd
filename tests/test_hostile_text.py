"""Hostile record text in the Streamlit script (AppTest) and in downloads: what reaches Markdown is
Markdown-escaped, what reaches HTML is HTML-escaped, HTML is allowed only for constant text, and
CSV cells cannot start a spreadsheet formula. (tests/e2e/test_hostile.py checks what a browser
does with it.)"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from dashboard import data, export, text
from tests.hostile import FORMULAS, PAYLOADS, hostile_id, write_hostile_record
from tests.test_app import folium_args, run_app

# Markdown or HTML syntax from the payloads, unescaped.
RAW = ("<img", "<script", "<svg", "${", "[x](", "![x]", ":red[", "$x^2$", "**bold**")


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    return write_hostile_record(tmp_path / "hostile")


def unescaped(markdown: str) -> list[str]:
    """The payload fragments that appear in ``markdown`` without a backslash escape."""
    found = []
    for raw in RAW:
        for match in re.finditer(re.escape(raw), markdown):
            if match.start() == 0 or markdown[match.start() - 1] != "\\":
                found.append(raw)
    return found


def test_markdown_text_from_data_is_escaped(hostile_dir: Path, monkeypatch) -> None:
    at = run_app(hostile_dir, monkeypatch, city="zhanaozen", event=hostile_id("E0"))
    record = data.load_record(hostile_dir)
    name = record.cities.loc["zhanaozen", "name"]
    (heading,) = [h.value for h in at.subheader if "chronology" in h.value]
    assert heading == f"{text.escape_markdown(name)}: chronology"
    markdown_bodies = []
    for panel in ("Timeline", "Figures", "Spread"):  # lazy tabs: each panel in turn
        at.session_state["panel"] = panel
        at.run()
        assert not at.exception, at.exception
        markdown_bodies += [
            *(m.value for m in at.markdown),
            *(c.value for c in at.caption),
            *(h.value for h in at.subheader),
            *(t.value for t in at.title),
            *(w.value for w in at.warning),
            *(e.value for e in at.error),
            *(i.value for i in at.info),
            *(t.label for t in at.tabs),
            *(e.label for e in at.expander),
        ]
    data_bearing = [body for body in markdown_bodies if "window" in body]
    assert len(data_bearing) >= 4  # title caption, heading, place caption, figure tabs
    for body in markdown_bodies:
        assert unescaped(body) == [], body[:200]
    for element in at.markdown:  # HTML is allowed only in constant text (the legend)
        if element.proto.allow_html:
            assert "pwned" not in element.value and "window" not in element.value
    # the selected event's card is plain text: the payload shows as written
    card = [t.value for t in at.text if t.value.startswith("5 Jan 2022") or "notes0" in t.value]
    assert any(PAYLOADS[0] in text for text in card), card


def test_map_text_from_data_is_html_escaped(hostile_dir: Path, monkeypatch) -> None:
    at = run_app(hostile_dir, monkeypatch)
    args = folium_args(at)
    # JSON in the map's JS has \\uXXXX escapes (folium's tojson): undo them, since what matters
    # is the text Leaflet puts in the page with innerHTML
    group, script = (
        re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), args[key])
        for key in ("feature_group", "script")
    )
    for js in (group, script):
        for raw in ("<img src=x", "<script>window", "<svg", "${window", "`${", "\\1 \\x3c"):
            assert raw not in js, raw
    assert "&lt;img src=x onerror=&#34;window.top.__pwned=1&#34;&gt;" in group
    # the place labels (shown when tiles fail) are in the base map, escaped, then JSON-encoded
    labels = json.loads(re.search(r"\}\)\([^,]+, (\[\[.*?\]\])\);", script).group(1))
    assert len(labels) == 3
    assert all(label[0].startswith(("=", "+", "-", "@")) for label in labels)
    assert all("&lt;img src=x" in label[0] and "<" not in label[0] for label in labels)


def test_csv_download_neutralises_formulas_in_every_text_cell(hostile_dir: Path) -> None:
    record = data.load_record(hostile_dir)
    body = export.to_acled_csv(record.events, record).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == len(record.events) == 8
    starts = tuple(f[0] for f in FORMULAS)
    neutralised = 0
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(starts) or column in ("latitude", "longitude"), (
                column,
                cell[:40],
            )
            if cell.startswith("'") and cell[1:].startswith(FORMULAS):
                neutralised += 1
    # every hostile text column of every row started with a formula, and was neutralised
    assert neutralised >= 8 * 8
