"""Helpers for the browser tests (and bench/): start the app, keep its pages off the network,
wait for Streamlit's own "script finished" signal, find the map.

* ``launch_app`` starts ``streamlit run`` on a free port on 127.0.0.1 in a process group of its
  own and polls ``/_stcore/health``; ``AppServer.stop`` ends that group, and only that group.
* ``route_offline(context, vendor_dir)`` answers folium's CDN URLs from the installed npm
  packages (``dashboard.assets`` maps them), aborts map tiles and every other outside request,
  and logs console errors, page errors and failed requests (``NetworkLog``).
* ``wait_for_idle(page)`` waits for ``[data-testid='stApp'][data-test-script-state=
  'notRunning']``. After an input, first wait for what the input changes (a figure, the link):
  the rerun starts after a debounce, and a quick one can start and end between two renders.

Nothing here sleeps to wait for the page; the only timed loop is the health poll.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    WebError,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dashboard.assets import (  # noqa: E402
    CDN_HOSTS,
    MISSING_ASSETS,
    content_type_for,
    local_path_for,
)

DEFAULT_APP = "dashboard/app.py"
DATA_DIR_ENV = "QANTAR_DATA_DIR"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Debian's Chromium, headless; Playwright gives each launch a fresh profile.
LAUNCH_ARGS = {"executable_path": CHROMIUM_PATH, "headless": True, "args": CHROMIUM_ARGS}
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# place circles (a place's sites and the regions are other paths)
CIRCLES = ".leaflet-overlay-pane path.qm-city"
# generous: make test runs two browser test files at once on two cores
TIMEOUT_MS = 60_000
_TILE_PATH = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp|pbf)$")
# Not running, and the script has drawn something (before the first run the page is empty).
_FIRST_RUN_DONE = f"""() => document.querySelector("{APP_IDLE}")
  && document.querySelector("[data-testid='stMain'] [data-testid='stElementContainer']")"""
# ... and the first view is over: the sections below the map are drawn (map_page._later).
_IDLE = f"""() => ({_FIRST_RUN_DONE})() && !document.querySelector(".st-key-qm-pending")"""

_MAP_IN_LINK = """iframe => {
  const map = document.querySelector(iframe)?.contentWindow?.map;
  if (!map) return false;
  const link = new URL(location.href).searchParams, c = map.getCenter();
  return link.get("lat") === c.lat.toFixed(4) && link.get("lon") === c.lng.toFixed(4)
    && Number(link.get("z")) === map.getZoom();
}"""


class HarnessError(AssertionError):
    """The app or the page did not get where a test needs it (the message says why)."""


@dataclass
class AppServer:
    """A ``streamlit run`` process started by ``launch_app``, leader of its own process group."""

    url: str
    proc: subprocess.Popen[bytes]
    log_dir: Path

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / "stdout.log"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / "stderr.log"

    def output(self, limit: int = 6000) -> str:
        """The tail of the server's stderr and stdout, for failure messages."""
        return "\n".join(
            f"--- server {path.stem} ---\n{path.read_text('utf-8', 'replace')[-limit:]}"
            for path in (self.stderr_path, self.stdout_path)
            if path.is_file()
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM this server's process group, then SIGKILL whatever is left in it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break  # the group is empty
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch_app(
    data_dir: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    *,
    script: str | Path = DEFAULT_APP,
    extra_args: tuple[str, ...] = (),
    log_dir: Path | None = None,
    timeout: float = 60.0,
) -> AppServer:
    """``streamlit run <script>`` on a free port, once ``/_stcore/health`` answers ``ok``.

    ``QANTAR_DATA_DIR`` is ``data_dir`` when given, else unset (the bundled record); ``env`` is
    applied last (None removes a variable). Raises ``HarnessError`` with the server's output,
    after stopping it, when it exits or is not healthy within ``timeout`` seconds.
    """
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if k != DATA_DIR_ENV}
    child_env["PYTHONUNBUFFERED"] = "1"
    if data_dir is not None:
        child_env[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    for key, value in (env or {}).items():
        if value is None:
            child_env.pop(key, None)
        else:
            child_env[key] = value
    logs = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="qantar-app-"))
    logs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", *extra_args]
    with (logs / "stdout.log").open("wb") as out, (logs / "stderr.log").open("wb") as err:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}", proc, logs)
    deadline = time.monotonic() + timeout
    last = "no answer"
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return server
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.1)
    server.stop()
    raise HarnessError(
        f"{server.url} was not healthy (exit code {proc.returncode}, last: {last})\n"
        + server.output()
    )


