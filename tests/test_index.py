from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import charts, data
from dashboard.data import CATEGORIES
from dashboard.index import Counts, EventIndex, View, dominant, filter_events
from tests.recordkit import CITIES, event, write_record


@pytest.fixture
def index(record_dir: Path) -> EventIndex:
    return EventIndex(data.load_record(record_dir))


def test_view_rejects_reversed_range_and_unknown_category() -> None:
    with pytest.raises(ValueError, match="after"):
        View(date(2022, 1, 5), date(2022, 1, 4))
    with pytest.raises(ValueError, match="unknown"):
        View(date(2022, 1, 4), date(2022, 1, 5), categories=("riots",))


def test_counts_for_whole_record_and_a_day(index: EventIndex) -> None:
    whole = index.counts(View(*index.record.settings.period))
    assert (whole.events, whole.places, whole.national, whole.fatalities) == (8, 3, 0, 3)
    assert whole.by_category["protest"] == 4 and whole.by_category["crackdown"] == 3
    assert whole.events_with_fatalities == 2
    day = index.counts(View(date(2022, 1, 5), date(2022, 1, 5)))
    assert (day.events, day.by_category["crackdown"], day.places, day.fatalities) == (2, 2, 1, 3)
    empty = index.counts(View(date(2021, 12, 28), date(2022, 1, 1)))
    assert empty == Counts(0, dict.fromkeys(CATEGORIES, 0), 0, 0, 0, 0)


def test_national_measures_count_but_are_no_place(tmp_path: Path) -> None:
    rows = [
        event("N1", "2022-01-05", "almaty", "government response", "Other", ""),
        event("N2", "2022-01-05", "almaty", "protest", "Peaceful protest", ""),
        event("N3", "2022-01-06", "almaty", "crackdown", "Other", ""),
    ]
    rows[0]["scope"] = rows[2]["scope"] = "national"
    write_record(tmp_path, event_rows=rows)
    index = EventIndex(data.load_record(tmp_path))
    view = View(date(2022, 1, 1), date(2022, 1, 31))
    assert index.city_totals(view).loc["almaty", "events"] == 1  # only the local protest
    counts = index.counts(view)
    assert (counts.events, counts.national, counts.places) == (3, 2, 1)
    assert ids(index.national_events(view)) == ["N1", "N3"]
    assert ids(index.place_events("almaty", view)) == ["N2"]


def test_city_totals_and_dominant(index: EventIndex) -> None:
    totals = index.city_totals(View(date(2022, 1, 2), date(2022, 1, 7)))
    assert totals.loc["zhanaozen", ["protest", "crackdown", "events"]].tolist() == [2, 0, 2]
    assert totals.loc["almaty", "dominant"] == "crackdown"  # 1 protest, 2 crackdown, 1 govt
    assert totals.loc["aktau", "dominant"] == "mixed"  # 1 protest, 1 crackdown
    assert totals.loc["almaty", "fatalities"] == 3
    only_govt = index.city_totals(View(date(2022, 1, 6), date(2022, 1, 6)))
    assert only_govt.index.tolist() == ["almaty"] and only_govt.loc["almaty", "dominant"] == "other"
    just_protest = index.city_totals(
        View(date(2022, 1, 2), date(2022, 1, 31), categories=("protest",))
    )
    assert set(just_protest["dominant"]) == {"protest"} and just_protest["events"].sum() == 4


def test_events_in_respects_range_and_categories(index: EventIndex) -> None:
    view = View(date(2022, 1, 3), date(2022, 1, 5), categories=("crackdown",))
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
            scope="national" if rng.random() < 0.15 else "local",
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


def random_views(record: data.Record, rng: random.Random, n: int) -> list[View]:
    """Random ranges (some reaching outside the period, some single days), categories and
    exactness."""
    lo = record.settings.period[0]
    views = []
    for _ in range(n):
        a, b = sorted(rng.randrange(-3, 38) for _ in range(2))
        cats = tuple(c for c in CATEGORIES if rng.random() < 0.7) or ("protest",)
        views.append(View(lo + timedelta(days=a), lo + timedelta(days=b), cats, rng.random() < 0.3))
    return views


def ids(frame) -> list[str]:
    return frame["event_id_cnty"].tolist()


