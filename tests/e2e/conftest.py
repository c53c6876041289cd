"""Fixtures for the browser tests: pytest-playwright's ``browser``, ``context``, ``page`` and
``new_context``, set up for Debian's Chromium and no network, plus the app servers.

* ``browser_type_launch_args``: /usr/bin/chromium, headless, the flags of DESIGN.md §5
  (Playwright never downloads a browser for these tests).
* ``new_context`` (and so ``context`` and ``page``): every context is routed by
  ``harness.route_offline``; ``harness.net_log(page)`` is what it logged. ``new_context(local_only=
  True)`` also aborts the CDN assets.
* ``vendor_dir`` (session): the installed npm packages that hold folium's CDN assets (``make
  assets``); fails, never skips, when they are not installed. ``QANTAR_VENDOR_DIR`` overrides.
* ``app_server`` (session): one server on the bundled record; ``start_app(data_dir=None,
  env=None, **kw)`` starts another, stopped after the test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    LAUNCH_ARGS,
    TIMEOUT_MS,
    AppServer,
    HarnessError,
    launch_app,
    route_offline,
)

from dashboard.assets import DEFAULT_VENDOR_DIR, AssetError, missing_packages  # noqa: E402

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as ``browser`` (deselect with ``-m 'not browser'``).
    The suite runs in one process: with the unit tests beside them in a second worker (as
    pytest-xdist did), the browser tests' timings starved on two cores and playback failed CI."""
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, **LAUNCH_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """None: each test opens its own server's URL. (Replaces pytest-playwright's fallback
    fixture, a method, which pytest 9 warns about.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


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


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], vendor_dir: Path
) -> Callable[..., BrowserContext]:
    """pytest-playwright's ``new_context``, each context routed offline."""

    def make(local_only: bool = False, **kwargs: object) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        route_offline(context, vendor_dir, local_only)
        return context

    return make


def _starter(servers: list[AppServer], logs: Path) -> Callable[..., AppServer]:
    def start_app(
        data_dir: Path | None = None, env: dict[str, str | None] | None = None, **kwargs: object
    ) -> AppServer:
        try:
            server = launch_app(data_dir, env, log_dir=logs / f"server-{len(servers)}", **kwargs)  # type: ignore[arg-type]
        except HarnessError as exc:
            pytest.fail(str(exc), pytrace=False)
        servers.append(server)
        return server

    return start_app


@pytest.fixture
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., AppServer]]:
    servers: list[AppServer] = []
    yield _starter(servers, tmp_path_factory.mktemp("app-logs"))
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    servers: list[AppServer] = []
    yield _starter(servers, tmp_path_factory.mktemp("app-logs"))()
    for server in servers:
        server.stop()
