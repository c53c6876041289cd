"""Playback, the regions layer and a place's sites, in headless Chromium on the bundled record.
Expected numbers come from the core (``query``, ``index``, ``regions``), not from here."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from harness import MAP_IFRAME, map_frame, net_log, open_app, wait_for_idle
from playwright.sync_api import Page

from dashboard import data, query, regions
from dashboard.index import EventIndex, View

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
REGIONS, _ = regions.load_regions(data.DEFAULT_DATA_DIR)
INDEX = EventIndex(RECORD, REGIONS)
LO, HI = RECORD.settings.period


def thumbs(page: Page) -> list[str]:
    return page.locator("[data-testid='stSliderThumbValue']").all_inner_texts()


def link(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def mark_map(page: Page) -> None:
    frame = map_frame(page)
    frame.evaluate("() => { window.__qmMarker = 'same window'; }")
    page.locator(MAP_IFRAME).evaluate("el => { el.__qmMarker = 'same element'; }")


def map_kept(page: Page) -> bool:
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    return (
        frame is not None
        and frame.evaluate("() => window.__qmMarker") == "same window"
        and page.locator(MAP_IFRAME).evaluate("el => el.__qmMarker") == "same element"
    )


def test_playback_steps_to_the_end_without_reloading_the_map(app_server, page) -> None:
    start = HI - timedelta(days=4)
    open_app(page, app_server.url, f"from={start}&to={start + timedelta(days=1)}&speed=0.5")
    mark_map(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    # the range moves one day per step, keeping its length, until it ends the record
    page.wait_for_function(
        "end => Array.from(document.querySelectorAll(\"[data-testid='stSliderThumbValue']\"))"
        ".map(e => e.textContent).includes(end)",
        arg=f"{HI:%-d %b %Y}",
        timeout=60_000,
    )
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)  # it stopped
    wait_for_idle(page)
    assert thumbs(page) == [f"{HI - timedelta(days=1):%-d %b %Y}", f"{HI:%-d %b %Y}"]
    assert link(page)["play"] == "0" and link(page)["to"] == HI.isoformat()
    assert map_kept(page)
    assert net_log(page).errors == []


def test_pausing_leaves_a_view_its_link_reproduces(app_server, page, new_context) -> None:
    open_app(page, app_server.url, "from=2022-01-02&to=2022-01-04&speed=0.5&window=growing")
    mark_map(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => { const to = new URL(location.href).searchParams.get('to');"
        " return to >= '2022-01-06'; }",
        timeout=60_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_idle(page)
    shown, params = thumbs(page), link(page)
    assert params["play"] == "0" and params["from"] == "2022-01-02"  # a growing range
    end = date.fromisoformat(params["to"])
    assert shown == ["2 Jan 2022", f"{end:%-d %b %Y}"]
    counts = INDEX.counts(View(date(2022, 1, 2), end))
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Events").first
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == str(counts.events)
    assert map_kept(page)

    other = new_context().new_page()
    open_app(other, page.url.split("?")[0], urlsplit(page.url).query)
    map_frame(other)
    assert thumbs(other) == shown
    assert link(other)["to"] == params["to"] and link(other)["play"] == "0"


REGION_TOOLTIPS = """() => Object.values(map._layers)
  .filter(l => l.feature && l.feature.properties && l.feature.properties.region)
  .map(l => [l.feature.properties.region, l.feature.properties.tooltip])"""


def test_the_regions_layer_draws_17_regions_with_the_cores_counts(app_server, page) -> None:
    assert REGIONS is not None
    open_app(page, app_server.url, "layer=regions")
    frame = map_frame(page)
    frame.wait_for_selector("path[data-region]", state="attached")
    assert frame.locator("path[data-region]").count() == 17
    assert frame.locator("path.qm-city").count() == 0
    shown = {
        name: int(re.search(r"(\d+) events?", tooltip).group(1))
        for name, tooltip in frame.evaluate(REGION_TOOLTIPS)
    }
    rows = query.region_rows(INDEX, View(LO, HI))
    assert shown == dict(zip(rows["name_en"], rows["events"].astype(int), strict=True))
    assert (
        sum(shown.values())
        == INDEX.counts(View(LO, HI)).events - INDEX.counts(View(LO, HI)).national
    )  # every local event is in a region; national measures in none
    assert page.get_by_text("geokz (A. Rodionov), CC BY 4.0").first.is_visible()
    # the switch goes back to the places without reloading the map
    mark_map(page)
    page.get_by_text("Places", exact=True).click()
    frame.wait_for_selector("path.qm-city", state="attached")
    assert frame.locator("path[data-region]").count() == 0
    assert map_kept(page) and link(page)["layer"] == "places"


def test_selecting_almaty_zooms_in_and_draws_its_sites(app_server, page) -> None:
    open_app(page, app_server.url)
    frame = map_frame(page)
    mark_map(page)
    assert frame.evaluate("() => map.getZoom()") < 8
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Place")
    box.click()
    page.keyboard.type("Алматы")
    page.keyboard.press("Enter")
    frame.wait_for_function("() => map.getZoom() >= 10", timeout=60_000)
    wait_for_idle(page)
    centre = frame.evaluate("() => map.getCenter()")
    almaty = RECORD.cities.loc["almaty"]
    assert abs(centre["lat"] - almaty["lat"]) < 0.1 and abs(centre["lng"] - almaty["lon"]) < 0.1
    sites = query.sites(INDEX, View(LO, HI), "almaty")
    own = sites[sites["selected"]]
    assert len(own) >= 2  # the airport is not the square
    frame.wait_for_function(
        "n => Array.from(document.querySelectorAll('path.qm-site'))"
        ".filter(p => p.style.display !== 'none').length >= n",
        arg=len(own),
    )
    drawn = frame.eval_on_selector_all(
        "path.qm-site", "ps => ps.map(p => Number(p.getAttribute('data-site')))"
    )
    assert set(own.index) <= set(drawn)
    assert map_kept(page) and link(page)["city"] == "almaty"
    # "All places" goes back to the country
    box.click()
    page.keyboard.type("All places")
    page.keyboard.press("Enter")
    frame.wait_for_function("() => map.getZoom() <= 6", timeout=60_000)
    assert net_log(page).errors == []
