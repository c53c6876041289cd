"""Charts beside the map: events per day with context bands, contested figures, the spread.

Pure: frames in, Altair specs out (no streamlit). Vega renders chart text as text, not HTML.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from dashboard.data import CATEGORIES, Record

CATEGORY_COLOURS: dict[str, str] = {
    "protest": "#e66100",
    "crackdown": "#5d3a9b",
    "government response": "#1b7837",
    "context": "#999999",
}
PERIOD_COLOURS: dict[str, str] = {
    "internet blackout": "#d73027",
    "state of emergency": "#fdae61",
    "curfew": "#4575b4",
}


def _category_scale() -> alt.Scale:
    return alt.Scale(domain=list(CATEGORIES), range=[CATEGORY_COLOURS[c] for c in CATEGORIES])


def daily_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events per day and category (only days and categories that have events)."""
    if events.empty:
        return pd.DataFrame(
            {"date": pd.Series(dtype="datetime64[ns]"), "category": [], "events": []}
        )
    counts = (
        events.groupby(["event_date", events["category"].astype(str)], observed=True)
        .size()
        .rename("events")
        .reset_index()
        .rename(columns={"event_date": "date"})
    )
    return counts


def timeline_chart(
    counts: pd.DataFrame,
    periods: pd.DataFrame,
    period: tuple[date, date],
    selected: tuple[date, date],
) -> alt.LayerChart:
    """Stacked events per day over the whole record; context periods as shaded bands, the
    selected range outlined. Few events inside a blackout band read as a reporting gap."""
    domain = [
        pd.Timestamp(period[0]).isoformat(),
        (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
    ]
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=domain), axis=alt.Axis(format="%-d %b"))
    layers: list[alt.Chart] = []
    if len(periods):
        bands = periods.assign(
            start=periods["start"], stop=periods["end"] + pd.Timedelta(days=1), y=0
        )
        layers.append(
            alt.Chart(bands)
            .mark_rect(opacity=0.18)
            .encode(
                x=alt.X("start:T", scale=alt.Scale(domain=domain)),
                x2="stop:T",
                color=alt.Color(
                    "kind:N",
                    title="Period",
                    scale=alt.Scale(
                        domain=list(PERIOD_COLOURS), range=list(PERIOD_COLOURS.values())
                    ),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Period"),
                    alt.Tooltip("start:T", format="%-d %b %Y"),
                    alt.Tooltip("end:T", format="%-d %b %Y"),
                    alt.Tooltip("source:N", title="Sources"),
                ],
            )
        )
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(events):Q", title="Events per day", stack="zero"),
            color=alt.Color("category:N", title="Category", scale=_category_scale()),
            tooltip=[
                alt.Tooltip("date:T", format="%-d %b %Y"),
                alt.Tooltip("category:N"),
                alt.Tooltip("events:Q"),
            ],
        )
    )
    window = pd.DataFrame(
        {
            "start": [pd.Timestamp(selected[0])],
            "stop": [pd.Timestamp(selected[1]) + pd.Timedelta(days=1)],
        }
    )
    outline = (
        alt.Chart(window)
        .mark_rect(fillOpacity=0, stroke="#000000", strokeWidth=1.5, strokeDash=[4, 2])
        .encode(x=alt.X("start:T", scale=alt.Scale(domain=domain)), x2="stop:T")
    )
    return (
        alt.layer(*layers, bars, outline).resolve_scale(color="independent").properties(height=220)
    )


def period_frame(record: Record) -> pd.DataFrame:
    """Context periods with their sources' outlets, for bands and lists."""
    periods = record.periods
    if periods.empty:
        return periods.assign(source="")
    return periods.assign(source=periods["source_ids"].map(lambda ids: outlets(record, ids)))


def outlets(record: Record, source_ids: str) -> str:
    """Outlet names for ``;``-separated source ids."""
    names = [
        record.sources.loc[s, "outlet"]
        for s in (i.strip() for i in str(source_ids).split(";"))
        if s in record.sources.index
    ]
    return "; ".join(dict.fromkeys(names))


def figure_frame(record: Record, selected: tuple[date, date]) -> pd.DataFrame:
    """figures.csv with source outlets, the place's name and an in-selected-range flag."""
    figures = record.figures
    if figures.empty:
        return figures.assign(source="", place="", in_range=False)
    lo, hi = pd.Timestamp(selected[0]), pd.Timestamp(selected[1])
    names = record.cities["name"]
    return figures.assign(
        source=figures["source_ids"].map(lambda ids: outlets(record, ids)),
        place=figures["scope"].map(lambda s: "national" if s == "national" else names.get(s, s)),
        in_range=figures["as_of"].between(lo, hi),
    )


def figures_chart(figures: pd.DataFrame, period: tuple[date, date]) -> alt.Chart:
    """Claims over time for one kind of figure: one point per claim, coloured by who claimed
    it; claims dated inside the selected range are drawn solid, the rest faded."""
    domain = [
        pd.Timestamp(period[0]).isoformat(),
        (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
    ]
    return (
        alt.Chart(figures)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "as_of:T",
                title="As of",
                scale=alt.Scale(domain=domain),
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
        .properties(height=200)
    )


def first_events(events: pd.DataFrame, record: Record) -> pd.DataFrame:
    """When each place first joined: its first event date and that event's category."""
    if events.empty:
        return pd.DataFrame(columns=["place", "first", "category", "events"])
    first = events.drop_duplicates("city_id", keep="first")
    sizes = events.groupby("city_id").size()
    return pd.DataFrame(
        {
            "place": first["city_id"].map(record.cities["name"]).to_numpy(),
            "first": first["event_date"].to_numpy(),
            "category": first["category"].astype(str).to_numpy(),
            "events": first["city_id"].map(sizes).to_numpy(),
        }
    )


def spread_chart(first: pd.DataFrame, period: tuple[date, date]) -> alt.Chart:
    """Places ordered by the date of their first event: how the unrest spread."""
    domain = [
        pd.Timestamp(period[0]).isoformat(),
        (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
    ]
    height = max(160, 18 * len(first))
    return (
        alt.Chart(first)
        .mark_circle(size=110)
        .encode(
            x=alt.X(
                "first:T",
                title="First event",
                scale=alt.Scale(domain=domain),
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
        .properties(height=height)
    )
