"""The parsed-record cache gives exactly the record the files give, and never an error."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from dashboard import data, problems, readers, record_cache, schema, validation
from tests.recordkit import SOURCES, event, events, write_record

REPO = Path(__file__).resolve().parent.parent
HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\1 \"'&"


def assert_same_record(a: data.Record, b: data.Record) -> None:
    for f in dataclasses.fields(data.Record):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            assert type(x) is type(y), f.name
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=f.name)
        else:
            assert x == y, f.name


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / record_cache.CACHE_DIR_NAME).glob("record-*"))


def load_cached(folder: Path) -> data.Record:
    return record_cache.load(folder, min_bytes=0)


def messy_record(folder: Path) -> Path:
    """A record with row-level errors, warnings, figures and hostile text."""
    rows = events()
    rows[0]["notes"] = HOSTILE
    rows[1]["event_date"] = "2022-13-01"  # an error: the row is left out
    rows[2]["fatalities"] = "-1"
    figures = [
        {
            "figure_id": "f1",
            "kind": "deaths",
            "label": "Deaths",
            "value": "225",
            "value_max": "238",
            "unit": "people",
            "scope": "national",
            "as_of": "2022-01-15",
            "claimed_by": "Prosecutor General",
            "source_ids": "s1",
        }
    ]
    write_record(folder, event_rows=rows, figures=figures)
    path = folder / data.EVENTS_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a warning: byte-order mark
    return folder


@pytest.mark.parametrize("kind", ["plain", "messy", "bundled"])
def test_cached_record_equals_the_parsed_one(tmp_path: Path, kind: str) -> None:
    if kind == "bundled":
        if not (REPO / "geodata" / data.EVENTS_FILE).is_file():
            pytest.skip("no bundled record")
        folder = tmp_path / "geodata"
        folder.mkdir()
        for path in data.record_files(REPO / "geodata"):
            (folder / path.name).write_bytes(path.read_bytes())
    elif kind == "messy":
        folder = messy_record(tmp_path / "r")
    else:
        folder = write_record(tmp_path / "r")
    parsed = data.load_record(folder)
    assert kind != "messy" or (parsed.errors and len(parsed.problems) > len(parsed.errors))
    first = load_cached(folder)  # parses and writes the cache
    assert len(entries(folder)) == 1
    second = load_cached(folder)  # reads it
    assert_same_record(parsed, first)
    assert_same_record(parsed, second)


def test_a_current_cache_is_read_without_parsing(record_dir: Path, monkeypatch) -> None:
    load_cached(record_dir)

    def no_parsing(_: Path) -> data.Record:
        raise AssertionError("parsed the files although the cache is current")

    monkeypatch.setattr(data, "load_record", no_parsing)
    assert len(load_cached(record_dir).events) == 8


def test_the_stamp_skips_hashing_only_for_files_not_just_written(
    record_dir: Path, monkeypatch
) -> None:
    hashed = []
    real_version = data.record_version
    monkeypatch.setattr(data, "record_version", lambda d: hashed.append(d) or real_version(d))
    load_cached(record_dir)
    load_cached(record_dir)
    # files written a moment ago: each load hashes them (a same-size edit within the file
    # system's timestamp granularity would not change their stamp), the first one twice
    assert len(hashed) == 3  # to look for a cached copy and while parsing; to find it
    stamps = list((record_dir / record_cache.CACHE_DIR_NAME).glob("stamp-*"))
    assert stamps == []
    monkeypatch.setattr(record_cache, "RACY_SECONDS", 0.0)
    load_cached(record_dir)
    assert len(list((record_dir / record_cache.CACHE_DIR_NAME).glob("stamp-*"))) == 1
    hashed.clear()
    assert len(load_cached(record_dir).events) == 8
    assert hashed == []


def test_a_first_load_of_settled_files_hashes_them_once(record_dir: Path, monkeypatch) -> None:
    hashed = []
    real_version = data.record_version
    monkeypatch.setattr(data, "record_version", lambda d: hashed.append(d) or real_version(d))
    monkeypatch.setattr(record_cache, "RACY_SECONDS", 0.0)  # as if written long ago
    load_cached(record_dir)
    assert len(hashed) == 1 and len(entries(record_dir)) == 1


def test_a_changed_file_is_parsed_again(record_dir: Path) -> None:
    assert len(load_cached(record_dir).events) == 8
    before = entries(record_dir)
    rows = events() + [event("T9", "2022-01-08", "aktau", "protest", "Peaceful protest", "")]
    write_record(record_dir, event_rows=rows)
    record = load_cached(record_dir)
    assert record.events["event_id_cnty"].iloc[-1] == "T9"
    assert len(entries(record_dir)) == 1 and entries(record_dir) != before  # old one removed


def test_a_same_size_edit_with_the_old_mtime_is_seen(record_dir: Path) -> None:
    path = record_dir / data.EVENTS_FILE
    assert "Test event T1 in" in load_cached(record_dir).events["notes"].iloc[0]
    st = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Test event T1 in", b"Edited event1 in"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert load_cached(record_dir).events["notes"].iloc[0].startswith("Edited event1 in")


@pytest.mark.parametrize(
    "damage",
    ["truncated parquet", "garbage meta", "missing frame", "stamp to nowhere", "garbage stamp"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(record_dir: Path, monkeypatch, damage: str) -> None:
    monkeypatch.setattr(record_cache, "RACY_SECONDS", 0.0)
    expected = load_cached(record_dir)
    cache = record_dir / record_cache.CACHE_DIR_NAME
    (entry,) = cache.glob("record-*")
    (stamp,) = cache.glob("stamp-*")
    if damage == "truncated parquet":
        parquet = entry / "events.parquet"
        parquet.write_bytes(parquet.read_bytes()[:100])
    elif damage == "garbage meta":
        (entry / "meta.json").write_text("{not json", "utf-8")
    elif damage == "missing frame":
        (entry / "cities.parquet").unlink()
    elif damage == "stamp to nowhere":
        stamp.write_text("record-000000000000-0000000000", "utf-8")
    else:
        stamp.write_bytes(b"\xff\xfe../../etc")
    assert_same_record(expected, load_cached(record_dir))
    # and the rebuilt cache is whole again: read without parsing
    monkeypatch.setattr(data, "load_record", lambda _: pytest.fail("parsed again"))
    assert_same_record(expected, load_cached(record_dir))


def test_a_crash_while_writing_leaves_no_entry(record_dir: Path, monkeypatch) -> None:
    real = record_cache._store_frame

    def crash_on_events(path: Path, frame: pd.DataFrame) -> dict:
        if path.name == "events.parquet":
            raise OSError("disk full")
        return real(path, frame)

    monkeypatch.setattr(record_cache, "_store_frame", crash_on_events)
    assert len(load_cached(record_dir).events) == 8  # still loads
    cache = record_dir / record_cache.CACHE_DIR_NAME
    assert entries(record_dir) == [] and list(cache.glob("tmp-*")) == []


def test_left_over_temporary_folders_are_ignored_then_cleaned(record_dir: Path) -> None:
    cache = record_dir / record_cache.CACHE_DIR_NAME
    cache.mkdir()
    old, fresh = cache / "tmp-old", cache / "tmp-fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "events.parquet").write_bytes(b"half a file")
    os.utime(old, (0, 0))
    assert len(load_cached(record_dir).events) == 8
    assert not old.exists() and fresh.exists()  # fresh: maybe another process still writing


def test_a_concurrent_writer_of_the_same_record_is_fine(record_dir: Path) -> None:
    record = data.load_record(record_dir)
    root = record_cache.cache_root(record_dir)
    code = record_cache.code_version()
    name = f"record-{record.version}-{code}"
    record_cache._write_entry(root, name, record, code)
    record_cache._write_entry(root, name, record, code)  # loses the rename race: keeps the first
    assert entries(record_dir) == [name] and list(root.glob("tmp-*")) == []
    assert_same_record(record, load_cached(record_dir))


def test_read_only_data_folder_uses_the_user_cache(record_dir: Path, tmp_path, monkeypatch):
    (record_dir / record_cache.CACHE_DIR_NAME).write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = record_cache.cache_root(record_dir)
    assert root is not None and root.is_relative_to(tmp_path / "xdg" / record_cache.XDG_SUBDIR)
    load_cached(record_dir)
    assert len(list(root.glob("record-*"))) == 1
    # nowhere to write at all: loads without a cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(record_dir / data.EVENTS_FILE))
    assert record_cache.cache_root(record_dir) is None
    assert_same_record(data.load_record(record_dir), load_cached(record_dir))


def test_small_records_are_not_cached(record_dir: Path) -> None:
    record = record_cache.load(record_dir)  # default threshold: a few files of test data
    assert_same_record(data.load_record(record_dir), record)
    assert not (record_dir / record_cache.CACHE_DIR_NAME).exists()


def test_unreadable_records_raise_as_before_and_are_not_cached(record_dir: Path) -> None:
    (record_dir / data.CITIES_FILE).write_text("{not json", "utf-8")
    with pytest.raises(data.RecordError) as raised:
        load_cached(record_dir)
    assert raised.value.problems == data.validate(record_dir)[1]
    record, problems = record_cache.validate(record_dir, min_bytes=0)
    assert record is None and problems[0].file == data.CITIES_FILE
    assert entries(record_dir) == []


@pytest.mark.parametrize("module", [data, schema, readers, validation, problems])
def test_code_version_changes_with_the_validation_code(monkeypatch, tmp_path: Path, module) -> None:
    before = record_cache.code_version()
    copy = tmp_path / "module.py"
    copy.write_text(Path(module.__file__).read_text("utf-8") + "\n# changed\n", "utf-8")
    monkeypatch.setattr(module, "__file__", str(copy))
    assert record_cache.code_version() != before


def test_sources_index_and_tuples_survive(tmp_path: Path) -> None:
    sources = [*SOURCES, {"source_id": "s3", "outlet": HOSTILE, "title": "T", "published": ""}]
    folder = write_record(tmp_path / "r", sources=sources)
    load_cached(folder)
    record = load_cached(folder)
    assert (
        record.sources.index.name == "source_id" and record.sources.loc["s3", "outlet"] == HOSTILE
    )
    assert record.cities.loc["almaty", "aliases"] == ("Alma-Ata",)
    assert record.cities.loc["almaty", "source_ids"] == ()
    meta = json.loads(
        next((folder / record_cache.CACHE_DIR_NAME).glob("record-*/meta.json")).read_text()
    )
    assert meta["fields"]["sources"]["frame"]["index"] == "source_id"