@pytest.mark.parametrize(("seed", "n_places"), [(0, 3), (1, 3), (2, 12), (3, 12), (4, 40)])
def test_fast_path_equals_plain_filter_and_count(tmp_path: Path, seed: int, n_places: int) -> None:
    """The indexed answers equal a plain filter-and-count on random ranges and categories."""
    record = random_record(tmp_path / "r", 600, seed, n_places)
    index = EventIndex(record)
    rng = random.Random(seed)
    for view in random_views(record, rng, 40):
        plain = filter_events(record.events, view)
        assert ids(index.events_in(view)) == ids(plain)
        assert ids(index.events_in(view, limit=7)) == ids(plain.head(7))

        local = plain[plain["scope"] != "national"]
        totals = index.city_totals(view)
        by_place = local.groupby("city_id", observed=True)
        expected = pd.DataFrame(
            {cat: local[local["category"] == cat].groupby("city_id").size() for cat in CATEGORIES}
        )
        expected = expected.reindex(by_place.size().index).fillna(0).astype(int)
        expected["events"] = by_place.size()
        expected["fatalities"] = by_place["fatalities"].sum().astype(int)
        exact = (local["time_precision"] == 1) & (local["geo_precision"] == 1)
        expected["exact"] = exact.groupby(local["city_id"]).sum()
        got = totals.drop(columns="dominant").sort_index()
        assert got.to_dict("index") == expected.sort_index().to_dict("index")
        assert totals["dominant"].to_dict() == dominant(expected).to_dict()

        counts = index.counts(view)
        assert counts == Counts(
            events=len(plain),
            by_category={c: int((plain["category"] == c).sum()) for c in CATEGORIES},
            national=len(plain) - len(local),
            places=local["city_id"].nunique(),
            fatalities=int(plain["fatalities"].fillna(0).sum()),
            events_with_fatalities=int(plain["fatalities"].notna().sum()),
        )
        assert ids(index.national_events(view)) == ids(plain[plain["scope"] == "national"])

        place = rng.choice(list(record.cities.index))
        assert ids(index.place_events(place, view)) == ids(local[local["city_id"] == place])

        chosen = rng.sample(list(record.cities.index), k=min(5, len(record.cities)))
        limits = pd.Series([rng.choice([0, 1, 2, 5, 50]) for _ in chosen], index=chosen)
        first = index.first_events(view, limits)
        expected_first = pd.concat(
            [local[local["city_id"] == c].head(int(n)) for c, n in limits.items()]
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
    index = EventIndex(record)
    assert index.n_days > 7000
    arrays = [v for v in vars(index).values() if isinstance(v, np.ndarray)]
    assert max(a.size for a in arrays) <= max(len(record.events), index.n_days) + 1
    view = View(date(2022, 1, 1), date(2022, 1, 20), ("protest", "crackdown"))
    plain = filter_events(record.events, view)
    assert index.counts(view).events == len(plain)
    local = plain[plain["scope"] != "national"]
    assert index.city_totals(view)["events"].sum() == len(local)


@pytest.fixture(scope="module")
def random_index(tmp_path_factory: pytest.TempPathFactory) -> EventIndex:
    return EventIndex(random_record(tmp_path_factory.mktemp("prop") / "r", 400, 11, 12))


DAY = st.integers(min_value=-3, max_value=37)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=DAY, b=DAY, cats=st.sets(st.sampled_from(CATEGORIES), min_size=1), exact=st.booleans())
def test_any_view_is_answered_as_the_plain_filter_answers_it(random_index, a, b, cats, exact):
    index = random_index
    lo = index.record.settings.period[0]
    start, end = sorted((a, b))
    categories = tuple(c for c in CATEGORIES if c in cats)
    view = View(lo + timedelta(days=start), lo + timedelta(days=end), categories, exact)
    plain = filter_events(index.record.events, view)
    local = plain[plain["scope"] != "national"]
    assert ids(index.events_in(view)) == ids(plain)
    assert index.counts(view).events == len(plain)
    assert index.counts(view).national == len(plain) - len(local)
    totals = index.city_totals(view)
    assert totals["events"].to_dict() == local.groupby("city_id").size().to_dict()
