"""axe-core (bundled by axe-playwright-python) on every page of the app and inside the map's
frame: no critical or serious violation. What remains of lesser impact is listed in the README."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from harness import map_frame, open_app

AXE = Axe()
BLOCKING = {"critical", "serious"}
PAGES = {
    "map": "",
    "map, regions, a place and its story": "?layer=regions&city=almaty",
    "map, embedded": "?embed=true",
    "sources": "sources",
    "sources of one event": "sources?event=QNT0003",
    "method": "method",
    "map, in Russian": "?lang=ru",
    "sources, in Kazakh": "sources?lang=kk",
    "method, in Kazakh": "method?lang=kk",
}


def blocking(results) -> list[tuple[str, str, list]]:
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_critical_or_serious_violation(app_server, page, path) -> None:
    open_app(page, f"{app_server.url}/{path}")
    if not path or path.startswith("?"):
        map_frame(page)
    assert blocking(AXE.run(page)) == []


def test_no_critical_or_serious_violation_inside_the_map(app_server, page) -> None:
    open_app(page, app_server.url, "city=almaty")
    frame = map_frame(page)
    assert blocking(AXE.run(frame)) == []  # type: ignore[arg-type]  # a Frame evaluates as a Page
