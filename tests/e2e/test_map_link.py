"""The map position is part of the one link: after the reader pans and zooms, the address bar,
"Share this view" and "Cite this view" hold the same link, and that link reopens the map there.
The pan neither reloads the map's iframe nor sets off a chain of reruns."""

from __future__ import annotations

from harness import APP_IDLE, MAP_IFRAME, map_frame, net_log, open_app, wait_for_map_in_link
from playwright.sync_api import Frame, Page

# Counts the changes of Streamlit's script state from now on (each rerun makes at least one).
WATCH_RUNS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__qmStateChanges = 0;
  new MutationObserver(() => { window.__qmStateChanges += 1; })
    .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def view_of(frame: Frame) -> tuple[float, float, float]:
    lat, lng, zoom = frame.evaluate(
        "() => { const c = map.getCenter(); return [c.lat, c.lng, map.getZoom()]; }"
    )
    return float(lat), float(lng), float(zoom)


def panel_text(page: Page, title: str) -> str:
    expander = page.locator("[data-testid='stExpander']").filter(has_text=title)
    return expander.locator("[data-testid='stCode']").inner_text().strip()


def pan_and_zoom(page: Page, frame: Frame) -> tuple[float, float, float]:
    """Drag the map by its middle, zoom in with its own button; the map's view once the link
    holds it (and the rerun that wrote it has finished)."""
    before = view_of(frame)
    iframe = page.locator(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 240, y + 120, steps=12)
    page.mouse.up()
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function(
        "([lng, zoom]) => map.getZoom() > zoom && map.getCenter().lng > lng + 1",
        arg=[before[1], before[2]],
    )
    wait_for_map_in_link(page)
    lat, lng, zoom = view_of(frame)
    assert lng > before[1] + 1 and lat > before[0] + 0.5 and zoom > before[2]
    return lat, lng, zoom


def test_pan_and_zoom_write_one_link_without_reloading_the_map(app_server, page) -> None:
    open_app(page, app_server.url)
    frame = map_frame(page)
    for title in ("Share this view", "Cite this view"):
        page.locator("[data-testid='stExpander'] summary").filter(has_text=title).click()
    frame.evaluate("() => { window.__qmMarker = 'same window'; }")
    page.locator(MAP_IFRAME).evaluate("el => { el.__qmMarker = 'same element'; }")
    pan_and_zoom(page, frame)

    # one link: the address bar, the share box and the citation
    share = panel_text(page, "Share this view")
    assert page.evaluate("link => new URL(link).href", share) == page.url
    assert share in panel_text(page, "Cite this view")

    # the map moved in place: same iframe element, same window, and no chain of reruns
    assert frame.evaluate("() => window.__qmMarker") == "same window"
    assert page.locator(MAP_IFRAME).evaluate("el => el.__qmMarker") == "same element"
    page.evaluate(WATCH_RUNS)
    page.wait_for_timeout(2000)  # the 2 s the page must stay still
    assert page.evaluate("() => window.__qmStateChanges") == 0
    assert page.locator(APP_IDLE).count() == 1
    assert page.evaluate("link => new URL(link).href", share) == page.url
    assert net_log(page).errors == []


def test_the_link_reopens_the_map_where_it_was(app_server, page, new_context) -> None:
    open_app(page, app_server.url)
    lat, lng, zoom = pan_and_zoom(page, map_frame(page))
    page.locator("[data-testid='stExpander'] summary").filter(has_text="Share this view").click()
    share = panel_text(page, "Share this view")

    other = open_app(new_context().new_page(), share)
    other_lat, other_lng, other_zoom = view_of(map_frame(other))
    assert abs(other_lat - lat) < 0.05 and abs(other_lng - lng) < 0.05 and other_zoom == zoom, (
        f"opened {share}: the map shows ({other_lat:.4f}, {other_lng:.4f}) at zoom {other_zoom}"
    )
    assert net_log(other).errors == []
