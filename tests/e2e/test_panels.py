"""Issue 3 panels in the browser: timeline with period bands, figures, spread, downloads."""

from __future__ import annotations

import csv
import io
import json

from harness import map_frame, wait_for_idle

from dashboard import data

RECORD = data.load_record(data.DEFAULT_DATA_DIR)


def test_timeline_figures_and_spread_render(app_server, new_page) -> None:
    page = new_page(app_server)
    map_frame(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for()
    assert charts.count() >= 2  # events per day and the period lanes
    page.get_by_role("tab", name="Figures").click()
    page.get_by_text("Every reported number with who claimed it").wait_for()
    page.get_by_role("tab", name="Spread").click()
    page.get_by_text("Each place at the date of its first event").wait_for()
    assert page.errors == []


def test_downloads_hold_the_events_in_range(app_server, new_page) -> None:
    page = new_page(app_server)
    map_frame(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download 99 events as CSV").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text("utf-8"))))
    assert len(rows) == len(RECORD.events)
    assert {"event_id_cnty", "event_date", "city_id", "category"} <= set(rows[0])
    with page.expect_download() as info:
        page.get_by_role("button", name="Download as GeoJSON").click()
    doc = json.loads(info.value.path().read_text("utf-8"))
    assert len(doc["features"]) == len(RECORD.events)
    wait_for_idle(page)
    assert page.errors == []
