"""A hostile record: every text field of every record file carries payloads that would set
``window.top.__pwned`` if a browser ran them, or open a link, or start a spreadsheet formula.
Test data only (built with ``recordkit``)."""

from __future__ import annotations

import json
from pathlib import Path

from dashboard import data
from tests.recordkit import CITIES, SOURCES, events, write_csv, write_record

FLAG = "__pwned"
PAYLOADS = (
    '<img src=x onerror="window.top.__pwned=1">',
    "<script>window.top.__pwned=1</script>",
    "${window.top.__pwned=1}",
    "`${window.top.__pwned=1}`",
    "\\1 \\x3cimg src=x onerror=window.top.__pwned=1\\x3e",
    "\"'><svg onload=window.top.__pwned=1>",
    "[x](javascript:window.top.__pwned=1)",
    "![x](https://evil.example/x.png)",
    ":red[x] $x^2$ **bold**",
    "\u202eRTL\u202c zero\u200bwidth\u200d\ufeff",
    "{{ 6*7 }} {% endif %} {# {{ this.__class__ }}",
)
# Cells a spreadsheet would run as formulas, one per text field in turn (they lead the value).
FORMULAS = ('=HYPERLINK("https://evil.example","x")', "+1+1", "-1-1", "@SUM(1)")
LONG = "L" * 5000
# What a popup, tooltip or label must show as literal text.
LITERAL = '<img src=x onerror="window.top.__pwned=1">'

_counter = iter(range(10**6))


def hostile(tag: str, payloads: tuple[str, ...] = PAYLOADS) -> str:
    """A field value: a formula, a tag naming the field, then every payload."""
    n = next(_counter)
    return f"{FORMULAS[n % len(FORMULAS)]} {tag} " + " ".join(payloads)


def hostile_id(tag: str) -> str:
    """An id: unique, no ';' (ids are ';'-separated in source_ids), under the 200 characters a
    link may carry."""
    return f"{tag} <img src=x onerror=window.top.__pwned=1> ${{x}} `\\1` [x](javascript:x)"


def write_hostile_record(folder: Path) -> Path:
    """The recordkit record (3 places, 8 events) with hostile text everywhere, plus hostile
    sources, figures, periods and a hostile title."""
    cities = [
        {
            **city,
            "name": hostile(f"name{i}") + (f" {LONG}" if i == 0 else ""),
            "name_kk": hostile(f"name_kk{i}"),
            "name_ru": hostile(f"name_ru{i}"),
            "aliases": [hostile(f"alias{i}a"), hostile(f"alias{i}b")],
            "region": hostile(f"region{i}"),
        }
        for i, city in enumerate(CITIES)
    ]
    source_ids = [hostile_id("s1"), hostile_id("s2")]
    sources = [
        {
            **source,
            "source_id": source_ids[i],
            "outlet": hostile(f"outlet{i}"),
            "title": hostile(f"title{i}"),
            "author": hostile(f"author{i}"),
            "published_note": hostile(f"published_note{i}"),
            "url": "https://evil.example/?q=${window.top.__pwned=1}&b=`\\1`#[x](javascript:x)",
            "seed_file": hostile(f"seed_file{i}"),
        }
        for i, source in enumerate(SOURCES)
    ]
    rows = events()
    for i, row in enumerate(rows):
        for col in (
            "disorder_type",
            "event_type",
            "sub_event_type",
            "actor1",
            "actor2",
            "location",
            "source",
            "notes",
        ):
            row[col] = hostile(f"{col}{i}")
        row["event_id_cnty"] = hostile_id(f"E{i}")
        row["source_ids"] = source_ids[i % 2]
    rows[0]["notes"] += " " + LONG
    write_record(folder, cities=cities, event_rows=rows, sources=sources, figures=figures(sources))
    write_csv(
        folder / data.PERIODS_FILE,
        periods(source_ids),
        list(data.PERIOD_REQUIRED + data.PERIOD_OPTIONAL),
    )
    settings = {"title": hostile("title")}
    (folder / data.SETTINGS_FILE).write_text(json.dumps(settings), "utf-8")
    return folder


def figures(sources: list[dict]) -> list[dict]:
    return [
        {
            "figure_id": hostile_id(f"F{i}"),
            "kind": ("deaths", "arrests")[i % 2],  # a fixed vocabulary: text elsewhere
            "label": hostile(f"label{i}"),
            "value": str(10 * (i + 1)),
            "value_max": "",
            "unit": hostile(f"unit{i}"),
            "qualifier": hostile(f"qualifier{i}"),
            "scope": ("national", "almaty")[i % 2],
            "as_of": f"2022-01-0{i + 3}",
            "as_of_precision": "1",
            "claimed_by": hostile(f"claimed_by{i}"),
            "claimant_type": hostile(f"claimant_type{i}"),
            "source_ids": sources[i % 2]["source_id"],
            "notes": hostile(f"figure_notes{i}"),
        }
        for i in range(4)
    ]


def periods(source_ids: list[str]) -> list[dict]:
    return [
        {
            "period_id": hostile_id(f"P{i}"),
            "kind": kind,
            "label": hostile(f"period_label{i}"),
            "start": "2022-01-05",
            "end": "2022-01-10",
            "scope": scope,
            "source_ids": source_ids[i % 2],
            "notes": hostile(f"period_notes{i}"),
        }
        for i, (kind, scope) in enumerate(
            [
                ("internet blackout", "national"),
                ("curfew", "almaty"),
                ("state of emergency", "national"),
            ]
        )
    ]
