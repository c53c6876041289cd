"""Helpers for the browser tests: start the app, open it in Chromium with no network, wait, look.

The fixtures in ``conftest.py`` wrap these; they are plain functions so a throwaway script can use
them too. Nothing here sleeps to wait for the page: every wait is on a DOM or JS condition (the
only timed loop is the poll of the server's health endpoint while it starts).

Network policy of a page opened with ``open_app_page``:

* requests to 127.0.0.1 (the app server) go through;
* requests for the pinned CDN assets (``dashboard.assets``) and the fonts and images their CSS
  refers to are answered from the vendor folder with the right Content-Type (and CORS headers,
  which web fonts need); a CDN URL with no vendored file gets a 404, recorded in
  ``page.missing_assets``; assets with no npm source (``MISSING_ASSETS``) get an empty
  stylesheet, recorded in ``page.stubbed_assets``;
* map tiles are aborted (``page.blocked_tiles``); anything else is aborted
  (``page.blocked_requests``).

With ``local_only=True`` only 127.0.0.1 answers: the CDN assets are aborted too (a network where
public CDNs are blocked; the app must serve its own, QANTAR_ASSETS=local).

Console errors and uncaught page errors (all frames) are collected in ``page.errors``, leaving out
the "Failed to load resource" noise of the tiles aborted on purpose. Requests that failed (network
error or HTTP status >= 400) other than the deliberate aborts are in ``page.failed_requests``.
"""

from __future__ import annotations

import json
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
)
from playwright.sync_api import Error as PlaywrightError
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

APP_READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
CIRCLES = ".leaflet-overlay-pane path.leaflet-interactive"

HEALTH_TIMEOUT_S = 60.0
PAGE_TIMEOUT_MS = 30_000
RERUN_GRACE_MS = 1_000
SETTLE_MS = 150

_TILE_HOST = re.compile(
    r"(^|\.)(tile\.openstreetmap\.org|openstreetmap\.fr|basemaps\.cartocdn\.com|"
    r"tile\.opentopomap\.org|arcgisonline\.com|stadiamaps\.com|tile\.thunderforest\.com|"
    r"tiles\.[a-z0-9.-]+|tile\.[a-z0-9.-]+)$"
)
_TILE_PATH = re.compile(r"/\d+/\d+/\d+(@2x)?(\.(png|jpg|jpeg|webp|pbf))?$")

# Tracks the app's script runs from the server's own messages: wraps the page's WebSocket and,
# for each ForwardMsg on /_stcore/stream, reads the top-level protobuf fields: 4 is new_session
# (a run starts), 6 is script_finished (a run ends; status enum 0 success, 1 compile error,
# 2 stopped for a rerun, 3 fragment run), 9 is session_status_changed (its field 2,
# script_is_running, is the server's own running flag). The last of these says whether a run is
# going on. (A run replaced by a rerun does not always get its own script_finished, so counting
# finishes against starts is not enough; and the DOM's data-test-script-state alone misses quick
# runs: React can batch "running" and "notRunning" into one render.)
_RUN_TRACKER = """
(() => {
  if (window.top !== window || window.__qmRuns) return;
  const runs = (window.__qmRuns = {
    started: 0, running: false, compileErrors: 0, last: performance.now(), log: [],
  });
  const note = (what) => {
    runs.last = performance.now();
    runs.log.push([what, Math.round(runs.last)]);
    if (runs.log.length > 60) runs.log.shift();
  };
  const fields = (b, start, end, onField) => {
    let i = start;
    const varint = () => {
      let v = 0, m = 1, byte;
      do { byte = b[i++]; v += (byte & 0x7f) * m; m *= 128; } while (byte & 0x80 && i < end);
      return v;
    };
    while (i < end) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) { onField(field, varint(), -1, -1); }
      else if (wire === 2) { const len = varint(); onField(field, null, i, i + len); i += len; }
      else if (wire === 1) { i += 8; } else if (wire === 5) { i += 4; } else { return; }
    }
  };
  const scan = (data) => {
    if (!(data instanceof ArrayBuffer)) return;
    const b = new Uint8Array(data);
    fields(b, 0, b.length, (field, value, start, end) => {
      if (field === 4 && start >= 0) {
        runs.started += 1; runs.running = true; note("started");
      } else if (field === 6 && value !== null) {
        runs.running = false;
        if (value === 1) runs.compileErrors += 1;
        note("finished:" + value);
      } else if (field === 9 && start >= 0) {
        let running = false;
        fields(b, start, end, (f, v) => { if (f === 2 && v !== null) running = v === 1; });
        runs.running = running; note("status:" + (running ? "running" : "idle"));
      }
    });
  };
  const Native = window.WebSocket;
  class TrackedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes("/_stcore/stream")) {
        this.addEventListener("message", (event) => {
          try { scan(event.data); } catch (e) { note("scan-error:" + e); }
        });
      }
    }
  }
  window.WebSocket = TrackedWebSocket;
})();
"""

