"""Load test: many concurrent browser sessions against one ``streamlit run`` server.

``python bench/loadtest.py`` (or ``make loadtest``) starts one server on 127.0.0.1 (the bundled
record, map assets self-hosted: QANTAR_ASSETS=local), then SESSIONS headless Chromium sessions
spread over BROWSERS browser processes, arriving one every ARRIVAL seconds (readers come in a
stream; and the browsers share this machine's two cores with the server, so 30 page loads at the
same instant starve everything). Each session opens the dashboard, waits for the map's circles,
then moves the date slider's end handle MOVES times with the keyboard (one day each), each time
waiting until the page shows that range: the table heading names the new end date, the "Events"
figure and the number of circles are those the core computes for it. Every session stays
connected until all are done, so at the end all SESSIONS are connected at once.

It prints one table: sessions served, errors (console errors, page errors, failed requests,
Streamlit exceptions, timeouts: must be 0), p50/p95 time to map drawn, to the whole page (the
sections below the map follow once it is drawn) and to update, the server's memory (RSS) at
start, with one session, peak, with every session open and after they close, memory per
extra session, memory given back, and how many times the record was loaded (the app logs each
load; it must be once for all sessions).

Bounded: SESSIONS and MOVES are fixed by the arguments, every wait has a timeout, and the whole
run has a deadline. Loopback only: every request not for 127.0.0.1 is aborted (tiles included).
Streamlit keeps a closed session for ``server.disconnectedSessionTTL`` seconds in case it
reconnects (120 by default); this run sets it to TTL_S and measures after that has passed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "tests" / "e2e"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from harness import CHROMIUM_ARGS, CHROMIUM_PATH, AppServer, launch_app  # noqa: E402
from playwright.async_api import Browser, Page, async_playwright  # noqa: E402

from bench import permove  # noqa: E402
from bench.permove import cpu_s  # noqa: E402
from dashboard import assets, data, query  # noqa: E402

TTL_S = 5
WAIT_MS = 180_000
POLL_MS = 100
LOAD_LOG = "loaded the record in"

Views = list[tuple[str, int, int]]  # (table heading, events, circles) per step

# In the page: true once the page shows the range ending on `end` with `events` events and the
# map iframe (same origin) has `circles` circles.
_SHOWS_VIEW = """
([heading, events, circles]) => {
  const h = [...document.querySelectorAll("[data-testid='stHeading']")]
    .some(e => e.innerText.trim() === heading);
  const metric = [...document.querySelectorAll("[data-testid='stMetric']")].find(m =>
    m.querySelector("[data-testid='stMetricLabel']")?.innerText.trim() === "Events");
  const value = metric?.querySelector("[data-testid='stMetricValue']")?.innerText.trim();
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const doc = frame && frame.contentDocument;
  const n = doc ? doc.querySelectorAll(".leaflet-overlay-pane path.qm-city").length
                : -1;
  return h && value === String(events) && n === circles;
}
"""
# In the page: true once the map iframe has `circles` circles (the page below it may still come).
_MAP_SHOWN = """
circles => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const doc = frame && frame.contentDocument;
  return !!doc && doc.querySelectorAll(".leaflet-overlay-pane path.qm-city").length === circles;
}
"""


@dataclass
class Session:
    """What one browser session saw."""

    number: int
    to_map_s: float | None = None
    to_page_s: float | None = None  # the whole page: map, figures and the table's heading
    update_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def served(self) -> bool:
        return self.to_page_s is not None and not self.errors


@dataclass
class Report:
    sessions: list[Session]
    moves: int
    browsers: int
    arrival_s: float
    most_open: int
    most_moving: int
    rss_mb: dict[str, float]
    server_cpu_s: float
    record_loads: int
    wall_s: float
    load_average: str

    @property
    def errors(self) -> list[str]:
        return [f"session {s.number}: {e}" for s in self.sessions for e in s.errors]

    @property
    def per_extra_session_mb(self) -> float:
        extra = len(self.sessions) - 1
        return (self.rss_mb["all open"] - self.rss_mb["one session"]) / max(1, extra)

    @property
    def given_back_mb(self) -> float:
        return self.rss_mb["all open"] - self.rss_mb["after close"]

    def rows(self) -> list[tuple[str, str]]:
        maps = [s.to_map_s for s in self.sessions if s.to_map_s is not None]
        pages = [s.to_page_s for s in self.sessions if s.to_page_s is not None]
        updates = [t for s in self.sessions for t in s.update_s]
        served = sum(s.served for s in self.sessions)
        rss = self.rss_mb
        return [
            ("sessions served (map drawn, every move shown, no error)",
             f"{served} of {len(self.sessions)}"),
            ("browser processes / slider moves per session", f"{self.browsers} / {self.moves}"),
            ("sessions: one arriving every / most connected at once / most moving at once",
             f"{self.arrival_s:g} s / {self.most_open} / {self.most_moving}"),
            ("errors", str(len(self.errors))),
            ("time to map drawn, p50 / p95", f"{_pct(maps, 50):.1f} s / {_pct(maps, 95):.1f} s"),
            ("time to the whole page (figures, table), p50 / p95",
             f"{_pct(pages, 50):.1f} s / {_pct(pages, 95):.1f} s"),
            (f"time to update ({len(updates)} moves), p50 / p95",
             f"{_pct(updates, 50):.2f} s / {_pct(updates, 95):.2f} s"),
            ("server RSS: started / one session / peak",
             f"{rss['start']:.0f} / {rss['one session']:.0f} / {rss['peak']:.0f} MB"),
            ("server RSS: all sessions open / after they close",
             f"{rss['all open']:.0f} / {rss['after close']:.0f} MB"),
            ("sessions connected, server's count: all open / after close",
             f"{rss['sessions open']:.0f} / {rss['sessions after close']:.0f}"),
            ("memory per extra session", f"{self.per_extra_session_mb:.1f} MB"),
            ("memory given back after close: from all open / from peak",
             f"{self.given_back_mb:.0f} / {rss['peak'] - rss['after close']:.0f} MB"),
            ("server CPU time while the sessions ran (per move)",
             f"{self.server_cpu_s:.0f} s ({self.server_cpu_s / max(1, len(updates)):.2f} s)"),
            ("record loads (for all sessions)", str(self.record_loads)),
            ("wall time", f"{self.wall_s:.0f} s"),
            ("machine load before the run", self.load_average),
        ]  # fmt: skip

    def table(self) -> str:
        lines = ["| measure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.rows()]
        return "\n".join(lines)


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def active_sessions(server_url: str) -> int:
    """Streamlit's own count of connected sessions (its /_stcore/metrics endpoint)."""
    with urllib.request.urlopen(f"{server_url}/_stcore/metrics", timeout=30) as resp:
        text = resp.read().decode()
    return int(next(li.split()[1] for li in text.splitlines() if li.startswith("active_sessions ")))


