"""The bad-files corpus (tests/corpus/): each malformed input gets a clear message naming file,
row and field, the same in ``python -m dashboard validate`` and in the app, with no traceback,
and no good row is lost unless the message says the file could not be read.

Each folder under tests/corpus/ holds the bad file(s), applied over the good record in
``_base/``, and ``expect.json``: the problem expected (file, row, field, part of the message,
severity), then either the rows kept per file or ``"unreadable": true`` (the record cannot be
loaded); ``"delete"`` lists base files the case removes. One more case is made at test time: an
events.csv far larger than any real record (a sparse file just over the size limit).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard import data, readers
from dashboard.__main__ import main
from tests.test_app import metrics, run_app

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
OVERSIZED = "events-far-larger-than-any-record"
OVERSIZED_EXPECT = {
    "problem": {
        "file": data.EVENTS_FILE,
        "row": None,
        "field": None,
        "message": f"over the {data.MAX_FILE_BYTES / 2**20:.0f} MiB limit",
        "severity": "error",
    },
    "unreadable": True,
}
ALL_CASES = [*CASES, OVERSIZED]


def expectation(name: str) -> dict:
    if name == OVERSIZED:
        return OVERSIZED_EXPECT
    return json.loads((CORPUS / name / "expect.json").read_text("utf-8"))


def build(name: str, root: Path) -> Path:
    """The base record with the case's files applied, in ``root/name``."""
    folder = root / name
    shutil.copytree(CORPUS / "_base", folder)
    for removed in expectation(name).get("delete", []):
        (folder / removed).unlink()
    if name == OVERSIZED:
        with (folder / data.EVENTS_FILE).open("r+b") as fh:
            fh.truncate(data.MAX_FILE_BYTES + 1)  # sparse: no disk space used
        return folder
    for path in (CORPUS / name).iterdir():
        if path.name != "expect.json":
            shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def corpus_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    return {name: build(name, root) for name in ALL_CASES}


def expected_line(problem: dict) -> str:
    shown = data.Problem(problem["file"], problem["row"], problem["field"], "", problem["severity"])
    return str(shown)  # "severity: file, row N, field 'x': " with an empty message


@pytest.mark.parametrize("name", ALL_CASES)
def test_cli_names_file_row_and_field(name: str, corpus_dirs, capsys) -> None:
    """``python -m dashboard validate``, called in-process: an exception would fail the test."""
    expect = expectation(name)
    problem = expect["problem"]
    code = main(["validate", str(corpus_dirs[name])])
    output, err = capsys.readouterr()
    assert "Traceback" not in output + err, output + err
    errors = problem["severity"] == "error"
    assert code == (1 if errors else 0), output
    prefix = expected_line(problem)
    lines = [line for line in output.splitlines() if line.startswith(prefix)]
    assert any(problem["message"] in line for line in lines), (
        f"{prefix}…{problem['message']}\n{output}"
    )
    if expect.get("unreadable"):
        assert "cannot be loaded" in output
        return
    kept = expect["kept"]
    summary = (
        f"{kept['events']} events, {kept['cities']} places, {kept['sources']} sources, "
        f"{kept['figures']} figures"
    )
    assert summary in output
    record, _ = data.validate(corpus_dirs[name])
    assert record is not None and len(record.periods) == kept["periods"]


def problem_rows(table: pd.DataFrame) -> list[tuple]:
    def plain(value: object) -> object:
        return None if value is None or (isinstance(value, float) and pd.isna(value)) else value

    return [
        (row.severity, row.file, plain(row.row), plain(row.field), row.problem)
        for row in table.itertuples(index=False)
    ]


@pytest.mark.parametrize("name", ALL_CASES)
def test_app_lists_the_same_problem(name: str, corpus_dirs, monkeypatch) -> None:
    expect = expectation(name)
    problem = expect["problem"]
    at = run_app(corpus_dirs[name], monkeypatch)  # asserts no exception
    if expect.get("unreadable"):
        assert "could not be loaded" in at.error[0].value
        assert not at.get("component_instance")  # no map of nothing
    else:
        assert metrics(at)["Events"] == str(expect["kept"]["events"])
    rows = problem_rows(at.dataframe[0].value)
    wanted = (problem["severity"], problem["file"], problem["row"], problem["field"])
    assert any(r[:4] == wanted and problem["message"] in r[4] for r in rows), rows


def load_both_ways(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The record (or the error) from pandas' parser, then from the fast path big files take."""
    results = []
    for threshold in (data.MAX_FILE_BYTES + 1, 0):
        monkeypatch.setattr(data, "FAST_CSV_BYTES", threshold)
        try:
            record = data.load_record(folder)
        except data.RecordError as exc:
            results.append(("unreadable", exc.problems, None))
            continue
        frames = (record.events, record.cities, record.sources, record.figures, record.periods)
        results.append(("loaded", record.problems, frames))
    return results


@pytest.mark.parametrize("name", ALL_CASES)
def test_big_file_parser_gives_the_same_record_and_messages(
    name: str, corpus_dirs, monkeypatch
) -> None:
    """Big CSV files are read by pyarrow first (falling back to pandas' parser when it warns or
    fails): every corpus case must come out the same either way, rows, values and problems."""
    (kind, problems, frames), (fast_kind, fast_problems, fast_frames) = load_both_ways(
        corpus_dirs[name], monkeypatch
    )
    assert (fast_kind, list(fast_problems)) == (kind, list(problems))
    for frame, fast in zip(frames or (), fast_frames or (), strict=True):
        pd.testing.assert_frame_equal(fast, frame)


def test_big_file_parser_reads_a_good_file_itself() -> None:
    """The comparison above is not two runs of pandas' parser: pyarrow reads a good file."""
    frame = readers.read_big_csv(CORPUS / "_base" / data.EVENTS_FILE)
    assert frame is not None and len(frame) > 0
    assert readers.read_big_csv(CORPUS / "events-row-with-extra-field" / data.EVENTS_FILE) is None
