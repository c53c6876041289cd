"""Charts beside the map: events per day with context bands, contested figures, the spread.

Pure: frames in, Vega-Lite specs out (no streamlit). Vega renders chart text as text, not HTML.

Each chart's spec is built with Altair once per record period (``functools.cache``) with named,
empty data; a chart is then a copy of that spec with its frames under ``datasets``. Building an
Altair chart validates it against the Vega-Lite schema, which took most of a rerun's time, so
a slider move only copies a small dict and hands Streamlit the frames.
"""

from __future__ import annotations

import copy
import functools
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from dashboard import i18n
from dashboard.data import CATEGORIES
from dashboard.i18n import tr
from dashboard.text import CATEGORY_COLOURS, PERIOD_COLOURS, category_label, term

Y_AXIS_WIDTH = 120  # both timeline charts share it, so their time axes line up


def _category_scale() -> alt.Scale:
    """Categories by their names on the page (the charts' data carry the names)."""
    return alt.Scale(
        domain=[category_label(c) for c in CATEGORIES],
        range=[CATEGORY_COLOURS[c] for c in CATEGORIES],
    )


def _formats() -> tuple[str, str]:
    """Axis and tooltip date formats: Vega writes month names in English only, so Russian and
    Kazakh charts write dates in figures, as those languages do (05.01, 05.01.2022)."""
    if i18n.current() == "en":
        return "%-d %b", "%-d %b %Y"
    return "%d.%m", "%d.%m.%Y"


def _named(frame: pd.DataFrame, column: str, name: Any) -> pd.DataFrame:
    """``frame`` with ``column``'s values as the page names them (``name``: value -> text)."""
    if frame.empty:
        return frame
    return frame.assign(**{column: frame[column].astype(str).map(name)})