class PeakSampler(threading.Thread):
    """Samples a process's RSS every ``interval`` seconds and keeps the highest."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak


def expected_views(moves: int) -> list[tuple[str, int, int]]:
    """(table heading, events, circles) for the whole record and after each move of the end
    handle one day to the left, from the core (not hard-coded)."""
    record = data.load_record(data.DEFAULT_DATA_DIR)
    index = query.EventIndex(record)
    lo, hi = record.settings.period
    views = []
    for k in range(moves + 1):
        end = hi - timedelta(days=k)
        view = query.View(lo, max(lo, end))
        heading = f"Events, {lo:%-d %b %Y} to {view.end:%-d %b %Y}"
        views.append((heading, index.counts(view).events, len(index.city_totals(view))))
    return views


async def _open(browser: Browser, url: str, session: Session) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    aborted: set[str] = set()

    async def route(r):
        if urlsplit(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith("data:"):
            await r.continue_()
        else:
            aborted.add(r.request.url)
            await r.abort("blockedbyclient")

    await context.route("**/*", route)
    page = await context.new_page()

    def console(msg) -> None:
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not (msg.text.startswith("Failed to load") and where in aborted):
            session.errors.append(f"console: {msg.text[:200]}")

    page.on("console", console)
    page.on("pageerror", lambda exc: session.errors.append(f"pageerror: {exc}"[:300]))
    page.on(
        "response",
        lambda r: r.status >= 400 and session.errors.append(f"HTTP {r.status}: {r.url}"),
    )
    return page


def _failed(session: Session, exc: Exception) -> None:
    """A timeout or a crash is an error of this session, not of the run."""
    session.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


async def open_session(
    browser: Browser, url: str, session: Session, view: tuple[str, int, int], delay_s: float = 0
) -> Page | None:
    """After ``delay_s``, open the dashboard and wait for the whole record's map, then for the
    rest of the page (drawn once the map has been); the page."""
    await asyncio.sleep(delay_s)
    try:
        page = await _open(browser, url, session)
        start = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_function(_MAP_SHOWN, arg=view[2], polling=POLL_MS)
        session.to_map_s = time.perf_counter() - start
        await page.wait_for_function(_SHOWS_VIEW, arg=list(view), polling=POLL_MS)
        session.to_page_s = time.perf_counter() - start
        return page
    except Exception as exc:
        _failed(session, exc)
        return None


async def move_session(page: Page, session: Session, views: list[tuple[str, int, int]]) -> None:
    """Move the end handle one day left per view, waiting each time for the page to show it."""
    try:
        thumbs = page.locator("[data-testid='stSlider'] input[type='range'][aria-label^='Dates']")
        end = thumbs.nth(1)
        await end.focus()
        for view in views:
            start = time.perf_counter()
            await end.press("ArrowLeft")
            await page.wait_for_function(_SHOWS_VIEW, arg=list(view), polling=POLL_MS)
            session.update_s.append(time.perf_counter() - start)
        if await page.locator("[data-testid='stException']").count():
            session.errors.append("the page shows a Streamlit exception")
    except Exception as exc:
        _failed(session, exc)


@dataclass
class Crowd:
    """The sessions of a run, their pages (left open until the end) and how many moved at once."""

    runs: list[Session]
    pages: list[Page] = field(default_factory=list)
    moving: int = 0
    most_moving: int = 0
    most_open: int = 0

    async def visit(
        self, browser: Browser, url: str, session: Session, views: Views, delay_s: float
    ) -> None:
        page = await open_session(browser, url, session, views[0], delay_s)
        if page is None:
            return
        self.pages.append(page)
        self.most_open = max(self.most_open, len(self.pages))
        self.moving += 1
        self.most_moving = max(self.most_moving, self.moving)
        try:
            await move_session(page, session, views[1:])
        finally:
            self.moving -= 1

    async def run(
        self, procs: list[Browser], url: str, views: Views, arrival_s: float, deadline_s: float
    ) -> None:
        """Session i arrives after i * ``arrival_s`` s, opens the page and makes its moves; it
        stays connected to the end. Sessions not done by ``deadline_s`` count as errors."""
        tasks = [
            asyncio.create_task(self.visit(procs[i % len(procs)], url, s, views, i * arrival_s))
            for i, s in enumerate(self.runs)
        ]
        _, late = await asyncio.wait(tasks, timeout=deadline_s)
        for task in late:
            task.cancel()
        for session, task in zip(self.runs, tasks, strict=True):
            if task in late:
                session.errors.append(f"not done within the {deadline_s:.0f} s deadline")


async def _load(
    server: AppServer,
    sessions: int,
    moves: int,
    browsers: int,
    arrival_s: float,
    deadline_s: float,
) -> tuple[Crowd, dict[str, float]]:
    views = expected_views(moves)
    url = f"{server.url}/"
    pid = server.proc.pid
    rss = {"start": rss_mb(pid)}
    async with async_playwright() as pw:
        procs = [
            await pw.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=list(CHROMIUM_ARGS)
            )
            for _ in range(browsers)
        ]
        try:
            warm = Session(0)
            page = await open_session(procs[0], url, warm, views[0])  # loads the record
            if page is None or warm.errors:
                raise RuntimeError(f"the first session failed: {warm.errors}")
            await asyncio.sleep(1)
            rss["one session"] = rss_mb(pid)
            await page.context.close()

            sampler = PeakSampler(pid)
            sampler.start()
            cpu_before = cpu_s(pid)
            crowd = Crowd([Session(i + 1) for i in range(sessions)])
            await crowd.run(procs, url, views, arrival_s, deadline_s)
            rss["cpu"] = cpu_s(pid) - cpu_before
            await asyncio.sleep(2)
            rss["all open"] = rss_mb(pid)
            rss["sessions open"] = active_sessions(server.url)
            for opened in crowd.pages:
                await opened.context.close()
            # closed sessions are kept TTL_S seconds for a reconnect, then dropped when the
            # server next stores a session: wait, then open and close one more page
            await asyncio.sleep(TTL_S + 2)
            probe = await open_session(procs[0], url, Session(-1), views[0])
            if probe is not None:
                await probe.context.close()
            await asyncio.sleep(3)
            rss["after close"] = rss_mb(pid)
            rss["sessions after close"] = active_sessions(server.url)
            rss["peak"] = max(sampler.stop(), rss["all open"])
        finally:
            for proc in procs:
                await proc.close()
    return crowd, rss


def run_load(
    sessions: int = 30,
    moves: int = 20,
    browsers: int = 3,
    arrival_s: float = 10.0,
    deadline_s: float = 900.0,
    log_dir: Path | None = None,
) -> Report:
    """Start a server, run the sessions against it, stop it, and report."""
    load_average = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    started = time.perf_counter()
    server = launch_app(
        None,
        {assets.ASSETS_ENV: "local"},
        extra_args=("--server.disconnectedSessionTTL", str(TTL_S)),
        log_dir=log_dir or REPO / "bench" / "out" / "loadtest-server",
    )
    try:
        # in a thread of its own: the caller may be running an event loop (Playwright's sync
        # API in the browser tests does)
        with ThreadPoolExecutor(max_workers=1) as pool:
            crowd, rss = pool.submit(
                asyncio.run, _load(server, sessions, moves, browsers, arrival_s, deadline_s)
            ).result()
    finally:
        server.stop()
    loads = server.stderr_path.read_text("utf-8", "replace").count(LOAD_LOG)
    loads += server.stdout_path.read_text("utf-8", "replace").count(LOAD_LOG)
    cpu = rss.pop("cpu")
    wall = time.perf_counter() - started
    return Report(
        crowd.runs,
        moves,
        browsers,
        arrival_s,
        crowd.most_open,
        crowd.most_moving,
        rss,
        cpu,
        loads,
        wall,
        load_average,
    )


def side_by_side(moves: int) -> list[permove.Pace]:
    """``permove.moves_vs_floor`` in one Chromium (in a thread: see ``run_load``)."""
    from playwright.sync_api import sync_playwright

    def run() -> list[permove.Pace]:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                return permove.moves_vs_floor(browser, moves)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--arrival", type=float, default=10.0, help="seconds between sessions")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for all sessions")
    parser.add_argument(
        "--pace-moves", type=int, default=30, help="moves per page, one session each, vs the floor"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.sessions <= 100 and 0 <= args.moves <= 30 and 1 <= args.browsers <= 10):
        parser.error("keep it bounded: 1-100 sessions, 0-30 moves, 1-10 browsers")
    if not 1 <= args.pace_moves <= 30:
        parser.error("keep it bounded: 1-30 moves per page side by side")
    if missing := assets.missing_packages(assets.DEFAULT_VENDOR_DIR):
        parser.error(f"map assets not installed: {', '.join(missing)} (run `make assets`)")
    print(f"Load test, {date.today():%-d %b %Y}\n")
    paces = side_by_side(args.pace_moves)
    print("One session each, Qantar Map and the floor page side by side (bench/permove.py):\n")
    print(permove.table(paces) + "\n", flush=True)
    report = run_load(args.sessions, args.moves, args.browsers, args.arrival, args.deadline)
    print("The crowd: one `streamlit run` server, loopback only\n")
    print(report.table())
    for error in report.errors[:20]:
        print(f"error: {error}")
    ok = not report.errors and report.record_loads == 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
