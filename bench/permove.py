"""One session per page, side by side: server CPU and WebSocket bytes per slider move, Qantar Map
against the floor page (``bench/floor_app.py``).

Both servers run at once; one browser opens each page (folium's CDN assets served from the
vendored copies, as in the browser tests), then moves each page's end date one day left in turn,
MOVES times: a move of one page, then a move of the other, so the machine's noise falls on both.
A move is over when the script is idle again and the page's WebSocket has been quiet for QUIET_S.
It counts the server process's CPU time (user + system, from /proc) over its page's moves, the
bytes of every WebSocket message the browser received for them (the payloads as Streamlit sent
them, before compression) and, where ``ss`` is installed, the bytes the server put on the wire
(after the WebSocket compression that ``.streamlit/config.toml`` turns on).
``python bench/loadtest.py`` prints the table before the crowd runs.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    CIRCLES,
    MAP_IFRAME,
    AppServer,
    launch_app,
    open_app,
    route_offline,
    slider,
    wait_for_map_in_link,
)
from playwright.sync_api import Browser, Page, WebSocket

from dashboard import assets

REPO = Path(__file__).resolve().parent.parent
FLOOR_APP = "bench/floor_app.py"
QUIET_S = 0.4
MOVE_TIMEOUT_S = 60.0
CPU_TARGET = 1.3  # Qantar Map's server CPU per move, at most this many times the floor page's
BYTES_TARGET = 150_000  # WebSocket bytes per move, at most

_IDLE = """() => document.querySelector(
  "[data-testid='stApp'][data-test-script-state='notRunning']") !== null"""


@dataclass
class Pace:
    """One page's moves: CPU seconds of its server and WebSocket bytes received, per move."""

    name: str
    server: AppServer
    page: Page | None = None
    frames: list[tuple[float, int]] = field(default_factory=list)  # (arrival, bytes)
    cpu_s: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    wire: list[int] = field(default_factory=list)  # TCP bytes the server sent (ss), or empty

    def listen(self, ws: WebSocket) -> None:
        def received(payload: str | bytes) -> None:
            size = len(payload) if isinstance(payload, bytes) else len(payload.encode())
            self.frames.append((time.monotonic(), size))

        ws.on("framereceived", received)

    @property
    def cpu_per_move_s(self) -> float:
        return sum(self.cpu_s) / len(self.cpu_s)

    @property
    def bytes_per_move(self) -> float:
        return sum(self.bytes) / len(self.bytes)


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a process has used, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wire_bytes(port: int | None) -> dict[str, int] | None:
    """Bytes the server has sent on each open TCP connection on ``port``, by peer (``ss``'s
    bytes_sent: what went on the wire, after any WebSocket compression); None without ``ss``."""
    if port is None or shutil.which("ss") is None:
        return None
    out = subprocess.run(
        ["ss", "-Htin", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    # one connection per two lines: "0 0 local peer", then its counters
    sent: dict[str, int] = {}
    peer = ""
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            peer = line.split()[-1]
        elif found := re.search(r"bytes_sent:(\d+)", line):
            sent[peer] = int(found.group(1))
    return sent


def _sent_since(before: dict[str, int], after: dict[str, int]) -> int:
    """What the connections open at the end sent since ``before`` (new ones: all they sent)."""
    return sum(n - before.get(peer, 0) for peer, n in after.items())


def _settled(pace: Pace, since: int) -> bool:
    """Some message has come since frame ``since``, none for QUIET_S, and the script is idle."""
    assert pace.page is not None
    if len(pace.frames) <= since or time.monotonic() - pace.frames[-1][0] < QUIET_S:
        return False
    return bool(pace.page.evaluate(_IDLE))


def _move(pace: Pace) -> None:
    """Move the page's end date one day left and wait for the move to be over."""
    assert pace.page is not None
    since = len(pace.frames)
    port = urlsplit(pace.server.url).port
    sent = wire_bytes(port)
    cpu = cpu_s(pace.server.proc.pid)
    slider(pace.page, "Dates").nth(1).press("ArrowLeft")
    deadline = time.monotonic() + MOVE_TIMEOUT_S
    while not _settled(pace, since):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pace.name}: a move was not over within {MOVE_TIMEOUT_S:.0f} s")
        pace.page.wait_for_timeout(50)
    pace.cpu_s.append(cpu_s(pace.server.proc.pid) - cpu)
    pace.bytes.append(sum(size for _, size in pace.frames[since:]))
    after = wire_bytes(port)
    if sent is not None and after is not None:
        pace.wire.append(_sent_since(sent, after))


def _open(browser: Browser, pace: Pace, vendor: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    route_offline(context, vendor)
    page = context.new_page()
    page.on("websocket", pace.listen)
    open_app(page, pace.server.url)
    frame = page.wait_for_selector(MAP_IFRAME, state="attached").content_frame()
    assert frame is not None
    frame.wait_for_selector(CIRCLES, state="attached")
    if pace.name == "Qantar Map":
        wait_for_map_in_link(page)  # the map has reported its position: the first view is over
    page.wait_for_timeout(1000)
    pace.page = page


def moves_vs_floor(
    browser: Browser, moves: int = 20, log: Callable[[str], None] = print
) -> list[Pace]:
    """Qantar Map (bundled record, assets self-hosted) and the floor page, ``moves`` moves each,
    alternating; their ``Pace``, Qantar Map's first."""
    vendor = assets.DEFAULT_VENDOR_DIR
    out = REPO / "bench" / "out"
    paces: list[Pace] = []
    try:
        for name, script in (("Qantar Map", "dashboard/app.py"), ("floor page", FLOOR_APP)):
            server = launch_app(
                None,
                {assets.ASSETS_ENV: "local"},
                script=script,
                log_dir=out / f"permove-{name.split()[0].lower()}",
                timeout=120.0,
            )
            paces.append(Pace(name, server))
        for pace in paces:
            _open(browser, pace, vendor)
        log(f"one session each: {moves} moves, alternating")
        for _ in range(moves):
            for pace in paces:
                _move(pace)
    finally:
        for pace in paces:
            if pace.page is not None:
                pace.page.context.close()
            pace.server.stop()
    return paces


def table(paces: list[Pace]) -> str:
    """The side-by-side table and the verdicts against CPU_TARGET and BYTES_TARGET."""
    ours, floor = paces
    rows = [
        "| page | server CPU per move (mean / median) | moves per second one core sustains "
        "| WebSocket messages per move (mean / max) | on the wire per move (mean / max) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for pace in paces:
        rows.append(
            f"| {pace.name} | {pace.cpu_per_move_s * 1000:.0f} ms / "
            f"{statistics.median(pace.cpu_s) * 1000:.0f} ms | {1 / pace.cpu_per_move_s:.1f} | "
            f"{pace.bytes_per_move / 1000:.1f} kB / {max(pace.bytes) / 1000:.1f} kB | "
            + (
                f"{statistics.mean(pace.wire) / 1000:.1f} kB / {max(pace.wire) / 1000:.1f} kB |"
                if pace.wire
                else "– (no `ss`) |"
            )
        )
    ratio = ours.cpu_per_move_s / floor.cpu_per_move_s
    cpu_ok = "met" if ratio <= CPU_TARGET else "NOT met"
    bytes_ok = "met" if ours.bytes_per_move <= BYTES_TARGET else "NOT met"
    rows.append(
        f"\nServer CPU per move: {ratio:.2f}x the floor page's (target <= {CPU_TARGET}x: "
        f"{cpu_ok}); WebSocket bytes per move: {ours.bytes_per_move / 1000:.1f} kB "
        f"(target <= {BYTES_TARGET / 1000:.0f} kB: {bytes_ok})"
    )
    return "\n".join(rows)
