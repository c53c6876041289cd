"""The dashboard in headless Chromium, on the bundled record: what only a browser shows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from harness import (
    click_in_map,
    count_circles,
    map_frame,
    slider,
    wait_for_circle_count,
    wait_for_idle,
)
from playwright.sync_api import Page

from dashboard import data, query

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = query.EventIndex(RECORD)
LO, HI = RECORD.settings.period
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def expected(view: query.View) -> tuple[dict[str, str], int]:
    """Figures and circle count for a view, computed by the core (not hard-coded)."""
    head = INDEX.headline(view)
    figures = {
        "Events": str(head.events),
        "Protest events": str(head.protest),
        "Crackdown events": str(head.crackdown),
        "Places affected": str(head.cities),
    }
    return figures, len(INDEX.city_totals(view))


def shown_figures(page: Page) -> dict[str, str]:
    out = {}
    for metric in page.locator("[data-testid='stMetric']").all():
        label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def wait_for_figures(page: Page, figures: dict[str, str]) -> None:
    for label, value in figures.items():
        locator = page.locator("[data-testid='stMetric']").filter(has_text=label)
        locator.locator("[data-testid='stMetricValue']").get_by_text(value, exact=True).wait_for()


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_loads_with_every_place_and_no_errors(app_server, new_page) -> None:
    page = new_page(app_server)
    figures, circles = expected(query.View(LO, HI))
    frame = map_frame(page)
    wait_for_circle_count(frame, circles)
    assert circles == len(RECORD.cities)  # every place in the record has an event
    assert shown_figures(page) | figures == shown_figures(page)
    assert page.errors == [] and page.failed_requests == [] and page.missing_assets == []
    popup_ids = frame.eval_on_selector_all(
        "path.qm-city", "paths => paths.map(p => p.getAttribute('data-city-id'))"
    )
    assert sorted(popup_ids) == sorted(RECORD.cities.index)


def test_keyboard_slider_updates_figures_and_circles_without_reloading_map(
    app_server, new_page
) -> None:
    page = new_page(app_server)
    frame = map_frame(page)
    frame.evaluate("() => { window.__qmMarker = 'same iframe'; }")
    iframe = page.locator("iframe[title='streamlit_folium.st_folium']")
    iframe.evaluate("el => { el.__qmMarker = 'same element'; }")
    frame.evaluate("() => map.setView([47.0, 60.0], 6)")  # the user's own zoom and pan

    end = slider(page, "Dates").nth(1)
    end.focus()
    steps = (HI - date(2022, 1, 3)).days
    for _ in range(steps):
        end.press("ArrowLeft")
    wait_for_idle(page)
    figures, circles = expected(query.View(LO, date(2022, 1, 3)))
    wait_for_figures(page, figures)
    wait_for_circle_count(frame, circles)
    assert circles < len(RECORD.cities)
    assert page.get_by_text("3 Jan 2022", exact=True).first.is_visible()

    start = slider(page, "Dates").nth(0)
    start.focus()
    for _ in range((date(2022, 1, 2) - LO).days):
        start.press("ArrowRight")
    wait_for_idle(page)
    figures, circles = expected(query.View(date(2022, 1, 2), date(2022, 1, 3)))
    wait_for_figures(page, figures)
    wait_for_circle_count(frame, circles)

    assert frame.evaluate("() => window.__qmMarker") == "same iframe"
    assert iframe.evaluate("el => el.__qmMarker") == "same element"
    center = frame.evaluate("() => map.getCenter()")
    assert frame.evaluate("() => map.getZoom()") == 6
    assert abs(center["lat"] - 47.0) < 0.01 and abs(center["lng"] - 60.0) < 0.01
    assert page.errors == []


def test_clicking_a_circle_selects_the_place_and_its_popup_stays_open(app_server, new_page) -> None:
    page = new_page(app_server)
    frame = map_frame(page)
    click_in_map(page, frame.locator("path[data-city-id='almaty']"), force=True)
    wait_for_idle(page)
    page.get_by_text("Almaty: chronology").wait_for()
    assert parse_qs(urlparse(page.url).query)["city"] == ["almaty"]
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()  # reopened after the rerun that the click caused
    text = popup.inner_text()
    almaty = RECORD.events[RECORD.events["city_id"] == "almaty"]
    assert "Almaty" in text and f"{len(almaty)} events" in text
    first = almaty.iloc[0]
    assert first["notes"][:40] in text
    assert first["source"].split(";")[0][:30] in text
    selected = frame.locator("path[data-city-id='almaty']")
    assert selected.get_attribute("stroke") == "#000000"  # the selected place is outlined
    assert page.errors == []


def test_a_shared_link_reproduces_the_view(app_server, new_page) -> None:
    page = new_page(app_server)
    frame = map_frame(page)
    end = slider(page, "Dates").nth(1)
    end.focus()
    for _ in range((HI - date(2022, 1, 6)).days):
        end.press("ArrowLeft")
    wait_for_idle(page)
    page.get_by_role("button", name="Gov. response").click()
    wait_for_idle(page)
    page.get_by_role("button", name="Context").click()
    wait_for_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Place").click()
    page.keyboard.type("Алматы")
    page.keyboard.press("Enter")
    wait_for_idle(page)
    frame.evaluate("() => map.setView([43.3, 76.9], 8)")
    page.wait_for_function("() => new URL(location.href).searchParams.get('z') === '8'")

    params = query_of(page)
    assert params["from"] == [LO.isoformat()] and params["to"] == ["2022-01-06"]
    assert params["cat"] == ["protest,crackdown"] and params["city"] == ["almaty"]
    view = query.View(LO, date(2022, 1, 6), ("protest", "crackdown"))
    figures, circles = expected(view)
    wait_for_figures(page, figures)
    link = page.url

    other = new_page(link.split("/?")[0], "?" + link.split("?", 1)[1])
    other_frame = map_frame(other)
    wait_for_figures(other, figures)
    wait_for_circle_count(other_frame, circles)
    assert shown_figures(other) == shown_figures(page)
    assert other.get_by_text("Almaty: chronology").is_visible()
    assert other.locator("[data-testid='stSliderThumbValue']").all_inner_texts() == (
        page.locator("[data-testid='stSliderThumbValue']").all_inner_texts()
    )
    center = other_frame.evaluate("() => map.getCenter()")
    assert abs(center["lat"] - 43.3) < 0.05 and abs(center["lng"] - 76.9) < 0.05
    assert other_frame.evaluate("() => map.getZoom()") == 8
    assert other.locator("path[data-city-id='almaty']").count() == 0  # it is in the iframe
    assert other_frame.locator("path[data-city-id='almaty']").count() == 1
    assert other.errors == []


BAD_LINKS = [
    "from=yesterday",
    "to=2022-13-45",
    "from=2022-01-09&to=2022-01-04",
    "from=1999-01-01",
    "to=2030-01-01",
    "cat=riots",
    "cat=protest,%3Cscript%3Ealert(1)%3C/script%3E",
    "city=atlantis",
    "city=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "event=NOPE",
    "from=2022-01-03&from=2022-01-05",
    "city=" + "a" * 10_000,
    "lat=91x&lon=70",
    "lat=48",
    "lat=-80&lon=10",
    "z=99",
    "exact=yes",
    "utm_source=x&evil=1",
    "&".join(f"utm_{i}=xxxxxxxx" for i in range(800)) + "&from=2022-01-05",  # 12 kB
    "&".join(["to=2022-01-06"] * 700),  # 10 kB
]


@pytest.mark.parametrize("link", BAD_LINKS, ids=[link[:30] for link in BAD_LINKS])
def test_bad_link_opens_a_valid_view_with_a_notice(app_server, new_page, link) -> None:
    page = new_page(app_server, link)
    page.get_by_text("could not be used").wait_for()
    frame = map_frame(page)
    assert count_circles(frame) > 0
    assert int(shown_figures(page)["Events"]) > 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.errors == []


def test_phone_width_has_no_horizontal_overflow(app_server, new_page) -> None:
    page = new_page(app_server, viewport={"width": 390, "height": 844})
    frame = map_frame(page)
    assert count_circles(frame) > 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-390.png"))
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.querySelector('[data-testid=\"stMain\"]').scrollWidth]"
    )
    assert max(widths) <= 390, widths
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    thumbs = slider(page, "Dates")
    thumbs.nth(1).focus()
    thumbs.nth(1).press("ArrowLeft")
    wait_for_idle(page)
    figures, circles = expected(query.View(LO, HI - timedelta(days=1)))
    wait_for_figures(page, figures)
