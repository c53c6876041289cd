from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import data, viewstate
from dashboard.data import CATEGORIES


@pytest.fixture
def record(record_dir: Path) -> data.Record:
    return data.load_record(record_dir)


def parse(record: data.Record, **params: str | list[str]) -> viewstate.ParsedLink:
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    return viewstate.decode(as_lists, record)


def test_empty_link_is_the_default_view(record: data.Record) -> None:
    parsed = parse(record)
    assert parsed.notices == []
    assert parsed.state == viewstate.ViewState(viewstate.View(*record.settings.period))


def test_round_trip(record: data.Record) -> None:
    state = viewstate.ViewState(
        viewstate.View(
            date(2022, 1, 4), date(2022, 1, 6), ("crackdown", "government response"), True
        ),
        place="almaty",
        event="T5",
        center=(43.25, 76.9),
        zoom=9.25,
        panel="Figures",
    )
    params = viewstate.encode(state)
    assert params["panel"] == "figures"
    assert params["cat"] == "crackdown,government-response"
    parsed = parse(record, **params)
    assert parsed.notices == [] and parsed.state == state


BAD_LINKS = [
    ({"from": "yesterday"}, "not a date", {"start": date(2021, 12, 28)}),
    ({"to": "2022-13-45"}, "not a date", {"end": date(2022, 1, 31)}),
    ({"from": "2022-01-09", "to": "2022-01-04"}, "reversed", {"start": date(2022, 1, 4)}),
    ({"from": "1999-01-01"}, "outside the record", {"start": date(2021, 12, 28)}),
    ({"to": "2030-01-01"}, "outside the record", {"end": date(2022, 1, 31)}),
    ({"cat": "riots"}, "Unknown categories", {"categories": CATEGORIES}),
    ({"cat": "protest,<b>x</b>"}, "Unknown categories", {"categories": ("protest", "riot")}),
    ({"v": "2", "cat": "protest,<b>x</b>"}, "Unknown categories", {"categories": ("protest",)}),
    ({"city": "atlantis"}, "not in the record", {"city": None}),
    ({"event": "NOPE"}, "not in the record", {"event": None}),
    ({"from": ["2022-01-03", "2022-01-05"]}, "2 times", {"start": date(2022, 1, 3)}),
    ({"city": "a" * 10_000}, "longer than", {"city": None}),
    ({"lat": "91x", "lon": "70"}, "not a number", {"center": None}),
    ({"lat": "48"}, "needs both", {"center": None}),
    ({"lat": "-80", "lon": "10"}, "far outside", {"center": None}),
    ({"z": "99"}, "changed to 14", {"zoom": 14}),
    ({"z": "nan"}, "not a number", {"zoom": None}),
    ({"exact": "yes"}, "not 0 or 1", {"exact_only": False}),
    ({"panel": "<script>"}, "is not one of timeline, figures, spread", {"panel": "Timeline"}),
    ({"panel": ["spread", "figures"]}, "2 times", {"panel": "Spread"}),
    ({"utm_source": "x", "evil": "1"}, "Unknown link parts", {}),
    # a 10 kB query string: 800 unknown parts beside a good one, or one part 700 times
    (
        {**{f"utm_{i}": "x" * 8 for i in range(800)}, "from": "2022-01-05"},
        "and 795 more",
        {"start": date(2022, 1, 5)},
    ),
    ({"to": ["2022-01-06"] * 700}, "700 times", {"end": date(2022, 1, 6)}),
]


@pytest.mark.parametrize(("params", "needle", "expect"), BAD_LINKS)
def test_bad_links_give_nearest_valid_view_and_a_notice(record, params, needle, expect) -> None:
    parsed = parse(record, **params)
    assert any(needle in n for n in parsed.notices), parsed.notices
    state = parsed.state
    got = {
        "start": state.view.start,
        "end": state.view.end,
        "categories": state.view.categories,
        "exact_only": state.view.exact_only,
        "city": state.place,
        "event": state.event,
        "center": state.center,
        "zoom": state.zoom,
        "panel": state.panel,
    }
    for key, value in expect.items():
        assert got[key] == value
    lo, hi = record.settings.period
    assert lo <= state.view.start <= state.view.end <= hi


def test_links_from_before_riots_had_a_category_still_show_them(record) -> None:
    """Before link version 2, riots were counted as protest: an old link that shows protest
    shows riots too; a new one means exactly what it names."""
    assert parse(record, cat="protest").state.view.categories == ("protest", "riot")
    assert parse(record, cat="crackdown").state.view.categories == ("crackdown",)
    assert parse(record, v="2", cat="protest").state.view.categories == ("protest",)


DAYS = st.dates(min_value=date(2021, 12, 28), max_value=date(2022, 1, 31))


@st.composite
def view_states(draw: st.DrawFn) -> viewstate.ViewState:
    start, end = sorted([draw(DAYS), draw(DAYS)])
    categories = tuple(c for c in CATEGORIES if draw(st.booleans())) or ("context",)
    center = draw(
        st.none()
        | st.tuples(
            st.floats(38, 58).map(lambda v: round(v, 4)),
            st.floats(44, 90).map(lambda v: round(v, 4)),
        )
    )
    return viewstate.ViewState(
        viewstate.View(start, end, categories, draw(st.booleans())),
        place=draw(st.sampled_from([None, "almaty", "aktau", "zhanaozen"])),
        event=draw(st.sampled_from([None, "T1", "T5"])),
        center=center,
        zoom=draw(st.none() | st.floats(3, 14).map(lambda v: round(v, 2))),
        panel=draw(st.sampled_from(viewstate.PANELS)),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=view_states())
def test_every_state_survives_its_link(record, state) -> None:
    params = viewstate.encode(state)
    decoded = viewstate.decode({k: [v] for k, v in params.items()}, record)
    assert decoded.notices == [] and decoded.state == state


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from([*viewstate.KEYS, "x", ""]) | st.text(max_size=5),
        st.lists(st.text(max_size=30), min_size=1, max_size=3),
        max_size=8,
    )
)
def test_any_link_gives_a_valid_state(record, params) -> None:
    decoded = viewstate.decode(params, record)
    state = decoded.state
    lo, hi = record.settings.period
    assert lo <= state.view.start <= state.view.end <= hi
    assert state.place is None or state.place in record.cities.index
    assert state.panel in viewstate.PANELS
    again = viewstate.decode({k: [v] for k, v in viewstate.encode(state).items()}, record)
    assert again.state == state
