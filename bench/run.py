"""The benchmark: Qantar Map and a naive one-marker-per-event folium app, measured the same way.

``python bench/run.py`` (or ``make bench``) generates synthetic records (bench/generate.py) and,
for each app and size, measures:

* server: cold start to first render (``streamlit run`` started -> the map drawn in headless
  Chromium; for Qantar Map also with the parsed cache in place); median script time after a
  slider change (AppTest, in a fresh process per case);
* bytes for the map: the size of the st_folium component's ``json_args`` (AppTest) on the first
  run and per slider change, and all WebSocket bytes the page received per slider move (Chromium);
* headless Chromium: page opened -> map drawn (warm server); keyboard slider move (start handle,
  one day) -> the map showing the new range (its circles changed);
* server peak memory: VmHWM of the ``streamlit run`` process after all of the above.

It prints one Markdown table (and writes bench/out/results.json). Chromium is Debian's
(/usr/bin/chromium), with no network: the folium assets come from the vendored copies
(``make assets``), tiles are blocked, as in the browser tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "tests" / "e2e"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from bench.generate import DONE_MARK, generate, record_folder  # noqa: E402
from dashboard import data, record_cache  # noqa: E402

OUT = REPO / "bench" / "out"
APPS = {"Qantar Map": "dashboard/app.py", "naive folium": "bench/naive_app.py"}
FLOOR_APP = "bench/floor_app.py"
FIRST_VIEW_TARGET = 1.5  # the first view, at most this many times the floor page's
# At 1M events, from `streamlit run` to the first page rendered: first start, parsed cache ready.
START_TARGETS_S = {"first start": 15.0, "start with the parsed cache ready": 3.0}
START_TARGET_EVENTS = 1_000_000
SIZES = (1_000, 10_000, 100_000, 1_000_000)
NAIVE_SIZES = (1_000, 10_000)
EXTRA_PLACES = 2_000
EXTRA_PLACES_SIZE = 100_000
BROWSER_TIMEOUT_S = {"Qantar Map": 300.0, "naive folium": 400.0}
APPTEST_TIMEOUT_S = 600.0

# In the page (top frame): a signature of the circles drawn in the map iframe (count and a hash
# of their SVG paths), read through the same-origin iframe so a reloaded iframe is followed.
_CIRCLES_SIGNATURE = """
([iframe, circles]) => {
  const el = document.querySelector(iframe);
  const doc = el && el.contentDocument;
  if (!doc) return "0:0";
  const paths = doc.querySelectorAll(circles);
  let h = 0;
  for (const p of paths) {
    const d = p.getAttribute("d") || "";
    for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0;
  }
  return paths.length + ":" + h;
}
"""
_CHANGED = (
    "([iframe, circles, old]) => { const s = (" + _CIRCLES_SIGNATURE + ")([iframe, circles]);"
    " return s !== old && !s.startsWith('0:'); }"
)


@dataclass
class Case:
    app: str
    events: int
    places: int
    folder: str
    cold_start_s: float | None = None
    cold_start_map_s: float | None = None
    cold_start_cached_s: float | None = None
    load_s: float | None = None
    load_cached_s: float | None = None
    first_run_s: float | None = None
    move_ms: float | None = None
    map_bytes_load: int | None = None
    map_bytes_move: int | None = None
    ws_bytes_move: int | None = None
    open_to_map_s: float | None = None
    key_to_map_s: float | None = None
    play_step_ms: float | None = None
    play_to_map_s: float | None = None
    peak_mb: float | None = None
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- AppTest (server)


def apptest_case(app: str, folder: str, moves: int) -> dict:
    """Runs in a child process: first run, then ``moves`` slider changes, timed by AppTest."""
    from streamlit.testing.v1 import AppTest

    os.environ[data.DATA_DIR_ENV] = folder
    loads = record_load_times(Path(folder)) if app == APPS["Qantar Map"] else {}
    at = AppTest.from_file(str(REPO / app), default_timeout=APPTEST_TIMEOUT_S)
    started = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{app} failed: {at.exception}")

    def map_bytes() -> int:
        (component,) = [
            c
            for c in at.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"
        ]
        return len(component.proto.json_args.encode())

    def dates_slider():  # noqa: ANN202
        return next(s for s in at.slider if s.label == "Dates")

    load_bytes = map_bytes()
    lo, hi = dates_slider().value
    times, sizes = [], []
    for step in range(1, moves + 1):
        dates_slider().set_value((lo + timedelta(days=step), hi))
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"{app} failed after a move: {at.exception}")
        sizes.append(map_bytes())
    play_times = playback_steps(at, moves, (lo, hi)) if app == APPS["Qantar Map"] else []
    return {
        **loads,
        "play_step_ms": statistics.median(play_times) * 1000 if play_times else None,
        "first_run_s": first_run,
        "move_ms": statistics.median(times) * 1000,
        "map_bytes_load": load_bytes,
        "map_bytes_move": int(statistics.median(sizes)),
    }


def playback_steps(at, steps: int, period: tuple) -> list[float]:  # noqa: ANN001
    """Seconds of script time per playback step: Play pressed, then each tick's step applied
    (what the ticker does: the next day's range, then a rerun of the page)."""
    from dashboard import viewstate
    from dashboard.index import View

    at.button(key="play_button").click().run()
    times = []
    for _ in range(steps):
        start, end = at.session_state["range"]
        state = viewstate.ViewState(View(start, end), window=at.session_state["window"])
        step = viewstate.next_step(state, period)
        if step is None:
            break
        at.session_state["pending_range"] = (step.view.start, step.view.end)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"a playback step failed: {at.exception}")
    return times