@dataclass
class NetworkLog:
    """What happened on a context's network and consoles (every page and frame)."""

    errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    missing_assets: list[str] = field(default_factory=list)
    blocked_tiles: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    aborted: set[str] = field(default_factory=set)


def route_offline(
    context: BrowserContext, vendor_dir: Path, local_only: bool = False
) -> NetworkLog:
    """No request leaves the machine: 127.0.0.1 answers; folium's CDN assets (and the fonts and
    images their CSS names) come from ``vendor_dir`` (a CDN URL with no file there gets a 404,
    logged in ``missing_assets``; ``MISSING_ASSETS`` get an empty stylesheet); tiles and the
    rest are aborted. ``local_only=True`` aborts the CDN assets too (CDNs blocked)."""
    log = NetworkLog()
    vendor = vendor_dir.resolve()
    cors = {"access-control-allow-origin": "*"}

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname == "127.0.0.1":
            route.continue_()
            return
        rel = None if local_only else local_path_for(url)
        path = (vendor / rel).resolve() if rel else None
        if path is not None and path.is_relative_to(vendor) and path.is_file():
            route.fulfill(body=path.read_bytes(), headers=cors, content_type=content_type_for(path))
        elif not local_only and f"{parts.scheme}://{parts.netloc}{parts.path}" in MISSING_ASSETS:
            route.fulfill(body="/* not self-hosted */", headers=cors, content_type="text/css")
        elif not local_only and (rel is not None or parts.hostname in CDN_HOSTS):
            log.missing_assets.append(url)
            route.fulfill(status=404, headers=cors, body=f"no installed file for {url}")
        else:
            tile = bool(_TILE_PATH.search(parts.path))
            (log.blocked_tiles if tile else log.blocked_requests).append(url)
            log.aborted.add(url)
            route.abort("blockedbyclient")

    def on_console(msg: ConsoleMessage) -> None:
        where = msg.location.get("url", "")
        if msg.type == "error" and not (
            msg.text.startswith("Failed to load resource") and where in log.aborted
        ):
            log.errors.append(f"console: {msg.text} ({where})")

    def on_web_error(error: WebError) -> None:
        log.errors.append(f"pageerror: {error.error.name}: {error.error.message}")

    def on_request_failed(request: Request) -> None:
        if request.url not in log.aborted:
            log.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            log.failed_requests.append(f"{response.url} (HTTP {response.status})")

    context.route("**/*", handle)
    context.qantar_net_log = log  # type: ignore[attr-defined]  # read by net_log()
    context.on("console", on_console)
    context.on("weberror", on_web_error)
    context.on("requestfailed", on_request_failed)
    context.on("response", on_response)
    return log


def net_log(page: Page) -> NetworkLog:
    """The ``NetworkLog`` of ``page``'s context (routed by ``route_offline``)."""
    return page.context.qantar_net_log  # type: ignore[attr-defined, no-any-return]


