"""Fixtures for the browser tests (headless Debian Chromium via Playwright, no network).

* ``vendor_dir`` (session): the installed npm packages that hold folium's CDN assets (``make
  assets``); fails, never skips, when they are not installed. ``QANTAR_VENDOR_DIR`` overrides the
  folder.
* ``browser`` (session): Chromium at /usr/bin/chromium, fresh profile.
* ``start_app(data_dir=None, env=None, **kw) -> AppServer``: a ``streamlit run`` of
  dashboard/app.py on a free port, healthy; stopped (its process group) after the test.
* ``app_server`` (session): one server on the bundled data.
* ``new_page(server, query="", **kw) -> Page``: a fresh context and page with the harness's
  routing, on the app, its first run finished; closed after the test.

Helpers (from ``harness``): ``wait_for_idle(page)``, ``map_frame(page)``, ``wait_for_map(frame)``,
``count_circles(frame)``, ``wait_for_circle_count(frame, n)``, ``slider(page, label)``,
``click_in_map(page, locator)``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    AppServer,
    HarnessError,
    click_in_map,
    count_circles,
    launch_app,
    launch_browser,
    map_frame,
    open_app_page,
    slider,
    wait_for_circle_count,
    wait_for_idle,
    wait_for_map,
)

from dashboard.assets import DEFAULT_VENDOR_DIR, AssetError, missing_packages  # noqa: E402

__all__ = [
    "AppServer",
    "click_in_map",
    "count_circles",
    "map_frame",
    "slider",
    "wait_for_circle_count",
    "wait_for_idle",
    "wait_for_map",
]

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as ``browser`` (deselect with ``-m 'not browser'``)."""
    for item in items:
        if _HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def vendor_dir() -> Path:
    dest = Path(os.environ.get("QANTAR_VENDOR_DIR") or DEFAULT_VENDOR_DIR)
    try:
        missing = missing_packages(dest)
    except AssetError as exc:
        missing = [str(exc)]
    if missing:
        pytest.fail(
            f"the map assets are not installed in {dest}: {', '.join(missing)}\n"
            "(install them with `make assets`: npm ci --ignore-scripts)",
            pytrace=False,
        )
    return dest


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _launcher(servers: list[AppServer], logs_root: Path) -> Callable[..., AppServer]:
    def start_app(
        data_dir: Path | None = None, env: dict[str, str | None] | None = None, **kwargs: object
    ) -> AppServer:
        kwargs.setdefault("log_dir", logs_root / f"server-{len(servers)}")
        try:
            server = launch_app(data_dir, env, **kwargs)  # type: ignore[arg-type]
        except HarnessError as exc:
            pytest.fail(str(exc), pytrace=False)
        servers.append(server)
        return server

    return start_app


@pytest.fixture
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., AppServer]]:
    """``start_app(data_dir=None, env=None, *, script=..., extra_args=(), timeout=60)``."""
    servers: list[AppServer] = []
    yield _launcher(servers, tmp_path_factory.mktemp("app-logs"))
    for server in reversed(servers):
        server.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    servers: list[AppServer] = []
    server = _launcher(servers, tmp_path_factory.mktemp("app-logs"))()
    yield server
    for started in reversed(servers):
        started.stop()


@pytest.fixture
def new_page(browser: Browser, vendor_dir: Path) -> Iterator[Callable[..., Page]]:
    """``new_page(server, query="", *, wait=True, timeout_ms=30000, **context_options)``."""
    pages: list[Page] = []

    def factory(server: AppServer | str, query: str = "", **kwargs: object) -> Page:
        try:
            page = open_app_page(browser, server, vendor_dir, query, **kwargs)  # type: ignore[arg-type]
        except HarnessError as exc:
            extra = server.output() if isinstance(server, AppServer) else ""
            pytest.fail(f"{exc}\n{extra}", pytrace=False)
        pages.append(page)
        return page

    yield factory
    for page in pages:
        page.context.close()