# True once the server has said its last run is over, nothing has happened for `settle` ms
# (a burst of input can start another run just after one ends) and the page shows the script
# as not running.
_IDLE = """
(settle) => {
  const r = window.__qmRuns;
  const app = document.querySelector("[data-testid='stApp']");
  const state = app && app.getAttribute("data-test-script-state");
  return !!r && r.started > 0 && !r.running && performance.now() - r.last >= settle
    && (state === "notRunning" || state === "compilationError");
}
"""
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


class HarnessError(AssertionError):
    """The app or the page did not get where a test needs it (message says why)."""


# --------------------------------------------------------------------------------------------
# the app server


@dataclass
class AppServer:
    """A ``streamlit run`` process this harness started (in its own process group)."""

    url: str
    port: int
    proc: subprocess.Popen[bytes]
    script: Path
    log_dir: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / "stdout.log"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / "stderr.log"

    def output(self, limit: int = 6000) -> str:
        """The tail of the server's stderr and stdout, for failure messages."""
        parts = []
        for name, path in (("stderr", self.stderr_path), ("stdout", self.stdout_path)):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            parts.append(f"--- server {name} ---\n{text[-limit:] if text else '(empty)'}")
        return "\n".join(parts)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group this server started; SIGKILL it if it will not go."""
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # the leader is gone; its group may still hold children it started
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=timeout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch_app(
    data_dir: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    *,
    script: str | Path = DEFAULT_APP,
    cwd: Path = REPO_ROOT,
    extra_args: tuple[str, ...] = (),
    log_dir: Path | None = None,
    timeout: float = HEALTH_TIMEOUT_S,
) -> AppServer:
    """Start ``streamlit run <script>`` on a free port and wait for ``/_stcore/health``.

    ``QANTAR_DATA_DIR`` is set to ``data_dir`` when given and removed from the inherited
    environment otherwise (so the app reads its bundled data); ``env`` entries are applied last
    (a None value removes the variable). Raises ``HarnessError`` with the server's output when it
    exits or is not healthy within ``timeout`` seconds; the process is stopped in that case.
    """
    script_path = Path(script) if Path(script).is_absolute() else cwd / script
    if not script_path.is_file():
        raise HarnessError(f"app script {script_path} does not exist")
    port = free_port()
    child_env = dict(os.environ)
    child_env.pop(DATA_DIR_ENV, None)
    if data_dir is not None:
        child_env[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    child_env["PYTHONUNBUFFERED"] = "1"
    for key, value in (env or {}).items():
        if value is None:
            child_env.pop(key, None)
        else:
            child_env[key] = value
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script_path),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    logs = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="qantar-app-"))
    logs.mkdir(parents=True, exist_ok=True)
    with (
        open(logs / "stdout.log", "wb") as out,
        open(logs / "stderr.log", "wb") as err,
    ):
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}", port, proc, script_path, logs, child_env)
    try:
        _wait_healthy(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_healthy(server: AppServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        code = server.proc.poll()
        if code is not None:
            raise HarnessError(
                f"streamlit exited with code {code} before it was healthy\n{server.output()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                body = resp.read().decode("utf-8", "replace").strip()
                if resp.status == 200 and body == "ok":
                    return
                last = f"HTTP {resp.status}: {body[:200]}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        if time.monotonic() > deadline:
            raise HarnessError(
                f"{server.url}/_stcore/health not ok after {timeout:.0f}s (last: {last})\n"
                f"{server.output()}"
            )
        time.sleep(0.1)


# --------------------------------------------------------------------------------------------
# the browser and pages


def launch_browser(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with a fresh profile (never a Playwright-downloaded one)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=list(CHROMIUM_ARGS)
    )


def is_tile_request(url: str) -> bool:
    """True for requests to known (or tile-looking) map tile servers."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return bool(_TILE_HOST.search(host)) or (
        host not in CDN_HOSTS and bool(_TILE_PATH.search(parts.path))
    )


