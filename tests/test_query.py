from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from dashboard import data, query
from dashboard.data import CATEGORIES
from tests.recordkit import CITIES, event, write_record


@pytest.fixture
def index(record_dir: Path) -> query.EventIndex:
    return query.EventIndex(data.load_record(record_dir))


def test_view_rejects_reversed_range_and_unknown_category() -> None:
    with pytest.raises(ValueError, match="after"):
        query.View(date(2022, 1, 5), date(2022, 1, 4))
    with pytest.raises(ValueError, match="unknown"):
        query.View(date(2022, 1, 4), date(2022, 1, 5), categories=("riots",))


def test_headline_for_whole_record_and_a_day(index: query.EventIndex) -> None:
    whole = index.headline(query.View(*index.record.settings.period))
    assert whole == query.Headline(
        events=8, protest=4, crackdown=3, cities=3, fatalities=3, events_with_fatalities=2
    )
    day = index.headline(query.View(date(2022, 1, 5), date(2022, 1, 5)))
    assert (day.events, day.protest, day.crackdown, day.cities, day.fatalities) == (2, 0, 2, 1, 3)
    empty = index.headline(query.View(date(2021, 12, 28), date(2022, 1, 1)))
    assert empty == query.Headline(0, 0, 0, 0, 0, 0)


def test_city_totals_and_dominant(index: query.EventIndex) -> None:
    totals = index.city_totals(query.View(date(2022, 1, 2), date(2022, 1, 7)))
    assert totals.loc["zhanaozen", ["protest", "crackdown", "events"]].tolist() == [2, 0, 2]
    assert totals.loc["almaty", "dominant"] == "crackdown"  # 1 protest, 2 crackdown, 1 govt
    assert totals.loc["aktau", "dominant"] == "mixed"  # 1 protest, 1 crackdown
    assert totals.loc["almaty", "fatalities"] == 3
    only_govt = index.city_totals(query.View(date(2022, 1, 6), date(2022, 1, 6)))
    assert only_govt.index.tolist() == ["almaty"] and only_govt.loc["almaty", "dominant"] == "other"
    just_protest = index.city_totals(
        query.View(date(2022, 1, 2), date(2022, 1, 31), categories=("protest",))
    )
    assert set(just_protest["dominant"]) == {"protest"} and just_protest["events"].sum() == 4


def test_events_in_respects_range_and_categories(index: query.EventIndex) -> None:
    view = query.View(date(2022, 1, 3), date(2022, 1, 5), categories=("crackdown",))
    assert index.events_in(view)["event_id_cnty"].tolist() == ["T5", "T6"]


def random_record(folder: Path, n: int, seed: int) -> data.Record:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        day = date(2021, 12, 28) + timedelta(days=rng.randrange(35))
        city = rng.choice(CITIES)["city_id"]
        fatal = rng.choice(["", "", "0", str(rng.randrange(20))])
        rows.append(
            event(f"R{i}", day.isoformat(), city, rng.choice(CATEGORIES), "Peaceful protest", fatal)
        )
    write_record(folder, event_rows=rows)
    return data.load_record(folder)


@pytest.mark.parametrize("seed", range(5))
def test_fast_path_equals_plain_filter_and_count(tmp_path: Path, seed: int) -> None:
    """The indexed answers equal a plain filter-and-count on random ranges and categories."""
    record = random_record(tmp_path / "r", 400, seed)
    index = query.EventIndex(record)
    rng = random.Random(seed)
    lo = record.settings.period[0]
    for _ in range(40):
        a, b = sorted(rng.randrange(-3, 38) for _ in range(2))
        start, end = lo + timedelta(days=a), lo + timedelta(days=b)
        cats = tuple(c for c in CATEGORIES if rng.random() < 0.7) or ("protest",)
        view = query.View(start, end, cats, exact_only=rng.random() < 0.3)
        plain = query.filter_events(record.events, view)
        assert index.events_in(view)["event_id_cnty"].tolist() == plain["event_id_cnty"].tolist()
        totals = index.city_totals(view)
        for cat in CATEGORIES:
            expected = plain[plain["category"] == cat].groupby("city_id").size()
            got = totals[cat][totals[cat] > 0]
            assert got.sort_index().to_dict() == expected[expected > 0].sort_index().to_dict()
        head = index.headline(view)
        assert head.events == len(plain)
        assert head.protest == int((plain["category"] == "protest").sum())
        assert head.cities == plain["city_id"].nunique()
        assert head.fatalities == int(plain["fatalities"].fillna(0).sum())
        assert head.events_with_fatalities == int(plain["fatalities"].notna().sum())
        assert np.array_equal(
            totals["fatalities"].sort_index().to_numpy(),
            plain.groupby("city_id")["fatalities"].sum().sort_index().to_numpy(),
        )
