"""No cold first reader: the server warms the record when it starts (the App's lifespan in
dashboard/app.py), before any page is opened, and the first reader's page uses that work."""

from __future__ import annotations

import time

from harness import CIRCLES, MAP_IFRAME, TIMEOUT_MS, open_app

LOADED = "loaded the record in"
WARMED = "record warmed in"


def logs(server) -> str:  # noqa: ANN001
    return server.stderr_path.read_text("utf-8", "replace") if server.stderr_path.is_file() else ""


def test_the_server_warms_the_record_before_the_first_reader(start_app, page) -> None:
    server = start_app()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while WARMED not in logs(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert WARMED in logs(server), server.output()  # no page was opened yet
    assert logs(server).count(LOADED) == 1
    open_app(page, server.url)
    page.frame_locator(MAP_IFRAME).locator(CIRCLES).first.wait_for(state="attached")
    assert logs(server).count(LOADED) == 1  # the page found the record the server loaded
    assert "Traceback" not in logs(server)
