"""The load test in small form (bench/loadtest.py; `make loadtest` runs 30 sessions x 20 moves):
5 browser sessions at once against one server, 5 keyboard slider moves each."""

from __future__ import annotations

from pathlib import Path

from bench.loadtest import run_load

PER_SESSION_MB = 30


def test_concurrent_sessions_are_served_without_errors(vendor_dir, tmp_path: Path) -> None:
    report = run_load(
        sessions=5, moves=5, browsers=1, arrival_s=1, deadline_s=300, log_dir=tmp_path
    )
    print("\n" + report.table())
    assert report.errors == []
    assert all(s.served and len(s.update_s) == 5 for s in report.sessions)
    assert report.record_loads == 1  # one record in memory for every session
    assert report.rss_mb["sessions open"] == 5 and report.rss_mb["sessions after close"] == 0
    assert report.per_extra_session_mb < PER_SESSION_MB
    # what the sessions took is bounded, and does not stay after they close
    assert report.rss_mb["peak"] - report.rss_mb["one session"] < 5 * PER_SESSION_MB
    assert report.rss_mb["after close"] - report.rss_mb["one session"] < 2 * PER_SESSION_MB