def record_load_times(folder: Path) -> dict[str, float]:
    """Seconds for the server to have the record ready (read, validate, index; what the app's
    shared ``load`` does once per process): without the parsed cache, then with it."""
    from dashboard.index import EventIndex

    def timed() -> float:
        started = time.perf_counter()
        record, _ = record_cache.validate(folder)
        EventIndex(record)
        return time.perf_counter() - started

    shutil.rmtree(folder / record_cache.CACHE_DIR_NAME, ignore_errors=True)
    return {"load_s": timed(), "load_cached_s": timed()}


def run_apptest(case: Case, moves: int) -> None:
    cmd = [sys.executable, str(Path(__file__)), "apptest", APPS[case.app], case.folder, str(moves)]
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=APPTEST_TIMEOUT_S * (moves + 1), cwd=REPO
    )
    if result.returncode != 0:
        case.notes.append(f"AppTest failed: {result.stderr.strip()[-300:]}")
        return
    for key, value in json.loads(result.stdout.strip().splitlines()[-1]).items():
        setattr(case, key, value)


# --------------------------------------------------------------------------- browser


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def signature(page) -> str:  # noqa: ANN001
    from harness import CIRCLES, MAP_IFRAME

    return page.evaluate(_CIRCLES_SIGNATURE, [MAP_IFRAME, CIRCLES])


def wait_for_circles_change(page, old: str, timeout_s: float) -> None:  # noqa: ANN001
    from harness import CIRCLES, MAP_IFRAME

    page.wait_for_function(_CHANGED, arg=[MAP_IFRAME, CIRCLES, old], timeout=timeout_s * 1000)


def open_until_map(browser, server, vendor: Path, timeout_s: float, started: float):  # noqa: ANN001, ANN201
    """A new page on the app. Returns it once the map shows circles, with the seconds from
    ``started`` until the app's first script run had finished and until the map was drawn."""
    from harness import open_app_page

    page = open_app_page(browser, server, vendor, timeout_ms=timeout_s * 1000)
    rendered = time.perf_counter() - started
    wait_for_circles_change(page, "0:0", timeout_s)
    return page, rendered, time.perf_counter() - started


