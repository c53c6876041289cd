"""The live map's popups fetch their events when they open (``dashboard.popups``): in the view
of the page's link, in the page's language, and a failed fetch says so in the popup."""

from __future__ import annotations

from datetime import date

import pytest
from harness import (
    OPEN_POPUP,
    fetched_popup,
    map_frame,
    net_log,
    open_app,
    slider,
    wait_for_idle,
)
from playwright.sync_api import Page, Route

from dashboard import data, i18n, mapview, query

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = query.EventIndex(RECORD)
VIEW = query.View(date(2022, 1, 4), date(2022, 1, 6))
LINK = f"?from={VIEW.start}&to={VIEW.end}"


def busiest(view: query.View) -> str:
    return str(INDEX.city_totals(view)["events"].idxmax())


def test_a_popup_lists_the_events_of_the_view_in_the_link(app_server, page: Page) -> None:
    place = busiest(VIEW)
    events = INDEX.place_events(place, VIEW)
    open_app(page, app_server.url, LINK)
    frame = map_frame(page)
    assert frame.evaluate(OPEN_POPUP, place)
    popup = fetched_popup(frame, RECORD.cities.loc[place, "name"])
    shown = min(len(events), query.POPUP_EVENT_LIMIT)
    assert popup.locator("li").count() == shown
    assert events.iloc[0]["notes"][:40] in popup.inner_text()
    assert net_log(page).errors == []

    # one day less: the popup opened again lists that view's events, fetched again
    end = slider(page, "Dates").nth(1)
    end.focus()
    page.keyboard.press("ArrowLeft")
    wait_for_idle(page)
    narrower = query.View(VIEW.start, date(2022, 1, 5))
    frame.wait_for_function(
        "to => new URLSearchParams(window.parent.location.search).get('to') === to",
        arg=narrower.end.isoformat(),
    )
    place = busiest(narrower)
    # the rerun's circles are drawn: the place's circle counts the narrower view's events
    total = int(INDEX.city_totals(narrower).loc[place, "events"])
    assert total != int(INDEX.city_totals(VIEW).loc[place, "events"])
    frame.wait_for_function(
        """([id, counted]) => Object.values(map._layers).some(layer => layer.feature
            && layer.feature.properties.city_id === id && layer._path
            && layer.feature.properties.tooltip.includes(counted))""",
        arg=[place, f"{total} events"],
    )
    assert frame.evaluate(OPEN_POPUP, place)
    popup = fetched_popup(frame, RECORD.cities.loc[place, "name"])
    events = INDEX.place_events(place, narrower)
    assert popup.locator("li").count() == min(len(events), query.POPUP_EVENT_LIMIT)
    assert all(d.date() <= narrower.end for d in events["event_date"])


def test_a_popup_is_fetched_in_the_page_language(app_server, page: Page) -> None:
    place = busiest(VIEW)
    open_app(page, app_server.url, LINK + "&lang=ru")
    frame = map_frame(page)
    assert frame.evaluate(OPEN_POPUP, place)
    popup = fetched_popup(frame, RECORD.cities.loc[place, "name_ru"])
    links = popup.locator("a.qm-sources")
    assert links.count() > 0
    assert all(h.endswith("&lang=ru") for h in links.evaluate_all("a => a.map(x => x.href)"))
    assert net_log(page).errors == []


@pytest.mark.parametrize("status", [409, 500])
def test_a_failed_fetch_says_so_in_the_popup(app_server, page: Page, status: int) -> None:
    def fail(route: Route) -> None:
        route.fulfill(status=status, body="no", content_type="text/plain")

    page.route("**/qm/popup?*", fail)
    place = busiest(VIEW)
    open_app(page, app_server.url, LINK)
    frame = map_frame(page)
    assert frame.evaluate(OPEN_POPUP, place)
    message = i18n.translate(mapview.FETCH_FAILED[status if status == 409 else 0], "en")
    box = frame.locator(".leaflet-popup-content .qm-events")
    box.filter(has_text=message).wait_for()
    # the counts drawn with the circle stay
    total = int(INDEX.city_totals(VIEW).loc[place, "events"])
    assert f"{total} events" in frame.locator(".leaflet-popup-content").inner_text()
