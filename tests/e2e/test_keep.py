""" "Download this map": the file the app gives, opened in Chromium with every request blocked.
Expected numbers come from the core (``query.Answers``)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from harness import CIRCLES, map_frame, open_app

from dashboard import data, query, regions
from dashboard.index import EventIndex, View

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
REGIONS, _ = regions.load_regions(data.DEFAULT_DATA_DIR)
INDEX = EventIndex(RECORD, REGIONS)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def download_map(page, tmp_path: Path) -> Path:
    # after the map has reported its position: that rerun redraws the button (its link changes),
    # and a click on the button it replaces starts no download
    map_frame(page)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download this map")).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def open_offline(browser, path: Path):
    """The file in a fresh context where every request but the file itself fails."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    requests: list[str] = []
    errors: list[str] = []

    def block(route) -> None:
        requests.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!file:)"), block)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-overlay-pane')")
    return page, requests, errors


def test_the_downloaded_map_opens_offline_with_the_views_circles(
    app_server, page, browser, tmp_path
) -> None:
    start, end = date(2022, 1, 4), date(2022, 1, 8)
    open_app(page, app_server.url, f"from={start}&to={end}")
    path = download_map(page, tmp_path)
    assert path.name == f"qantar-map-{start:%Y%m%d}-{end:%Y%m%d}.html"
    answers = query.Answers(INDEX, View(start, end), None)
    expected = len(answers.circles.places) + len(answers.circles.areas)
    kept, requests, errors = open_offline(browser, path)
    kept.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n", arg=[CIRCLES, expected]
    )
    header = kept.locator(".qm-keep").inner_text()
    assert RECORD.settings.title in header
    assert f"{answers.counts.events} events at {answers.counts.places} places" in header
    back = kept.locator("a.qm-back").get_attribute("href") or ""
    assert back.startswith(app_server.url) and f"from={start}" in back and f"to={end}" in back
    # a popup with its sources opens from a circle
    kept.locator(CIRCLES).first.click(force=True)
    kept.locator(".leaflet-popup-content").wait_for()
    sources = kept.locator(".leaflet-popup-content a.qm-sources").first
    assert sources.evaluate("a => a.href").startswith(f"{app_server.url}/sources?event=")
    kept.locator(CIRCLES).first.hover(force=True)
    tooltip = kept.locator(".leaflet-tooltip:not(.qm-label)").first
    tooltip.wait_for()
    box = tooltip.bounding_box()
    assert box is not None and box["width"] > 100  # a box of text, not a column of letters
    kept.wait_for_timeout(400)  # the popup's fade-in, for the screenshot
    SHOTS.mkdir(exist_ok=True)
    kept.screenshot(path=str(SHOTS / "kept-map-offline.png"))
    assert errors == []
    assert all(not url.startswith(("http://127.0.0.1", "file:")) for url in requests)
    kept.context.close()


def test_the_downloaded_regions_map_shades_every_region(
    app_server, page, browser, tmp_path
) -> None:
    open_app(page, app_server.url, "layer=regions")
    path = download_map(page, tmp_path)
    kept, _, errors = open_offline(browser, path)
    kept.wait_for_function(
        "n => document.querySelectorAll('.leaflet-overlay-pane path').length >= n",
        arg=len(REGIONS.display),
    )
    assert "geokz" in kept.locator(".qm-keep").inner_text()
    assert errors == []
    kept.context.close()
