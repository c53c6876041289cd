"""The first view sends the map first: a reader's first page in a session draws the controls,
the headline and the map, and the sections below the map (charts, tables, share and cite) once
the map has been drawn and has reported its position; if it never does, after
``session.FIRST_VIEW_WAIT_S``."""

from __future__ import annotations

import re

from harness import CIRCLES, MAP_IFRAME, open_app, wait_for_idle

from dashboard import map_page

PENDING = f".st-key-{map_page.PENDING_KEY}"
BELOW_THE_MAP = "[data-testid='stDataFrame'], [data-testid='stVegaLiteChart']"


def test_the_map_comes_first_and_the_rest_once_it_is_drawn(app_server, page) -> None:
    open_app(page, app_server.url, whole=False)  # the session's first run
    page.locator(PENDING).wait_for(state="attached")
    assert page.locator(BELOW_THE_MAP).count() == 0  # nothing below the map yet
    page.frame_locator(MAP_IFRAME).locator(CIRCLES).first.wait_for(state="attached")
    wait_for_idle(page)  # the map reported: the rest follows
    assert page.locator(PENDING).count() == 0
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    page.locator("[data-testid='stDataFrame']").first.wait_for(state="attached")
    # later runs in the session draw everything at once
    page.get_by_role("tab", name="Figures").click()
    wait_for_idle(page)
    assert page.locator(PENDING).count() == 0


def test_a_map_that_never_draws_does_not_hold_the_rest_back(app_server, new_context) -> None:
    context = new_context()
    context.route(re.compile(r"leaflet(\.min)?\.js"), lambda route: route.abort())  # no map
    page = context.new_page()
    open_app(page, app_server.url, whole=False)
    assert page.locator(PENDING).count() == 1
    wait_for_idle(page)  # after session.FIRST_VIEW_WAIT_S
    page.locator("[data-testid='stDataFrame']").first.wait_for(state="attached")
    context.close()
