"""Issue 3 panels in the browser: timeline with period bands, figures, spread, downloads."""

from __future__ import annotations

import csv
import io
import json

from harness import map_frame, net_log, open_app, wait_for_circle_count, wait_for_idle

from dashboard import data, mapview, query

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = query.EventIndex(RECORD)
EVERYTHING = query.View(*RECORD.settings.period)


def test_timeline_figures_and_spread_render(app_server, page) -> None:
    open_app(page, app_server.url)
    map_frame(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for()
    assert charts.count() >= 2  # events per day and the period lanes
    page.get_by_role("tab", name="Figures").click()
    page.get_by_text("Every reported number with who claimed it").wait_for()
    page.get_by_role("tab", name="Spread").click()
    page.get_by_text("Each place at the date of its first event").wait_for()
    assert net_log(page).errors == []


def test_downloads_hold_the_events_in_range(app_server, page) -> None:
    events = INDEX.counts(EVERYTHING).events
    open_app(page, app_server.url)
    map_frame(page)
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Download {events} events as CSV").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text("utf-8"))))
    assert len(rows) == events
    assert {"event_id_cnty", "event_date", "city_id", "category"} <= set(rows[0])
    with page.expect_download() as info:
        page.get_by_role("button", name="Download as GeoJSON").click()
    doc = json.loads(info.value.path().read_text("utf-8"))
    assert len(doc["features"]) == events
    wait_for_idle(page)
    assert net_log(page).errors == []


def test_map_outlines_show_precision(app_server, page) -> None:
    """Solid, dash-dot or dashed outline per place, as its events in view are all exact, some
    approximate or all approximate (the bundled record has all three); exact-only turns every
    remaining outline solid."""
    totals = INDEX.city_totals(EVERYTHING)
    expected = {
        city: mapview.precision_of(int(row["events"]), int(row["exact"]))
        for city, row in totals.iterrows()
    }
    assert set(expected.values()) == {"exact", "mixed", "approximate"}
    open_app(page, app_server.url)
    frame = map_frame(page)
    wait_for_circle_count(frame, len(expected))
    dashes = frame.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("path[data-city-id]")]
            .map(p => [p.getAttribute("data-city-id"), p.getAttribute("stroke-dasharray")]))"""
    )
    assert dashes == {city: mapview.OUTLINE_DASHES[p] for city, p in expected.items()}
    page.get_by_text("Exact only").click()
    exact_places = int((totals["exact"] > 0).sum())
    wait_for_circle_count(frame, exact_places)
    wait_for_idle(page)
    remaining = frame.evaluate(
        """() => [...document.querySelectorAll("path[data-city-id]")]
            .map(p => p.getAttribute("stroke-dasharray"))"""
    )
    assert remaining == [None] * exact_places
    assert net_log(page).errors == []


def test_the_nationwide_table_is_sent_when_its_expander_opens(app_server, page) -> None:
    """The expander is lazy (its table is built only while it is open): opening it in the
    browser must rerun the page and bring the table, one row per nationwide measure."""
    national = INDEX.national_events(EVERYTHING)
    assert len(national) > 0
    open_app(page, app_server.url)
    map_frame(page)
    box = page.get_by_test_id("stExpander").filter(
        has_text=f"Nationwide measures in this range: {len(national)}"
    )
    assert box.get_by_test_id("stDataFrame").count() == 0
    box.locator("summary").click()
    grid = box.get_by_test_id("stDataFrame").locator("table[role='grid']")
    grid.wait_for(state="attached")
    assert grid.get_attribute("aria-rowcount") == str(len(national) + 1)  # with the header
    wait_for_idle(page)
    assert net_log(page).errors == []
