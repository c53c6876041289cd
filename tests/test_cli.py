"""``python -m dashboard`` as a real command. The commands themselves are tested in-process
(``dashboard.__main__.main``) in test_corpus.py and test_acled_import.py; this one test proves
the module runs as a program and its exit code reaches the shell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard import data

ROOT = Path(__file__).resolve().parent.parent


def test_python_m_dashboard_validate_runs_and_exits_with_the_result(record_dir: Path) -> None:
    events = record_dir / data.EVENTS_FILE
    events.write_text(events.read_text("utf-8").replace("2022-01-02", "2022-02-30"), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", str(record_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert any(line.startswith("error: events.csv, row 2, field 'event_date': ") for line in lines)
    assert lines[-1].startswith(f"{record_dir}: ") and lines[-1].endswith(
        "1 errors (those rows are left out)"
    )
