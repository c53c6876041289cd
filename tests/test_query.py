from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, data, query
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


def random_record(folder: Path, n: int, seed: int, n_places: int = 3) -> data.Record:
    """``n`` random events at ``n_places`` places (the kit's cities, then made-up ones), with
    random dates, categories, precisions and fatalities."""
    rng = random.Random(seed)
    cities = list(CITIES)
    for i in range(n_places - len(CITIES)):
        cities.append(
            {
                **CITIES[0],
                "city_id": f"place-{i}",
                "name": f"Place {i}",
                "lon": round(rng.uniform(50, 85), 4),
                "lat": round(rng.uniform(42, 54), 4),
            }
        )
    cities = cities[:n_places]
    rows = []
    for i in range(n):
        day = date(2021, 12, 28) + timedelta(days=rng.randrange(35))
        city = rng.choice(cities)
        fatal = rng.choice(["", "", "0", str(rng.randrange(20))])
        row = event(f"R{i:05d}", day.isoformat(), "almaty", rng.choice(CATEGORIES), "Other", fatal)
        row.update(
            city_id=city["city_id"],
            location=city["name"],
            latitude=str(city["lat"]),
            longitude=str(city["lon"]),
            time_precision=rng.choice("1112"),
            geo_precision=rng.choice("1113"),
        )
        rows.append(row)
    write_record(folder, cities=cities, event_rows=rows)
    return data.load_record(folder)


def random_views(record: data.Record, rng: random.Random, n: int) -> list[query.View]:
    """Random ranges (some reaching outside the period, some single days), categories and
    exactness."""
    lo = record.settings.period[0]
    views = []
    for _ in range(n):
        a, b = sorted(rng.randrange(-3, 38) for _ in range(2))
        cats = tuple(c for c in CATEGORIES if rng.random() < 0.7) or ("protest",)
        views.append(
            query.View(lo + timedelta(days=a), lo + timedelta(days=b), cats, rng.random() < 0.3)
        )
    return views


def ids(frame) -> list[str]:
    return frame["event_id_cnty"].tolist()


@pytest.mark.parametrize(("seed", "n_places"), [(0, 3), (1, 3), (2, 12), (3, 12), (4, 40)])
def test_fast_path_equals_plain_filter_and_count(tmp_path: Path, seed: int, n_places: int) -> None:
    """The indexed answers equal a plain filter-and-count on random ranges and categories."""
    record = random_record(tmp_path / "r", 600, seed, n_places)
    index = query.EventIndex(record)
    rng = random.Random(seed)
    for view in random_views(record, rng, 40):
        plain = query.filter_events(record.events, view)
        assert ids(index.events_in(view)) == ids(plain)
        assert ids(index.events_in(view, limit=7)) == ids(plain.head(7))

        totals = index.city_totals(view)
        by_place = plain.groupby("city_id", observed=True)
        expected = pd.DataFrame(
            {cat: plain[plain["category"] == cat].groupby("city_id").size() for cat in CATEGORIES}
        )
        expected = expected.reindex(by_place.size().index).fillna(0).astype(int)
        expected["events"] = by_place.size()
        expected["fatalities"] = by_place["fatalities"].sum().astype(int)
        exact = (plain["time_precision"] == 1) & (plain["geo_precision"] == 1)
        expected["exact"] = exact.groupby(plain["city_id"]).sum()
        got = totals.drop(columns="dominant").sort_index()
        assert got.to_dict("index") == expected.sort_index().to_dict("index")
        assert (
            totals["dominant"].to_dict()
            == query.dominant(expected["protest"], expected["crackdown"]).to_dict()
        )

        head = index.headline(view)
        assert head == query.Headline(
            events=len(plain),
            protest=int((plain["category"] == "protest").sum()),
            crackdown=int((plain["category"] == "crackdown").sum()),
            cities=plain["city_id"].nunique(),
            fatalities=int(plain["fatalities"].fillna(0).sum()),
            events_with_fatalities=int(plain["fatalities"].notna().sum()),
        )

        place = rng.choice(list(record.cities.index))
        assert ids(index.place_events(place, view)) == ids(plain[plain["city_id"] == place])

        chosen = rng.sample(list(record.cities.index), k=min(5, len(record.cities)))
        limits = pd.Series([rng.choice([0, 1, 2, 5, 50]) for _ in chosen], index=chosen)
        first = index.first_events(view, limits)
        expected_first = pd.concat(
            [plain[plain["city_id"] == c].head(int(n)) for c, n in limits.items()]
        ).sort_index()
        assert ids(first) == ids(expected_first)

        key = ["date", "category", "precision"]
        daily = index.daily_counts(view).sort_values(key).reset_index(drop=True)
        expected_daily = charts.daily_counts(plain).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(daily, expected_daily, check_dtype=False)


def test_index_memory_does_not_grow_with_period_times_places(tmp_path: Path) -> None:
    """A long period with many places: the index holds O(events) arrays, no days x places
    table, and still answers like the plain filter."""
    folder = tmp_path / "long"
    record = random_record(folder, 300, seed=7, n_places=60)
    (folder / data.SETTINGS_FILE).write_text(
        json.dumps({"period": ["2012-01-01", "2031-12-31"]}), "utf-8"
    )
    record = data.load_record(folder)
    index = query.EventIndex(record)
    assert index.n_days > 7000
    arrays = [v for v in vars(index).values() if isinstance(v, np.ndarray)]
    assert max(a.size for a in arrays) <= max(len(record.events), index.n_days) + 1
    view = query.View(date(2022, 1, 1), date(2022, 1, 20), ("protest", "crackdown"))
    plain = query.filter_events(record.events, view)
    assert index.headline(view).events == len(plain)
    assert index.city_totals(view)["events"].sum() == len(plain)
