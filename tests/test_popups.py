"""The popups' route (``dashboard.popups``): the answer for a view and place, and a clear error
for every address it cannot answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard import data, i18n, mapview, popups, viewstate
from dashboard.index import EventIndex, View
from tests.recordkit import events, write_record

HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=[popups.ROUTE])) as test_client:
        yield test_client
    popups._SERVED.clear()
    i18n.use(i18n.DEFAULT)


def served(folder: Path, languages: tuple[str, ...] = ("en",)) -> EventIndex:
    index = EventIndex(data.load_record(folder))
    for language in languages:
        popups.serve(language, index)
    return index


def address(index: EventIndex, view: View, city: str, language: str = "en", **extra: str) -> str:
    page = viewstate.encode(viewstate.ViewState(view=view, lang=language))
    query = "&".join(f"{k}={page[k]}" for k in mapview.POPUP_VIEW_KEYS)
    extra_part = "".join(f"&{k}={v}" for k, v in extra.items())
    return f"{popups.address(language, index.record.version)}&{query}&city={city}{extra_part}"


def test_a_popup_lists_the_place_s_events_in_view(record_dir: Path, client: TestClient) -> None:
    index = served(record_dir)
    lo, hi = index.record.settings.period
    view = View(lo, hi)
    answer = client.get(address(index, view, "almaty"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"].startswith("private")
    mine = index.place_events("almaty", view)
    assert answer.text.count("<li>") == len(mine)
    assert all(note in answer.text for note in mine["notes"])
    assert "4 events" in answer.text

    narrow = View(date(2022, 1, 5), date(2022, 1, 5))
    answer = client.get(address(index, narrow, "almaty"))
    assert answer.text.count("<li>") == len(index.place_events("almaty", narrow))


def test_a_popup_speaks_the_page_language(record_dir: Path, client: TestClient) -> None:
    index = served(record_dir, ("en", "ru"))
    lo, hi = index.record.settings.period
    answer = client.get(address(index, View(lo, hi), "almaty", "ru"))
    assert answer.status_code == 200
    assert "события" in answer.text
    assert "&amp;lang=ru'" in answer.text  # the links to the sources keep the language


def test_every_data_string_is_escaped(record_dir: Path, client: TestClient) -> None:
    rows = events()
    for row in rows:
        for col in ("notes", "source", "sub_event_type", "location"):
            row[col] = HOSTILE
    write_record(record_dir, event_rows=rows)
    geo = record_dir / data.CITIES_FILE
    doc = json.loads(geo.read_text("utf-8"))
    for feature in doc["features"]:
        feature["properties"].update(name=HOSTILE, name_kk=HOSTILE, name_ru=HOSTILE)
    geo.write_text(json.dumps(doc), "utf-8")
    index = served(record_dir)
    lo, hi = index.record.settings.period
    answer = client.get(address(index, View(lo, hi), "almaty"))
    assert answer.status_code == 200
    assert "<img" not in answer.text and "${" not in answer.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in answer.text


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"lang": "xx"}, 400, "lang must be one of"),
        ({"rv": "0ld"}, 409, "reload the page"),
        ({"from": "2022-13-01"}, 400, "from"),
        ({"city": "atlantis"}, 400, "atlantis"),
        ({"city": ""}, 400, "names no place"),
        ({"surprise": "1"}, 400, "surprise"),
        ({"from": "2022-01-02", "to": "2022-01-02", "city": "almaty"}, 404, "no event"),
    ],
)
def test_a_bad_address_gets_a_clear_message(
    record_dir: Path, client: TestClient, change: dict[str, str], status: int, says: str
) -> None:
    index = served(record_dir)
    lo, hi = index.record.settings.period
    params = dict(
        p.split("=", 1) for p in address(index, View(lo, hi), "almaty").split("?")[1].split("&")
    )
    params.update(change)
    answer = client.get(popups.PATH, params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "no-store"
    assert says in answer.text


def test_nothing_is_answered_before_a_page_was_drawn(record_dir: Path, client: TestClient) -> None:
    index = EventIndex(data.load_record(record_dir))
    lo, hi = index.record.settings.period
    answer = client.get(address(index, View(lo, hi), "almaty"))
    assert answer.status_code == 503 and "open the map first" in answer.text


def test_the_map_takes_the_view_from_the_page_link() -> None:
    """What the map's script copies from the page's link is the view, as links write it."""
    assert set(mapview.POPUP_VIEW_KEYS) <= set(viewstate.KEYS)
    assert "v" in mapview.POPUP_VIEW_KEYS and "city" not in mapview.POPUP_VIEW_KEYS
