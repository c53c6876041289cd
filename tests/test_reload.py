"""A reload of changed record files never leaves the page on half-old, half-new data: files that
fail validation (invalid, or still being written) leave every session on the last good version,
with a warning listing the new files' problems; once they are fixed, the new version is shown."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from dashboard import data, record_cache, session
from tests.recordkit import events, write_csv, write_record
from tests.test_app import metrics, run_app

EVENT_COLUMNS = list(data.EVENT_REQUIRED + data.EVENT_OPTIONAL)


def rewrite_events(folder: Path, rows: list[dict]) -> None:
    write_csv(folder / data.EVENTS_FILE, rows, EVENT_COLUMNS)


def warnings_text(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_invalid_new_files_keep_the_last_good_version(tmp_path: Path, monkeypatch) -> None:
    folder = write_record(tmp_path / "record")
    at = run_app(folder, monkeypatch)
    good_version = data.record_version(folder)
    assert metrics(at)["Events"] == "8" and not at.warning

    # an event row with a bad date: the new files load, but with an error
    rows = events()
    rows[3]["event_date"] = "2022-01-99"
    rewrite_events(folder, rows[:7] + [rows[3] | {"event_id_cnty": "T9"}])
    at.run()
    assert not at.exception
    assert metrics(at)["Events"] == "8"
    assert "failed validation" in warnings_text(at) and good_version in warnings_text(at)
    problems = at.dataframe[0].value
    assert problems[["file", "row", "field"]].values.tolist()[0] == [
        "events.csv",
        5,
        "event_date",
    ]

    # a truncated cities.geojson: the new files cannot be loaded at all
    cities = folder / data.CITIES_FILE
    whole = cities.read_text("utf-8")
    cities.write_text(whole[: len(whole) // 2], "utf-8")
    at.run()
    assert not at.exception and not at.error
    assert metrics(at)["Events"] == "8"
    assert "failed validation" in warnings_text(at)
    assert at.dataframe[0].value.iloc[0]["file"] == "cities.geojson"
    assert "not valid JSON" in at.dataframe[0].value.iloc[0]["problem"]

    # fixed: the new version (7 events) replaces the old one, and the warning goes
    cities.write_text(whole, "utf-8")
    rewrite_events(folder, events()[:7])
    at.run()
    assert not at.exception
    assert metrics(at)["Events"] == "7"
    assert "failed validation" not in warnings_text(at)


def test_files_that_keep_changing_while_read_are_not_served(tmp_path: Path, monkeypatch) -> None:
    folder = write_record(tmp_path / "record")
    at = run_app(folder, monkeypatch)
    assert metrics(at)["Events"] == "8"

    validate = record_cache.validate
    path = folder / data.EVENTS_FILE

    def validate_while_writing(data_dir: Path, *args, **kwargs):
        result = validate(data_dir, *args, **kwargs)
        with path.open("a", encoding="utf-8") as fh:  # a writer still appending rows
            fh.write("\n")
        return result

    monkeypatch.setattr(record_cache, "validate", validate_while_writing)
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    at.run()
    assert not at.exception
    assert metrics(at)["Events"] == "8"
    assert "failed validation" in warnings_text(at)
    texts = at.dataframe[0].value["problem"].tolist()
    assert any("kept changing while they were read" in t for t in texts), texts


def test_a_record_with_errors_is_shown_when_nothing_better_was(tmp_path: Path, monkeypatch):
    """On a fresh start there is no last good version: the rows with errors are left out and
    listed, the rest is shown (the page is never empty just because one row is bad)."""
    rows = events()
    rows[0]["category"] = "unrest"
    folder = write_record(tmp_path / "record", event_rows=rows)
    at = run_app(folder, monkeypatch)
    assert metrics(at)["Events"] == "7"
    assert "failed validation" not in warnings_text(at)
    assert "1 problem(s) in the record" in at.expander[0].label


def test_a_new_good_version_is_warmed_again(tmp_path: Path, monkeypatch) -> None:
    """The server's lifespan warms the version it starts with; a later version that replaces it
    is warmed again in the background (its caches, then the collector's freeze renewed), once."""
    started: list[str] = []
    monkeypatch.setattr(session, "start_warming", lambda: started.append("warm"))
    folder = write_record(tmp_path / "record")
    at = run_app(folder, monkeypatch)
    assert started == []

    rewrite_events(folder, events()[:7])
    at.run()
    assert not at.exception
    assert metrics(at)["Events"] == "7"
    assert started == ["warm"]

    at.run()  # the same version again: nothing new to warm
    assert started == ["warm"]


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.itself = self


def test_warming_hands_back_what_the_last_freeze_held(tmp_path: Path, monkeypatch) -> None:
    """A cycle frozen by the last warming (an old version's, or a run's that was going on then)
    is collected by the next one, and what is warm now is frozen."""
    monkeypatch.setenv(data.DATA_DIR_ENV, str(write_record(tmp_path / "record")))
    node = _Node()
    gone = weakref.ref(node)
    gc.freeze()
    try:
        del node
        gc.collect()
        assert gone() is not None  # frozen: out of the collector's sight
        session._warm_logged()
        assert gone() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