def wait_for_idle(page: Page, timeout_ms: float = TIMEOUT_MS, whole: bool = True) -> None:
    """Wait until Streamlit shows the script as not running (and has drawn something), and, if
    ``whole``, until the first view's sections below the map are drawn too."""
    try:
        page.wait_for_function(_IDLE if whole else _FIRST_RUN_DONE, timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        raise HarnessError(f"the app's script did not finish: {describe(page)}") from exc


def open_app(
    page: Page, url: str, query: str = "", timeout_ms: float = TIMEOUT_MS, whole: bool = True
) -> Page:
    """Go to ``url`` (the server's, or a whole link), with ``query`` if given (with or without
    its ``?``), and wait for the app's first run (and, if ``whole``, the rest of its first
    view: see ``wait_for_idle``)."""
    page.goto(f"{url.rstrip('/')}/?{query.lstrip('?')}" if query else url)
    wait_for_idle(page, timeout_ms, whole)
    return page


def launch_browser(playwright: Playwright) -> Browser:
    """Chromium with ``LAUNCH_ARGS`` (for bench/; tests get pytest-playwright's ``browser``)."""
    return playwright.chromium.launch(**LAUNCH_ARGS)  # type: ignore[arg-type]


def open_app_page(
    browser: Browser,
    server: AppServer,
    vendor_dir: Path,
    query: str = "",
    timeout_ms: float = TIMEOUT_MS,
) -> Page:
    """A fresh context, routed offline, on the app after its first run (for bench/, which has
    no pytest fixtures, and measures the first view up to the map). Close it with
    ``page.context.close()``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_ms)
    route_offline(context, vendor_dir)
    return open_app(context.new_page(), server.url, query, timeout_ms, whole=False)


def describe(page: Page) -> str:
    """Where the page is, for failure messages."""
    state = page.evaluate(
        """() => ({state: document.querySelector("[data-testid='stApp']")
             ?.getAttribute("data-test-script-state"),
           exceptions: [...document.querySelectorAll("[data-testid='stException']")]
             .map(e => e.innerText.slice(0, 500))})"""
    )
    return f"{page.url}: {state}"


def slider(page: Page, label: str) -> Locator:
    """A Streamlit slider's thumbs (hidden ``input[type=range]``, aria-label ``label``, or
    ``"<label> — start"``/``"— end"`` on a range slider): ``.nth(0)``, ``.nth(1)``; focus one
    and press ArrowLeft/ArrowRight (one step each)."""
    return page.locator(
        f"[data-testid='stSlider'] input[type='range'][aria-label='{label}'],"
        f" [data-testid='stSlider'] input[type='range'][aria-label^='{label} — ']"
    )


def map_frame(page: Page, timeout_ms: float = TIMEOUT_MS) -> Frame:
    """The streamlit-folium iframe's frame, once Leaflet has drawn the map in it and the page's
    link holds the map's position (the map reports where it opened: a rerun or a few)."""
    element = page.wait_for_selector(MAP_IFRAME, state="attached", timeout=timeout_ms)
    frame = element.content_frame() if element else None
    if frame is None:
        raise HarnessError(f"no map iframe: {describe(page)}")
    frame.wait_for_function(
        "() => window.L && window.map && document.querySelector('.leaflet-overlay-pane')",
        timeout=timeout_ms,
    )
    wait_for_map_in_link(page, timeout_ms)
    return frame


def wait_for_map_in_link(page: Page, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the address bar holds the map's current centre and zoom (as the app's link
    writes them: lat, lon to 4 decimals, z) and the script has finished."""
    try:
        page.wait_for_function(_MAP_IN_LINK, arg=MAP_IFRAME, timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        shown = page.evaluate(
            "iframe => { const m = document.querySelector(iframe)?.contentWindow?.map;"
            " return m && [m.getCenter(), m.getZoom()]; }",
            MAP_IFRAME,
        )
        raise HarnessError(
            f"the link does not hold the map's position {shown}: {page.url}"
        ) from exc
    wait_for_idle(page, timeout_ms)


def wait_for_circle_count(frame: Frame, expected: int, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the map holds ``expected`` interactive paths (streamlit-folium redraws its
    feature group after the script has finished)."""
    try:
        frame.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length === n",
            arg=[CIRCLES, expected],
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError as exc:
        found = frame.locator(CIRCLES).count()
        raise HarnessError(f"expected {expected} circles, found {found}") from exc


def click_in_map(page: Page, target: Locator) -> None:
    """Click something in the map iframe. The whole iframe is scrolled into view first: when
    part of it is outside the viewport, Chrome scrolls it between mousedown and mouseup and the
    click lands on the map instead of the target."""
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    target.click(force=True)


# Opens the popup of the place with this id with Leaflet's own call (as a click does, without
# the click's selection and zoom); true if there was one.
OPEN_POPUP = """id => {
  for (const layer of Object.values(map._layers)) { if (layer.closePopup) layer.closePopup(); }
  for (const layer of Object.values(map._layers)) {
    if (layer.feature && layer.feature.properties.city_id === id && layer.getPopup()) {
      layer.openPopup();
      return true;
    }
  }
  return false;
}"""

# A live map's popup once its events have been fetched (the loading line is then gone).
FETCHED_POPUP = ".leaflet-popup-content .qm-popup:not(:has(.qm-events))"


def fetched_popup(frame: Frame, name: str = "", timeout_ms: float = TIMEOUT_MS) -> Locator:
    """The open popup (the one naming ``name`` if given) once it has fetched its events."""
    popup = frame.locator(FETCHED_POPUP)
    if name:
        popup = popup.filter(has_text=name)
    try:
        popup.first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        shown = frame.locator(".leaflet-popup-content").all_inner_texts()
        raise HarnessError(f"no popup fetched its events; open popups: {shown}") from exc
    return popup.first