def daily_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events per day, category and precision (``exact``, or ``approximate`` when the date or
    the place is approximate); only combinations that occur. The plain group-by that the app's
    fast ``EventIndex.daily_counts`` is tested against."""
    if events.empty:
        return pd.DataFrame(
            {
                "date": pd.Series(dtype="datetime64[ns]"),
                "category": pd.Series(dtype=str),
                "precision": pd.Series(dtype=str),
                "events": pd.Series(dtype="int64"),
            }
        )
    approximate = (events["time_precision"] > 1) | (events["geo_precision"] > 1)
    keys = [
        events["event_date"].rename("date"),
        events["category"].astype(str).rename("category"),
        approximate.map({True: "approximate", False: "exact"}).rename("precision"),
    ]
    return events.groupby(keys, observed=True).size().rename("events").reset_index()


Spec = dict[str, Any]


def _day_domain(period: tuple[date, date]) -> list[str]:
    return [
        pd.Timestamp(period[0]).isoformat(),
        (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
    ]


def _filled(template: Spec, **datasets: pd.DataFrame) -> Spec:
    """A fresh copy of a cached spec with its named datasets (Streamlit consumes the dict)."""
    spec = copy.deepcopy(template)
    spec["datasets"] = datasets
    return spec


def _period_tooltip() -> list[alt.Tooltip]:
    day = _formats()[1]
    return [
        alt.Tooltip("label:N", title=tr("Period")),
        alt.Tooltip("start:T", format=day, title=tr("start")),
        alt.Tooltip("end:T", format=day, title=tr("end")),
        alt.Tooltip("source:N", title=tr("Sources")),
    ]


@functools.cache
def _timeline_specs(period: tuple[date, date], language: str) -> tuple[Spec, Spec]:
    del language  # part of the cache key: the specs' text is in this run's language
    scale = alt.Scale(domain=_day_domain(period))
    y_axis: dict[str, Any] = {"minExtent": Y_AXIS_WIDTH, "maxExtent": Y_AXIS_WIDTH}
    tick, day = _formats()
    axis = alt.Axis(format=tick, title=None)
    kinds = [term(k) for k in PERIOD_COLOURS]
    kind_scale = alt.Scale(domain=kinds, range=list(PERIOD_COLOURS.values()))
    period_tooltip = _period_tooltip()
    exact, approximate = tr("exact"), tr("approximate")
    blackout = (
        alt.Chart(alt.Data(name="blackout"))
        .mark_rect(opacity=0.12, color=PERIOD_COLOURS["internet blackout"])
        .encode(x=alt.X("start:T", scale=scale, axis=axis), x2="stop:T", tooltip=period_tooltip)
    )
    bars = (
        alt.Chart(alt.Data(name="counts"))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("date:T", scale=scale, axis=axis),
            x2="next:T",
            y=alt.Y("sum(events):Q", title=None, stack="zero", axis=alt.Axis(**y_axis)),
            color=alt.Color(
                "category:N",
                title=None,
                scale=_category_scale(),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            opacity=alt.Opacity(
                "precision:N",
                title=None,
                scale=alt.Scale(domain=[exact, approximate], range=[1.0, 0.4]),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            order=alt.Order("precision:N", sort="descending"),
            tooltip=[
                alt.Tooltip("date:T", format=day, title=tr("date")),
                alt.Tooltip("category:N", title=tr("category")),
                alt.Tooltip("precision:N", title=tr("Date and place")),
                alt.Tooltip("events:Q", title=tr("events")),
            ],
        )
    )
    outline = (
        alt.Chart(alt.Data(name="selected"))
        .mark_rect(fillOpacity=0.04, fill="#000000", stroke="#000000", strokeWidth=1.5)
        .encode(x=alt.X("start:T", scale=scale, axis=axis), x2="stop:T")
    )
    # The day playback is showing: a red rule at the middle of the range's last day.
    showing = (
        alt.Chart(alt.Data(name="showing"))
        .mark_rule(color="#d62728", strokeWidth=2, aria=False)  # the date it names is on the slider
        .encode(x=alt.X("day:T", scale=scale, axis=axis), tooltip=[alt.Tooltip("label:N")])
    )
    top = alt.layer(blackout, bars, outline, showing).properties(height=200, width="container")
    lanes = (
        alt.Chart(alt.Data(name="periods"))
        .mark_bar(opacity=0.4, height=14)
        .encode(
            x=alt.X("start:T", scale=scale, axis=axis),
            x2="stop:T",
            y=alt.Y("kind:N", title=None, sort=kinds, axis=alt.Axis(**y_axis)),
            color=alt.Color("kind:N", scale=kind_scale, legend=None),
            tooltip=period_tooltip,
        )
        .properties(height=alt.Step(22), width="container")
    )
    return top.to_dict(), lanes.to_dict()


def timeline_chart(
    counts: pd.DataFrame,
    periods: pd.DataFrame,
    period: tuple[date, date],
    selected: tuple[date, date],
    showing: date | None = None,
) -> tuple[Spec, Spec]:
    """Two charts on one time axis. Stacked events per day over the whole record, the
    selected range boxed, the internet blackout shaded behind the bars; below, one lane per
    kind of period (blackout, state of emergency, curfew) with every source's dates; the day
    playback is ``showing``, if any, marked. Few events inside a blackout band read as a
    reporting gap, not calm."""
    top, lanes = _timeline_specs(period, i18n.current())
    spans = periods.assign(stop=periods["end"] + pd.Timedelta(days=1))
    blackout = spans[spans["kind"] == "internet blackout"]
    spans = _named(spans, "kind", term)
    counts = _named(_named(counts, "category", category_label), "precision", tr)
    window = pd.DataFrame(
        {
            "start": [pd.Timestamp(selected[0])],
            "stop": [pd.Timestamp(selected[1]) + pd.Timedelta(days=1)],
        }
    )
    return (
        _filled(
            top,
            blackout=blackout,
            counts=counts.assign(next=counts["date"] + pd.Timedelta(days=1)),
            selected=window,
            showing=pd.DataFrame(
                {
                    "day": [pd.Timestamp(showing) + pd.Timedelta(hours=12)] if showing else [],
                    "label": [tr("Showing {day}", day=i18n.day(showing))] if showing else [],
                }
            ),
        ),
        _filled(lanes, periods=spans),
    )


@functools.cache
def _figures_spec(period: tuple[date, date], language: str) -> Spec:
    del language  # part of the cache key: the spec's text is in this run's language
    tick, day = _formats()
    return (
        alt.Chart(alt.Data(name="figures"))
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "as_of:T",
                title=tr("As of"),
                scale=alt.Scale(domain=_day_domain(period)),
                axis=alt.Axis(format=tick),
            ),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("claimant_type:N", title=tr("Claimed by")),
            shape=alt.Shape("label:N", title=tr("Counts")),
            opacity=alt.condition("datum.in_range", alt.value(1.0), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("label:N", title=tr("Counts")),
                alt.Tooltip("value:Q", format=",", title=tr("value")),
                alt.Tooltip("qualifier:N", title=tr("qualifier")),
                alt.Tooltip("place:N", title=tr("Scope")),
                alt.Tooltip("as_of:T", format=day, title=tr("As of")),
                alt.Tooltip("claimed_by:N", title=tr("Claimed by")),
                alt.Tooltip("source:N", title=tr("Reported by")),
            ],
        )
        .properties(height=200, width="container")
        .to_dict()
    )


def figures_chart(figures: pd.DataFrame, period: tuple[date, date]) -> Spec:
    """Claims over time for one kind of figure: one point per claim, coloured by who claimed
    it; claims dated inside the selected range are drawn solid, the rest faded."""
    columns = ["label", "value", "qualifier", "place", "as_of", "claimed_by", "claimant_type"]
    shown = figures[[*columns, "source", "in_range"]]
    shown = _named(_named(shown, "claimant_type", term), "qualifier", term)
    return _filled(_figures_spec(period, i18n.current()), figures=shown.copy())


@functools.cache
def _spread_spec(period: tuple[date, date], language: str) -> Spec:
    del language  # part of the cache key: the spec's text is in this run's language
    tick, day = _formats()
    return (
        alt.Chart(alt.Data(name="first"))
        .mark_circle(size=110)
        .encode(
            x=alt.X(
                "first:T",
                title=tr("First event"),
                scale=alt.Scale(domain=_day_domain(period)),
                axis=alt.Axis(format=tick),
            ),
            y=alt.Y("place:N", sort=alt.EncodingSortField("first", order="ascending"), title=None),
            color=alt.Color("category:N", title=tr("First event was"), scale=_category_scale()),
            tooltip=[
                alt.Tooltip("place:N", title=tr("place")),
                alt.Tooltip("first:T", format=day, title=tr("First event")),
                alt.Tooltip("category:N", title=tr("category")),
                alt.Tooltip("events:Q", title=tr("Events in view")),
            ],
        )
        .properties(width="container")
        .to_dict()
    )


def spread_chart(first: pd.DataFrame, period: tuple[date, date]) -> Spec:
    """Places ordered by the date of their first event: how the unrest spread."""
    first = _named(first, "category", category_label)
    spec = _filled(_spread_spec(period, i18n.current()), first=first)
    spec["height"] = max(160, 18 * len(first))
    return spec
