"""The dashboard in headless Chromium, on the bundled record: what only a browser shows. Every
expected number is computed from the record by the core (``query.Answers``), not written here."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from harness import (
    CIRCLES,
    MAP_IFRAME,
    click_in_map,
    fetched_popup,
    map_frame,
    net_log,
    open_app,
    slider,
    wait_for_circle_count,
    wait_for_idle,
)
from playwright.sync_api import Page

from dashboard import data, query, viewstate
from dashboard.data import CATEGORIES
from dashboard.text import category_label

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = query.EventIndex(RECORD)
LO, HI = RECORD.settings.period
FIRST, LAST = (RECORD.events["event_date"].agg(f).date() for f in ("min", "max"))
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def expected(view: query.View, place: str | None = None) -> tuple[dict[str, str], int]:
    """The headline figures and the number of circles the core computes for a view."""
    answers = query.Answers(INDEX, view, place)
    counts, circles = answers.counts, answers.circles
    figures = {
        "Events": counts.events,
        "Protest events": counts.by_category["protest"],
        "Riots and attacks": counts.by_category["riot"],
        "Crackdown events": counts.by_category["crackdown"],
        "Places affected": counts.places,
    }
    return {k: str(v) for k, v in figures.items()}, len(circles.places) + len(circles.areas)


def shown_figures(page: Page) -> dict[str, str]:
    out = {}
    for metric in page.locator("[data-testid='stMetric']").all():
        label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def wait_for_figures(page: Page, figures: dict[str, str]) -> None:
    """Wait until the page shows ``figures`` (the rerun an input starts has drawn them), then
    for the script to finish."""
    for label, value in figures.items():
        metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
        metric.locator("[data-testid='stMetricValue']").get_by_text(value, exact=True).wait_for()
    wait_for_idle(page)


def move_end_date(page: Page, to: date, thumb: int = 1) -> None:
    """Move a handle of the date slider to ``to`` with the keyboard, one day per key."""
    handle = slider(page, "Dates").nth(thumb)
    handle.focus()
    current = (LO, HI)[thumb]
    key = "ArrowLeft" if to < current else "ArrowRight"
    for _ in range(abs((to - current).days)):
        handle.press(key)


def test_loads_with_every_place_and_no_errors(app_server, page) -> None:
    open_app(page, app_server.url)
    figures, circles = expected(query.View(LO, HI))
    frame = map_frame(page)
    wait_for_circle_count(frame, circles)
    assert shown_figures(page) | figures == shown_figures(page)
    ids = frame.eval_on_selector_all(
        "path.qm-city", "paths => paths.map(p => p.getAttribute('data-city-id'))"
    )
    assert sorted(ids) == sorted(query.Answers(INDEX, query.View(LO, HI)).circles.places.index)
    log = net_log(page)
    assert log.errors == [] and log.failed_requests == [] and log.missing_assets == []


def test_keyboard_slider_updates_figures_and_circles_without_reloading_map(
    app_server, page
) -> None:
    open_app(page, app_server.url)
    frame = map_frame(page)
    frame.evaluate("() => { window.__qmMarker = 'same window'; }")
    page.locator(MAP_IFRAME).evaluate("el => { el.__qmMarker = 'same element'; }")
    frame.evaluate("() => map.setView([47.0, 60.0], 6)")  # the reader's own pan and zoom
    page.wait_for_function("() => new URL(location.href).searchParams.get('z') === '6'")
    wait_for_idle(page)
    moved = frame.evaluate("() => map.getCenter()")

    end = LO + (HI - LO) // 2
    move_end_date(page, end)
    figures, circles = expected(query.View(LO, end))
    assert figures != expected(query.View(LO, HI))[0]  # so the wait below waits for the rerun
    wait_for_figures(page, figures)
    wait_for_circle_count(frame, circles)
    assert page.get_by_text(f"{end:%-d %b %Y}", exact=True).first.is_visible()

    start = FIRST + timedelta(days=1)  # leaves out the first events
    move_end_date(page, start, thumb=0)
    figures, circles = expected(query.View(start, end))
    wait_for_figures(page, figures)
    wait_for_circle_count(frame, circles)

    assert frame.evaluate("() => window.__qmMarker") == "same window"
    assert page.locator(MAP_IFRAME).evaluate("el => el.__qmMarker") == "same element"
    center = frame.evaluate("() => map.getCenter()")
    assert frame.evaluate("() => map.getZoom()") == 6
    assert abs(center["lat"] - moved["lat"]) < 0.05 and abs(center["lng"] - moved["lng"]) < 0.05
    assert net_log(page).errors == []


def test_clicking_a_circle_selects_the_place_and_its_popup_stays_open(app_server, page) -> None:
    place = str(INDEX.city_totals(query.View(LO, HI))["events"].idxmax())
    name = RECORD.cities.loc[place, "name"]
    open_app(page, app_server.url)
    frame = map_frame(page)
    click_in_map(page, frame.locator(f"path[data-city-id='{place}']"))
    page.get_by_text(f"{name}: chronology").wait_for()
    # the rerun's layer is drawn with the place outlined, and the layer before it is gone
    frame.locator(f"path[data-city-id='{place}'][stroke='#000000']").wait_for()
    wait_for_idle(page)
    wait_for_circle_count(frame, expected(query.View(LO, HI), place)[1])
    assert parse_qs(urlsplit(page.url).query)["city"] == [place]
    # reopened after the rerun that the click caused, its events fetched
    text = fetched_popup(frame, name).inner_text()
    events = INDEX.place_events(place, query.View(LO, HI))
    assert name in text and f"{len(events)} events" in text
    assert events.iloc[0]["notes"][:40] in text
    assert events.iloc[0]["source"].split(";")[0][:30] in text
    assert net_log(page).errors == []


def test_a_shared_link_reproduces_the_view(app_server, page, new_context) -> None:
    place = str(INDEX.city_totals(query.View(LO, HI))["events"].idxmax())
    hidden = ("government response", "context")
    end, shown = LO + (HI - LO) // 3, tuple(c for c in CATEGORIES if c not in hidden)
    open_app(page, app_server.url)
    move_end_date(page, end)
    wait_for_figures(page, expected(query.View(LO, end))[0])
    for category in hidden:
        page.get_by_role("button", name=category_label(category)).click()
        page.wait_for_function(
            "slug => !new URL(location.href).searchParams.get('cat').includes(slug)",
            arg=viewstate.CATEGORY_SLUGS[category],
        )
        wait_for_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Place").click()
    page.keyboard.type(RECORD.cities.loc[place, "name_ru"])
    page.keyboard.press("Enter")
    page.get_by_text(f"{RECORD.cities.loc[place, 'name']}: chronology").wait_for()
    figures, circles = expected(query.View(LO, end, shown), place)
    wait_for_figures(page, figures)

    params = parse_qs(urlsplit(page.url).query)
    assert params["from"] == [LO.isoformat()] and params["to"] == [end.isoformat()]
    assert params["cat"] == [",".join(viewstate.CATEGORY_SLUGS[c] for c in shown)]
    assert params["city"] == [place]

    other = open_app(new_context().new_page(), page.url)
    other_frame = map_frame(other)
    wait_for_circle_count(other_frame, circles)
    assert shown_figures(other) == shown_figures(page)
    assert other.get_by_text(f"{RECORD.cities.loc[place, 'name']}: chronology").is_visible()
    thumbs = "[data-testid='stSliderThumbValue']"
    assert other.locator(thumbs).all_inner_texts() == page.locator(thumbs).all_inner_texts()
    link, reopened = parse_qs(urlsplit(page.url).query), parse_qs(urlsplit(other.url).query)
    for key in ("lat", "lon", "z"):  # the map's position has its own test (test_map_link.py)
        link.pop(key, None), reopened.pop(key, None)
    assert reopened == link
    assert net_log(other).errors == []


# Two bad links stand for the 18+ that tests/test_viewstate.py decodes: several bad parts at
# once (reversed dates, an unknown category, markup as a place, zoom out of range), and a 12 kB
# query string (what only the server and the browser see).
BAD_LINKS = {
    "several-bad-parts": "from=2022-01-09&to=2022-01-04&cat=riots,protest"
    "&city=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&z=99",
    "12kB": "&".join(f"utm_{i}=xxxxxxxx" for i in range(800)) + "&from=2022-01-05",
}


@pytest.mark.parametrize("link", BAD_LINKS.values(), ids=BAD_LINKS.keys())
def test_bad_link_opens_a_valid_view_with_a_notice(app_server, page, link) -> None:
    decoded = viewstate.decode(parse_qs(link, keep_blank_values=True), RECORD)
    figures, circles = expected(decoded.state.view, decoded.state.place)
    open_app(page, app_server.url, link)
    page.get_by_text("could not be used").wait_for()
    shown = page.locator("[data-testid='stText']").all_inner_texts()
    assert set(decoded.notices) <= set(shown), (decoded.notices, shown)
    wait_for_circle_count(map_frame(page), circles)
    assert shown_figures(page) | figures == shown_figures(page)
    assert viewstate.decode(parse_qs(urlsplit(page.url).query), RECORD).notices == []
    assert page.locator("[data-testid='stException']").count() == 0
    assert net_log(page).errors == []


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844})
def test_phone_width_has_no_horizontal_overflow(app_server, page) -> None:
    open_app(page, app_server.url)
    frame = map_frame(page)
    assert frame.locator(CIRCLES).count() > 0
    # the whole country fits; the place names (no tiles here) are readable and never overlap
    west, south, east, north = RECORD.settings.bbox
    assert frame.evaluate(
        "b => window.map.getBounds().contains(L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]))",
        [west, south, east, north],
    )
    frame.locator(".qm-no-tiles").wait_for(state="attached")
    labels = frame.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-tooltip.qm-label'))
          .filter(el => getComputedStyle(el).visibility !== 'hidden' && el.offsetWidth > 0)
          .map(el => { const r = el.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom,
                               parseFloat(getComputedStyle(el).fontSize)]; })"""
    )
    assert len(labels) >= 5, labels
    assert all(size >= 12 for *_, size in labels)
    overlaps = [
        (a, b)
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert overlaps == []
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-390.png"))
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.querySelector('[data-testid=\"stMain\"]').scrollWidth]"
    )
    assert max(widths) <= 390, widths
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    end = LAST - timedelta(days=1)  # leaves out the last events
    move_end_date(page, end)
    wait_for_figures(page, expected(query.View(LO, end))[0])