@dataclass
class NetworkLog:
    """What a page's routing did; the same lists are set as attributes on the page."""

    errors: list[str] = field(default_factory=list)
    served_assets: list[str] = field(default_factory=list)
    stubbed_assets: list[str] = field(default_factory=list)
    missing_assets: list[str] = field(default_factory=list)
    blocked_tiles: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    aborted: set[str] = field(default_factory=set)


def _route_handler(vendor_dir: Path, log: NetworkLog, local_only: bool = False):  # noqa: ANN202
    vendor = vendor_dir.resolve()

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            route.continue_()
            return
        host = parts.hostname or ""
        if host == "127.0.0.1":
            route.continue_()
            return
        if local_only:  # as on a network where only the app's own server answers
            (log.blocked_tiles if is_tile_request(url) else log.blocked_requests).append(url)
            log.aborted.add(url)
            route.abort("blockedbyclient")
            return
        bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
        cors = {"access-control-allow-origin": "*", "cache-control": "no-store"}
        rel = local_path_for(url)
        if rel is not None:
            path = (vendor / rel).resolve()
            if path.is_relative_to(vendor) and path.is_file():
                log.served_assets.append(url)
                route.fulfill(
                    status=200,
                    body=path.read_bytes(),
                    headers={**cors, "content-type": content_type_for(path)},
                )
                return
        if bare in MISSING_ASSETS:
            log.stubbed_assets.append(url)
            route.fulfill(
                status=200,
                body=f"/* test harness: {bare} is not vendored: {MISSING_ASSETS[bare]} */\n",
                headers={**cors, "content-type": "text/css; charset=utf-8"},
            )
            return
        if rel is not None or host in CDN_HOSTS:
            log.missing_assets.append(url)
            route.fulfill(
                status=404,
                body=f"test harness: no vendored file for {url}",
                headers={**cors, "content-type": "text/plain; charset=utf-8"},
            )
            return
        if is_tile_request(url):
            log.blocked_tiles.append(url)
        else:
            log.blocked_requests.append(url)
        log.aborted.add(url)
        route.abort("blockedbyclient")

    return handle


