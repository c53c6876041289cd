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

from dashboard.data import CATEGORIES
from dashboard.text import CATEGORY_COLOURS, PERIOD_COLOURS

Y_AXIS_WIDTH = 120  # both timeline charts share it, so their time axes line up


def _category_scale() -> alt.Scale:
    return alt.Scale(domain=list(CATEGORIES), range=[CATEGORY_COLOURS[c] for c in CATEGORIES])


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


_PERIOD_TOOLTIP = [
    alt.Tooltip("label:N", title="Period"),
    alt.Tooltip("start:T", format="%-d %b %Y"),
    alt.Tooltip("end:T", format="%-d %b %Y"),
    alt.Tooltip("source:N", title="Sources"),
]


@functools.cache
def _timeline_specs(period: tuple[date, date]) -> tuple[Spec, Spec]:
    scale = alt.Scale(domain=_day_domain(period))
    y_axis: dict[str, Any] = {"minExtent": Y_AXIS_WIDTH, "maxExtent": Y_AXIS_WIDTH}
    axis = alt.Axis(format="%-d %b", title=None)
    kind_scale = alt.Scale(domain=list(PERIOD_COLOURS), range=list(PERIOD_COLOURS.values()))
    blackout = (
        alt.Chart(alt.Data(name="blackout"))
        .mark_rect(opacity=0.12, color=PERIOD_COLOURS["internet blackout"])
        .encode(x=alt.X("start:T", scale=scale, axis=axis), x2="stop:T", tooltip=_PERIOD_TOOLTIP)
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
                scale=alt.Scale(domain=["exact", "approximate"], range=[1.0, 0.4]),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            order=alt.Order("precision:N", sort="descending"),
            tooltip=[
                alt.Tooltip("date:T", format="%-d %b %Y"),
                alt.Tooltip("category:N"),
                alt.Tooltip("precision:N", title="Date and place"),
                alt.Tooltip("events:Q"),
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
            y=alt.Y("kind:N", title=None, sort=list(PERIOD_COLOURS), axis=alt.Axis(**y_axis)),
            color=alt.Color("kind:N", scale=kind_scale, legend=None),
            tooltip=_PERIOD_TOOLTIP,
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
    top, lanes = _timeline_specs(period)
    spans = periods.assign(stop=periods["end"] + pd.Timedelta(days=1))
    window = pd.DataFrame(
        {
            "start": [pd.Timestamp(selected[0])],
            "stop": [pd.Timestamp(selected[1]) + pd.Timedelta(days=1)],
        }
    )
    return (
        _filled(
            top,
            blackout=spans[spans["kind"] == "internet blackout"],
            counts=counts.assign(next=counts["date"] + pd.Timedelta(days=1)),
            selected=window,
            showing=pd.DataFrame(
                {
                    "day": [pd.Timestamp(showing) + pd.Timedelta(hours=12)] if showing else [],
                    "label": [f"Showing {showing:%-d %b %Y}"] if showing else [],
                }
            ),
        ),
        _filled(lanes, periods=spans),
    )


@functools.cache
def _figures_spec(period: tuple[date, date]) -> Spec:
    return (
        alt.Chart(alt.Data(name="figures"))
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "as_of:T",
                title="As of",
                scale=alt.Scale(domain=_day_domain(period)),
                axis=alt.Axis(format="%-d %b"),
            ),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("claimant_type:N", title="Claimed by"),
            shape=alt.Shape("label:N", title="Counts"),
            opacity=alt.condition("datum.in_range", alt.value(1.0), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("label:N", title="Counts"),
                alt.Tooltip("value:Q", format=","),
                alt.Tooltip("qualifier:N"),
                alt.Tooltip("place:N", title="Scope"),
                alt.Tooltip("as_of:T", format="%-d %b %Y", title="As of"),
                alt.Tooltip("claimed_by:N", title="Claimed by"),
                alt.Tooltip("source:N", title="Reported by"),
            ],
        )
        .properties(height=200, width="container")
        .to_dict()
    )


def figures_chart(figures: pd.DataFrame, period: tuple[date, date]) -> Spec:
    """Claims over time for one kind of figure: one point per claim, coloured by who claimed
    it; claims dated inside the selected range are drawn solid, the rest faded."""
    columns = ["label", "value", "qualifier", "place", "as_of", "claimed_by", "claimant_type"]
    return _filled(_figures_spec(period), figures=figures[[*columns, "source", "in_range"]].copy())


@functools.cache
def _spread_spec(period: tuple[date, date]) -> Spec:
    return (
        alt.Chart(alt.Data(name="first"))
        .mark_circle(size=110)
        .encode(
            x=alt.X(
                "first:T",
                title="First event",
                scale=alt.Scale(domain=_day_domain(period)),
                axis=alt.Axis(format="%-d %b"),
            ),
            y=alt.Y("place:N", sort=alt.EncodingSortField("first", order="ascending"), title=None),
            color=alt.Color("category:N", title="First event was", scale=_category_scale()),
            tooltip=[
                alt.Tooltip("place:N"),
                alt.Tooltip("first:T", format="%-d %b %Y", title="First event"),
                alt.Tooltip("category:N"),
                alt.Tooltip("events:Q", title="Events in view"),
            ],
        )
        .properties(width="container")
        .to_dict()
    )


def spread_chart(first: pd.DataFrame, period: tuple[date, date]) -> Spec:
    """Places ordered by the date of their first event: how the unrest spread."""
    spec = _filled(_spread_spec(period), first=first)
    spec["height"] = max(160, 18 * len(first))
    return spec