def browser_case(case: Case, browser, vendor: Path, moves: int, cold_cached: bool) -> None:  # noqa: ANN001
    """Cold start (without, then with the parsed cache), page open, keyboard moves, memory."""
    from harness import launch_app, slider, wait_for_idle

    timeout = BROWSER_TIMEOUT_S[case.app]
    folder = Path(case.folder)
    shutil.rmtree(folder / record_cache.CACHE_DIR_NAME, ignore_errors=True)
    started = time.perf_counter()
    server = launch_app(folder, script=APPS[case.app], timeout=timeout)
    try:
        page, case.cold_start_s, case.cold_start_map_s = open_until_map(
            browser, server, vendor, timeout, started
        )
        page.context.close()

        page, _, case.open_to_map_s = open_until_map(
            browser, server, vendor, timeout, time.perf_counter()
        )

        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        frames: list[int] = []

        def on_frame(event: dict) -> None:
            response = event["response"]
            size = len(response.get("payloadData", ""))
            frames.append(size * 3 // 4 if response.get("opcode") == 2 else size)

        cdp.on("Network.webSocketFrameReceived", on_frame)
        thumb = slider(page, "Dates").nth(0)
        key_times, ws_sizes = [], []
        for _ in range(moves):
            wait_for_idle(page, timeout_ms=timeout * 1000)
            old = signature(page)
            frames.clear()
            thumb.focus()
            started = time.perf_counter()
            thumb.press("ArrowRight")
            try:
                wait_for_circles_change(page, old, timeout)
            except Exception:  # noqa: BLE001 - a timeout is a result here, not a failure
                case.notes.append(f"a slider move did not show on the map within {timeout:.0f} s")
                key_times.append(float("inf"))
                break
            key_times.append(time.perf_counter() - started)
            wait_for_idle(page, timeout_ms=timeout * 1000)
            ws_sizes.append(sum(frames))
        case.key_to_map_s = statistics.median(key_times)
        case.ws_bytes_move = int(statistics.median(ws_sizes)) if ws_sizes else None
        if case.app == "Qantar Map":
            case.play_to_map_s = playback_in_browser(page, thumb, timeout)
        page.context.close()
        case.peak_mb = peak_rss_mb(server.proc.pid)
    finally:
        server.stop()
    if cold_cached:
        started = time.perf_counter()
        server = launch_app(folder, script=APPS[case.app], timeout=timeout)
        try:
            page, case.cold_start_cached_s, _ = open_until_map(
                browser, server, vendor, timeout, started
            )
            page.context.close()
        finally:
            server.stop()


def first_view_vs_floor(browser, vendor: Path, rounds: int) -> dict:  # noqa: ANN001
    """Qantar Map (bundled record) and the floor page (bench/floor_app.py), each on a fresh
    server: the first reader's page open -> first circle drawn, then ``rounds`` fresh browser
    contexts each, alternating between the two, page open -> first circle drawn (warm
    servers). Returns the medians and their ratio."""
    from harness import launch_app

    servers = {"Qantar Map": None, "floor page": None}
    scripts = {"Qantar Map": APPS["Qantar Map"], "floor page": FLOOR_APP}
    first: dict[str, float] = {}
    cold: dict[str, float] = {}
    times: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for name in servers:
            launched = time.perf_counter()
            servers[name] = launch_app(None, script=scripts[name], timeout=120.0)
            opened = time.perf_counter()
            page, rendered, drawn = open_until_map(browser, servers[name], vendor, 120.0, opened)
            cold[name] = opened - launched + rendered
            first[name] = drawn
            page.context.close()
        for _ in range(rounds):
            for name, server in servers.items():
                page, _, seconds = open_until_map(
                    browser, server, vendor, 120.0, time.perf_counter()
                )
                page.context.close()
                times[name].append(seconds)
    finally:
        for server in servers.values():
            if server is not None:
                server.stop()
    ours, floor = (statistics.median(times[n]) for n in servers)
    return {
        "first_reader_s": first,
        "cold_start_s": cold,
        "open_to_map_s": {n: statistics.median(t) for n, t in times.items()},
        "all_s": times,
        "ratio": ours / floor,
    }


def first_view_table(result: dict) -> str:
    ratio = result["ratio"]
    verdict = "met" if ratio <= FIRST_VIEW_TARGET else "NOT met"
    rows = [
        "| page | `streamlit run` -> first page rendered | first reader after a fresh start "
        "(page open -> map drawn) | page open -> map drawn (median) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, median in result["open_to_map_s"].items():
        rows.append(
            f"| {name} | {result['cold_start_s'][name]:.2f} s "
            f"| {result['first_reader_s'][name]:.2f} s | {median:.2f} s |"
        )
    rows.append(
        f"\nFirst view: {ratio:.2f}x the floor page (target <= {FIRST_VIEW_TARGET}x: {verdict})"
    )
    return "\n".join(rows)


_THUMB_TEXT = """() => Array.from(document.querySelectorAll("[data-testid='stSliderThumbValue']"))
    .map(e => e.textContent).join("|")"""


def playback_in_browser(page, thumb, timeout_s: float, steps: int = 3) -> float | None:  # noqa: ANN001
    """Seconds from a playback step showing on the slider to the map showing it (median of
    ``steps``): Play pressed at a range that can still move."""
    from harness import wait_for_idle

    thumb.focus()
    thumb.press("Home")
    wait_for_idle(page, timeout_ms=timeout_s * 1000)
    page.get_by_role("button", name="Play", exact=True).click()
    times = []
    for _ in range(steps):
        before_thumbs, before_map = page.evaluate(_THUMB_TEXT), signature(page)
        page.wait_for_function(
            f"(old) => ({_THUMB_TEXT})() !== old", arg=before_thumbs, timeout=timeout_s * 1000
        )
        shown = time.perf_counter()
        try:
            wait_for_circles_change(page, before_map, timeout_s)
        except Exception:  # noqa: BLE001 - a timeout is a result here
            return None
        times.append(time.perf_counter() - shown)
    page.get_by_role("button", name="Pause", exact=True).click()
    return statistics.median(times)


def uses_cache(case: Case) -> bool:
    """Qantar Map keeps a parsed cache of records this big (see dashboard/record_cache.py)."""
    files = data.record_files(Path(case.folder))
    return case.app == "Qantar Map" and (
        sum(f.stat().st_size for f in files) >= record_cache.MIN_CACHE_BYTES
    )


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    try:
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        chromium = "chromium not found"
    packages = ", ".join(
        f"{p} {version(p)}"
        for p in ("streamlit", "streamlit-folium", "folium", "pandas", "pyarrow")
    )
    return {
        "machine": f"{cpu}, {os.cpu_count()} cores, {mem_kb / 2**20:.0f} GB RAM",
        "system": f"{platform.platform()}, Python {platform.python_version()}",
        "software": f"{packages}; {chromium}",
        "load": "load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    if value == float("inf"):
        return "timed out"
    return f"{value:,.{digits}f}{unit}"


def fmt_bytes(value: int | None) -> str:
    if value is None:
        return "–"
    if value >= 2**20:
        return f"{value / 2**20:.1f} MB"
    return f"{value / 1024:.0f} kB"


def table(cases: list[Case], skipped: list[str]) -> str:
    head = (
        "| app | events | places | cold start → first page rendered (→ map drawn) "
        "| same, parsed cache ready | record ready in the server (cache ready) "
        "| script time per slider move (median) "
        "| map JSON on load | map JSON per move | WebSocket bytes per move "
        "| page open → map drawn | key press → map updated "
        "| script time per playback step | playback step shown → map updated "
        "| server peak memory |"
    )
    lines = [head, "|" + "---|" * 15]
    for c in cases:
        lines.append(
            f"| {c.app} | {c.events:,} | {c.places:,} "
            f"| {fmt(c.cold_start_s, ' s')} ({fmt(c.cold_start_map_s, ' s')}) "
            f"| {fmt(c.cold_start_cached_s, ' s')} "
            f"| {fmt(c.load_s, ' s')} ({fmt(c.load_cached_s, ' s')}) | {fmt(c.move_ms, ' ms', 0)} "
            f"| {fmt_bytes(c.map_bytes_load)} | {fmt_bytes(c.map_bytes_move)} "
            f"| {fmt_bytes(c.ws_bytes_move)} | {fmt(c.open_to_map_s, ' s', 2)} "
            f"| {fmt(c.key_to_map_s, ' s', 2)} | {fmt(c.play_step_ms, ' ms', 0)} "
            f"| {fmt(c.play_to_map_s, ' s', 2)} | {fmt(c.peak_mb, ' MB', 0)} |"
        )
    out = "\n".join(lines)
    notes = [f"- {c.app}, {c.events:,} events: {n}" for c in cases for n in c.notes] + [
        f"- {s}" for s in skipped
    ]
    return out + ("\n\n" + "\n".join(notes) if notes else "")


def speedup(cases: list[Case], events: int) -> str | None:
    ours = next((c for c in cases if c.app == "Qantar Map" and c.events == events), None)
    naive = next((c for c in cases if c.app == "naive folium" and c.events == events), None)
    if not ours or not naive or not ours.move_ms or not naive.move_ms:
        return None
    return (
        f"At {events:,} events a slider move takes {naive.move_ms / ours.move_ms:,.0f}x less "
        f"script time in Qantar Map than in the naive app "
        f"({fmt(ours.move_ms, ' ms', 0)} vs {fmt(naive.move_ms, ' ms', 0)})."
    )


def start_targets(cases: list[Case]) -> list[str]:
    """The first-reader times after a fresh start at 100k and 1M events (the bundled
    places, not the extra-places record), and the 1M start targets against what was measured."""
    lines = []
    for case in cases:
        if case.app != "Qantar Map" or case.events not in (100_000, START_TARGET_EVENTS):
            continue
        if case.places >= EXTRA_PLACES:
            continue  # the extra-places record: a different question
        lines.append(
            f"First reader after a fresh start, {case.events:,} events: "
            f"{fmt(case.cold_start_s, ' s')} to the first page "
            f"({fmt(case.cold_start_cached_s, ' s')} with the parsed cache ready)"
        )
        if case.events != START_TARGET_EVENTS:
            continue
        measured = zip(
            START_TARGETS_S.items(), (case.cold_start_s, case.cold_start_cached_s), strict=True
        )
        for (name, target), value in measured:
            verdict = "not measured" if value is None else "met" if value <= target else "not met"
            lines.append(
                f"1M events, {name}: {fmt(value, ' s')} to the first page "
                f"(target <= {target:.0f} s: {verdict})"
            )
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--naive-sizes", default=",".join(map(str, NAIVE_SIZES)))
    parser.add_argument("--moves", type=int, default=5, help="slider moves per case (ours)")
    parser.add_argument("--naive-moves", type=int, default=2, help="slider moves (naive app)")
    parser.add_argument("--no-extra-places", action="store_true")
    parser.add_argument("--no-browser", action="store_true", help="AppTest measurements only")
    parser.add_argument(
        "--first-view-rounds", type=int, default=5, help="fresh pages per app, ours vs the floor"
    )
    args = parser.parse_args(argv)
    # a plain kill ends the run through the finally blocks below, which stop what it started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    naive_sizes = [int(s) for s in args.naive_sizes.split(",") if s]
    began = time.perf_counter()
    info = machine()

    plan: list[tuple[str, int, int]] = []
    for n in sizes:
        plan.append(("Qantar Map", n, 0))
        if n == EXTRA_PLACES_SIZE and not args.no_extra_places:
            plan.append(("Qantar Map", n, EXTRA_PLACES))
    plan += [("naive folium", n, 0) for n in naive_sizes]
    skipped = [
        f"naive folium, {n:,} events: not run: the naive app needs minutes per slider move "
        f"already at {max(naive_sizes):,} events (its work grows with the events in range)"
        for n in sizes
        if n not in naive_sizes and naive_sizes and n > max(naive_sizes)
    ]

    cases = []
    for app, n, extra in plan:
        if not (record_folder(n, extra) / DONE_MARK).is_file():
            log(f"generating {n:,} events" + (f" + {extra:,} places" if extra else ""))
        folder = generate(n, extra)
        places = json.loads((folder / data.CITIES_FILE).read_text("utf-8"))["features"]
        cases.append(Case(app, n, len(places), str(folder)))

    browser = playwright = None
    vendor = None
    if not args.no_browser:
        from harness import launch_browser
        from playwright.sync_api import sync_playwright

        from dashboard.assets import DEFAULT_VENDOR_DIR, missing_packages

        vendor = DEFAULT_VENDOR_DIR
        if missing := missing_packages(vendor):
            sys.exit(f"map assets not installed in {vendor}: {', '.join(missing)} (make assets)")
        playwright = sync_playwright().start()
        browser = launch_browser(playwright)
    done: list[Case] = []
    stopped = None
    first_view = None
    try:
        if browser is not None and args.first_view_rounds > 0:
            log("first view: Qantar Map vs the floor page")
            first_view = first_view_vs_floor(browser, vendor, args.first_view_rounds)
            log(f"first view: {json.dumps(first_view)}")
        for case in cases:
            moves = args.moves if case.app == "Qantar Map" else args.naive_moves
            label = f"{case.app}, {case.events:,} events, {case.places:,} places"
            if browser is not None:
                log(f"{label}: server and browser")
                try:
                    browser_case(case, browser, vendor, moves, cold_cached=uses_cache(case))
                except Exception as exc:  # noqa: BLE001 - report and go on with the others
                    case.notes.append(f"browser measurement failed: {exc}".splitlines()[0])
            log(f"{label}: AppTest")
            run_apptest(case, moves)
            load = os.getloadavg()[0]
            if load > (os.cpu_count() or 1) + 1:
                case.notes.append(f"the machine was busy: load average {load:.0f} after this case")
            done.append(case)
            save(info, done, skipped)
            log(f"{label}: {json.dumps(asdict(case))}")
    except (KeyboardInterrupt, SystemExit) as exc:
        stopped = (
            f"the run was stopped ({type(exc).__name__}) after {len(done)} of {len(cases)} cases"
        )
    finally:
        if browser is not None:
            browser.close()
            playwright.stop()

    if first_view is not None:
        print(first_view_table(first_view) + "\n")
    print(table(done, skipped + ([stopped] if stopped else [])))
    for n in (10_000,):
        line = speedup(done, n)
        if line:
            print("\n" + line)
    if targets := start_targets(done):
        print("\n" + "\n".join(targets))
        if first_view is not None:
            floor = first_view["cold_start_s"]["floor page"]
            print(
                f"For comparison, the floor page (same run): {floor:.1f} s from `streamlit run` "
                "to its first page rendered"
            )
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print(f"benchmark wall time: {(time.perf_counter() - began) / 60:.1f} min")
    return 1 if stopped else 0


def save(info: dict[str, str], cases: list[Case], skipped: list[str]) -> None:
    """Results so far, in bench/out/results.json (written after every case)."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"info": info, "cases": [asdict(c) for c in cases], "skipped": skipped}
    (OUT / "results.json").write_text(json.dumps(report, indent=2), "utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "apptest":
        _, _, app_path, folder_arg, moves_arg = sys.argv
        print(json.dumps(apptest_case(app_path, folder_arg, int(moves_arg))))
        sys.exit(0)
    sys.exit(main())