def _watch(page: Page, log: NetworkLog) -> None:
    def on_console(msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and where in log.aborted:
            return
        log.errors.append(f"console: {msg.text} ({where})" if where else f"console: {msg.text}")

    def on_page_error(exc: PlaywrightError) -> None:
        name = f"{exc.name}: " if exc.name else ""
        log.errors.append(f"pageerror: {name}{exc.message}")

    def on_request_failed(request: Request) -> None:
        if request.url not in log.aborted:
            log.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            log.failed_requests.append(f"{response.url} (HTTP {response.status})")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


def open_app_page(
    browser: Browser,
    server: AppServer | str,
    vendor_dir: Path,
    query: str = "",
    *,
    wait: bool = True,
    timeout_ms: float = PAGE_TIMEOUT_MS,
    local_only: bool = False,
    **context_options: object,
) -> Page:
    """A new context and page with the harness's routing, on the app, with its script idle.

    ``local_only=True`` aborts every request that is not for 127.0.0.1, the CDN assets too (a
    network where public CDNs are blocked); they are listed in ``blocked_requests``.
    ``query`` is appended to the URL (with or without a leading ``?``). ``context_options`` go to
    ``browser.new_context`` (default viewport 1280x900). The page carries the ``NetworkLog``
    lists as attributes: ``errors``, ``served_assets``, ``stubbed_assets``, ``missing_assets``,
    ``blocked_tiles``, ``blocked_requests``, ``failed_requests``; and ``net_log`` itself.
    Close it with ``page.context.close()`` (the ``new_page`` fixture does).
    """
    base = server.url if isinstance(server, AppServer) else server
    context_options.setdefault("viewport", {"width": 1280, "height": 900})
    context: BrowserContext = browser.new_context(**context_options)  # type: ignore[arg-type]
    context.set_default_timeout(timeout_ms)
    log = NetworkLog()
    context.add_init_script(script=_RUN_TRACKER)
    context.route("**/*", _route_handler(vendor_dir, log, local_only))
    page = context.new_page()
    _watch(page, log)
    for name in (
        "errors",
        "served_assets",
        "stubbed_assets",
        "missing_assets",
        "blocked_tiles",
        "blocked_requests",
        "failed_requests",
    ):
        setattr(page, name, getattr(log, name))
    page.net_log = log  # type: ignore[attr-defined]
    page._qm_seen_runs = 0  # type: ignore[attr-defined]
    q = query.lstrip("?")
    try:
        page.goto(f"{base}/?{q}" if q else f"{base}/", wait_until="domcontentloaded")
        if wait:
            wait_for_app(page, timeout_ms=timeout_ms)
    except BaseException:
        context.close()
        raise
    return page


def _runs(page: Page) -> dict[str, int]:
    info = page.evaluate("() => window.__qmRuns || null")
    if not info:
        raise HarnessError("the run tracker is missing: open pages with open_app_page")
    return {k: int(info[k]) for k in ("started", "running", "compileErrors")}


def wait_for_app(page: Page, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    """Wait for the first script run after a navigation to have finished (and been rendered)."""
    try:
        page.wait_for_function(_IDLE, arg=SETTLE_MS, timeout=timeout_ms)
        page.wait_for_selector(APP_READY, state="attached", timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        raise HarnessError(f"the app did not finish its first run: {_describe(page)}") from exc
    page.evaluate(_TWO_FRAMES)
    runs = _runs(page)
    page._qm_seen_runs = runs["started"]  # type: ignore[attr-defined]
    page._qm_seen_compile_errors = runs["compileErrors"]  # type: ignore[attr-defined]


def wait_for_idle(
    page: Page,
    grace_ms: float = RERUN_GRACE_MS,
    timeout_ms: float = PAGE_TIMEOUT_MS,
    settle_ms: float = SETTLE_MS,
) -> bool:
    """After an action, wait for the rerun(s) it triggered, if any, to finish.

    Runs are tracked from the server's messages, so a rerun that started (or even ended) before
    this call is seen at once; otherwise waits up to ``grace_ms`` for one to start (Streamlit
    sends a widget's new value after a short debounce). Then waits until the server says no run
    is going on and nothing has happened for ``settle_ms`` (a burst of key presses can start
    another run just after one ends), the page shows the script as not running, and two
    animation frames have passed.

    Returns True when a rerun happened. Raises ``HarnessError`` when a run does not end within
    ``timeout_ms`` or ends with a compile error. Assert on the new content with auto-waiting
    locators (or ``wait_for_circle_count``) all the same: the map iframe redraws after the
    script has finished.
    """
    seen = int(getattr(page, "_qm_seen_runs", 0))
    rerun = True
    try:
        page.wait_for_function(
            "seen => window.__qmRuns && window.__qmRuns.started > seen", arg=seen, timeout=grace_ms
        )
    except PlaywrightTimeoutError:
        rerun = False
    try:
        page.wait_for_function(_IDLE, arg=settle_ms, timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        raise HarnessError(f"the app's script did not finish: {_describe(page)}") from exc
    page.evaluate(_TWO_FRAMES)
    runs = _runs(page)
    page._qm_seen_runs = runs["started"]  # type: ignore[attr-defined]
    if runs["compileErrors"] > getattr(page, "_qm_seen_compile_errors", 0):
        page._qm_seen_compile_errors = runs["compileErrors"]  # type: ignore[attr-defined]
        raise HarnessError(f"the app's script failed to compile: {_describe(page)}")
    return rerun


def _describe(page: Page) -> str:
    try:
        info = page.evaluate(
            "() => ({runs: window.__qmRuns || null,"
            " state: document.querySelector(\"[data-testid='stApp']\")"
            "?.getAttribute('data-test-script-state'),"
            " exception: [...document.querySelectorAll(\"[data-testid='stException']\")]"
            ".map(e => e.innerText.slice(0, 500))})"
        )
    except PlaywrightError as exc:
        info = f"(page not readable: {exc})"
    errors = getattr(page, "errors", [])
    return f"{page.url}: {info}; page errors: {errors[:5]}"


def slider(page: Page, label: str) -> Locator:
    """A Streamlit slider's thumb(s), by the slider's exact label.

    In Streamlit 1.67 each thumb is a visually hidden ``input[type=range]`` whose aria-label is
    the widget label (its accessible name is not just the label, so ``get_by_role`` with an exact
    name does not find it); a range slider has two (``.nth(0)``, ``.nth(1)``). Use ``.focus()``
    then ``.press("ArrowRight")`` (Home, End, PageUp...), then ``wait_for_idle(page)``.
    """
    exact = json.dumps(label, ensure_ascii=False)
    prefix = json.dumps(
        label + " — ", ensure_ascii=False
    )  # range sliders: "<label> — start" / "<label> — end"
    return page.locator(
        f"[data-testid='stSlider'] input[type='range'][aria-label={exact}],"
        f" [data-testid='stSlider'] input[type='range'][aria-label^={prefix}]"
    )


def map_frame(page: Page, *, drawn: bool = True, timeout_ms: float = PAGE_TIMEOUT_MS) -> Frame:
    """The streamlit-folium iframe's Frame; by default once the map is drawn in it.

    With ``drawn=False`` returns as soon as the iframe's document has loaded: streamlit-folium
    then still has to load folium's JS/CSS and run the map script (see ``wait_for_map``).
    """
    try:
        element = page.wait_for_selector(MAP_IFRAME, state="attached", timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        raise HarnessError(f"no map iframe ({MAP_IFRAME}): {_describe(page)}") from exc
    assert element is not None
    frame = element.content_frame()
    if frame is None:
        raise HarnessError("the map iframe has no content frame")
    frame.wait_for_load_state("load", timeout=timeout_ms)
    if drawn:
        wait_for_map(frame, timeout_ms)
    return frame


def wait_for_map(frame: Frame, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    """Wait until streamlit-folium has drawn the map (``window.map`` set after its script ran)."""
    try:
        frame.wait_for_function(
            "() => window.L !== undefined && window.map !== undefined"
            " && document.querySelector('.leaflet-overlay-pane') !== null",
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError as exc:
        state = frame.evaluate(
            "() => ({L: typeof window.L, map: typeof window.map,"
            " scripts: [...document.scripts].map(s => s.src).filter(Boolean)})"
        )
        raise HarnessError(f"the map was not drawn in the iframe: {state}") from exc


def count_circles(frame: Frame, timeout_ms: float = PAGE_TIMEOUT_MS) -> int:
    """The number of Leaflet vector markers (SVG ``path.leaflet-interactive`` in the overlay
    pane) once the map is drawn. Counts every interactive path: polygons and lines too."""
    wait_for_map(frame, timeout_ms)
    return int(frame.locator(CIRCLES).count())


def wait_for_circle_count(frame: Frame, expected: int, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    """Wait until ``count_circles`` would be ``expected``: after a rerun, streamlit-folium
    redraws the feature group only once the iframe gets the new arguments, which can be
    after the script state is already ``notRunning``."""
    wait_for_map(frame, timeout_ms)
    try:
        frame.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length === n",
            arg=[CIRCLES, expected],
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError as exc:
        raise HarnessError(
            f"expected {expected} circles, found {frame.locator(CIRCLES).count()}"
        ) from exc


def click_in_map(page: Page, target: Locator, **click_options: object) -> None:
    """Click something inside the map iframe, e.g. ``frame.locator("path[data-city-id='x']")``.

    Scrolls the whole iframe into view first. Otherwise, when the iframe is partly outside the
    viewport, the mousedown focuses it, Chrome scrolls it into view before the mouseup, and the
    click event lands on the map container instead of the target (Leaflet sees a map click).
    """
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    target.click(**click_options)  # type: ignore[arg-type]
