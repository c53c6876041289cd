"""A hostile record in a real browser: every payload would set ``window.top.__pwned`` if it ran.

Every text field of every record file carries the payloads (tests/hostile.py). The test opens
every popup, hovers every tooltip, shows the tile-less labels, opens the place chronology, the
figures, timeline and spread tabs, the share and cite panels, a selected event's card and the
notices of a hostile link, and checks that nothing ran, the text shows as written, and the map
drew every circle.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from harness import (
    MAP_IFRAME,
    OPEN_POPUP,
    click_in_map,
    fetched_popup,
    map_frame,
    net_log,
    open_app,
    wait_for_circle_count,
)
from playwright.sync_api import Frame, Page

from dashboard import data
from tests.hostile import LITERAL, hostile_id, write_hostile_record

LINK_TEXT = "[x](javascript:window.top.__pwned=1)"
SELECTED = "#000000"  # the outline of the selected place
# Elements a payload would have made if the browser had read it as HTML or Markdown.
INJECTED = (
    "img[src='x'], svg[onload], script:not([src]):has-text('__pwned'), a[href^='javascript'],"
    " a[href*='evil.example'], img[src*='evil.example']"
)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_record(tmp_path_factory.mktemp("hostile") / "record")


@pytest.fixture
def server(start_app, hostile_dir):
    return start_app(data_dir=hostile_dir)


def assert_nothing_ran(page: Page, frame: Frame | None = None) -> None:
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator(INJECTED).count() == 0
    if frame is not None:
        assert frame.evaluate("() => typeof window.top.__pwned") == "undefined"
        assert frame.evaluate("() => typeof window.__pwned") == "undefined"
        assert frame.locator(INJECTED).count() == 0
    log = net_log(page)
    assert log.errors == [], log.errors
    assert log.failed_requests == [], log.failed_requests  # an <img src=x> would 404
    assert [u for u in log.blocked_requests if "evil.example" in u] == []


def open_popup(frame: Frame, city_id: str, name: str) -> str:
    """Open a place's popup with Leaflet's own call (as a click does, without the click's
    selection and zoom, which test_dashboard covers) and return its text."""
    assert frame.evaluate(OPEN_POPUP, city_id)
    return fetched_popup(frame, name[:40]).inner_text()


def test_hostile_record_shows_as_text_and_runs_nothing(server, page, hostile_dir) -> None:
    record = data.load_record(hostile_dir)
    places = len(record.cities)  # every place of the hostile record has events
    open_app(page, server.url)
    frame = map_frame(page)
    wait_for_circle_count(frame, places)
    assert_nothing_ran(page, frame)

    # tooltips (hover) and popups (click), every circle
    for city_id in record.cities.index:
        circle = frame.locator(f"path[data-city-id='{city_id}']")
        page.locator(MAP_IFRAME).scroll_into_view_if_needed()
        circle.hover(force=True)
        name = record.cities.loc[city_id, "name"]
        tooltip = frame.locator(".leaflet-tooltip:not(.qm-label)").filter(has_text=name[:50])
        tooltip.wait_for()
        assert LITERAL in tooltip.inner_text()
        box = tooltip.bounding_box()
        assert box is not None and box["width"] < 500  # long names wrap
        page.mouse.move(0, 0)
        text = open_popup(frame, city_id, name)
        assert LITERAL in text and "<script>window.top.__pwned=1</script>" in text
        assert "${window.top.__pwned=1}" in text and LINK_TEXT in text
        # no image or link from the data: the only links are our own, to each event's sources
        assert frame.locator(".leaflet-popup-content img").count() == 0
        hrefs = frame.eval_on_selector_all(
            ".leaflet-popup-content a", "links => links.map(a => [a.className, a.href])"
        )
        assert all(
            kind == "qm-sources" and re.search(r"/sources\?event=[^&#]+$", href)
            for kind, href in hrefs
        ), hrefs
        assert_nothing_ran(page, frame)

    # tiles are blocked here, so the map names its places (escaped labels on the outline)
    labels = frame.locator(".qm-no-tiles .leaflet-tooltip.qm-label")
    labels.first.wait_for()
    assert labels.count() == places
    # every label holds its name as text (some are hidden where they would overlap another)
    assert all(LITERAL in t for t in labels.all_text_contents())

    # a click selects a place: its chronology, with a Markdown heading and caption
    frame.evaluate(
        "() => { for (const l of Object.values(map._layers)) if (l.closePopup) l.closePopup(); }"
    )
    click_in_map(page, frame.locator(f"path[data-city-id='{record.cities.index[-1]}']"))
    heading = page.locator("[data-testid='stHeading']").filter(has_text="chronology")
    heading.wait_for()
    assert LITERAL in heading.inner_text() and LINK_TEXT in heading.inner_text()
    assert page.locator("[data-testid='stCaptionContainer']").filter(has_text=LINK_TEXT).count()

    # the place dropdown lists every name as text
    page.locator("[data-testid='stSelectbox']").filter(has_text="Place").click()
    options = page.locator("[role='option']")
    options.first.wait_for()
    assert any(LITERAL in t for t in options.all_inner_texts())
    assert_nothing_ran(page, frame)
    page.keyboard.press("Escape")

    # timeline: hover the context-period lanes until Vega shows a tooltip
    lanes = page.locator("[data-testid='stVegaLiteChart']").nth(1)
    lanes.scroll_into_view_if_needed()
    box = lanes.bounding_box()
    assert box is not None
    tooltip = page.locator("#vg-tooltip-element.visible")
    for step in range(4, 60):
        page.mouse.move(box["x"] + box["width"] * step / 60, box["y"] + box["height"] * 0.3)
        if tooltip.count() and "period_label" in tooltip.inner_text():
            break
    assert "period_label" in tooltip.inner_text() and LITERAL in tooltip.inner_text()
    assert tooltip.locator("img, svg, a").count() == 0

    page.get_by_role("tab", name="Figures", exact=True).click()
    page.get_by_role("tab", name="Deaths", exact=True).wait_for()
    page.get_by_role("tab", name="Arrests", exact=True).wait_for()
    page.locator("[data-testid='stVegaLiteChart']:visible").first.wait_for()
    assert_nothing_ran(page, frame)
    page.get_by_role("tab", name="Spread", exact=True).click()
    page.locator("[data-testid='stVegaLiteChart']:visible").first.wait_for()
    assert_nothing_ran(page, frame)

    for panel in ("Share this view", "Cite this view"):
        page.locator("[data-testid='stExpander'] summary").filter(has_text=panel).click()
    citation = page.locator("[data-testid='stCode']").filter(has_text="Record version")
    citation.wait_for()
    assert LITERAL in citation.inner_text()
    assert_nothing_ran(page, frame)


def test_hostile_link_and_selected_event_show_as_text(server, page, hostile_dir) -> None:
    query = urlencode(
        {
            "event": hostile_id("E0"),
            "city": '<img src=x onerror="window.top.__pwned=1">',
            "cat": "protest,${window.top.__pwned=1}",
            "from": "\\1",
            "z": "`${window.top.__pwned=1}`",
            "[x](javascript:window.top.__pwned=1)": "1",
        }
    )
    open_app(page, server.url, query)
    page.get_by_text("could not be used").wait_for()
    frame = map_frame(page)
    notices = " ".join(page.locator("[data-testid='stText']").all_inner_texts())
    assert "<img src=x onerror" in notices and "${window.top.__pwned=1}" in notices
    assert "[x](javascript:window.top.__pwned=1)" in notices
    card = page.locator("[data-testid='stText']").filter(has_text="notes0")
    assert LITERAL in card.inner_text()
    assert_nothing_ran(page, frame)
