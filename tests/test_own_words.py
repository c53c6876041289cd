"""The record's descriptions are our own words: no note or label repeats 8 or more consecutive
words of a seed article. The seeds are not in the repository (../shared/seeds/ beside the
project, as in CI); without them there is nothing to compare against and the test says so."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from dashboard import data

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RUN = 8
WORD = re.compile(r"\w+", re.UNICODE)


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def record_texts(folder: Path) -> list[tuple[str, str, str]]:
    """(file, row id, text) for every description in the record."""
    out = []
    for name, id_col, cols in (
        (data.EVENTS_FILE, "event_id_cnty", ("notes",)),
        (data.FIGURES_FILE, "figure_id", ("label", "notes")),
        (data.PERIODS_FILE, "period_id", ("label", "notes")),
    ):
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for col in cols:
                    out.append((name, f"{row[id_col]}.{col}", row.get(col) or ""))
    return out


def test_the_checker_finds_a_copied_run() -> None:
    seed = "One two three four five six seven eight nine ten."
    assert runs("so: two three four five six seven eight nine, said") & runs(seed)
    assert not runs("two three four five six seven eight") & runs(seed)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no ../shared/seeds/ to compare against")
def test_no_description_repeats_eight_words_of_a_seed() -> None:
    seed_runs: dict[tuple[str, ...], str] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        for run in runs(path.read_text("utf-8", errors="replace")):
            seed_runs.setdefault(run, path.name)
    assert seed_runs, "the seeds folder holds no text"
    copied = [
        f"{name} {where}: '{' '.join(run)}' (from {seed_runs[run]})"
        for name, where, text in record_texts(data.DEFAULT_DATA_DIR)
        for run in runs(text)
        if run in seed_runs
    ]
    assert copied == []
