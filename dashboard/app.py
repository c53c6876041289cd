"""Streamlit entry point: layout and wiring only. Run with ``streamlit run dashboard/app.py``."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ (not the repo) on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from dashboard import data, mapview, query  # noqa: E402

TABLE_LIMIT = 500

st.set_page_config(
    page_title="Qantar Map: the January 2022 unrest in Kazakhstan",
    page_icon="🗺️",
    layout="wide",
    menu_items={
        "About": "Qantar Map: an open, sourced map of the January 2022 unrest in Kazakhstan."
    },
)


@st.cache_resource(max_entries=4, show_spinner="Loading the record…")
def load(data_dir: str, _stamp: tuple) -> tuple[query.EventIndex | None, list[data.Problem]]:
    """Load and index a record once for all sessions; reloads when a file changes (stamp)."""
    record, problems = data.validate(Path(data_dir))
    return (query.EventIndex(record) if record else None), problems


def show_problems(problems: list[data.Problem]) -> None:
    table = pd.DataFrame(
        [(p.severity, p.file, p.row, p.field, p.message) for p in problems],
        columns=["severity", "file", "row", "field", "problem"],
    )
    st.dataframe(table, hide_index=True, width="stretch")


data_dir = data.data_dir_from_env()
index, problems = load(str(data_dir), data.fingerprint(data_dir))

st.title("Qantar Map")
if index is None:
    st.error("The record could not be loaded. Fix these problems and reload the page:")
    st.text(f"Record folder: {data_dir}")
    show_problems(problems)
    st.stop()

record = index.record
st.caption(
    f"{record.settings.title}: where and when protests and the crackdown happened, "
    "with the sources for every event."
)
errors = [p for p in problems if p.severity == "error"]
if problems:
    label = (
        f"{len(errors)} problem(s) in the record: the rows concerned are left out"
        if errors
        else f"{len(problems)} warning(s) about the record files"
    )
    with st.expander(label, icon="⚠️", expanded=bool(errors)):
        show_problems(problems)

lo, hi = record.settings.period
start, end = st.slider(
    "Dates",
    min_value=lo,
    max_value=hi,
    value=(lo, hi),
    format="D MMM YYYY",
    key="range",
    help="Drag the handles, or focus one and use the arrow keys (one day per step).",
)
view = query.View(start=start, end=end)
headline = index.headline(view)
totals = index.city_totals(view)
events = index.events_in(view)

cols = st.columns(5)
cols[0].metric("Events", headline.events)
cols[1].metric("Protest events", headline.protest)
cols[2].metric("Crackdown events", headline.crackdown)
cols[3].metric("Places affected", headline.cities)
cols[4].metric(
    "Reported deaths (lowest figure)",
    headline.fatalities,
    help=(
        "ACLED's rule: where reports conflict, an event carries the lowest reported figure. "
        f"Only {headline.events_with_fatalities} events in this range have a reported figure; "
        "higher and national tolls are kept with their sources in the record's figures."
    ),
)

st_folium(
    mapview.base_map(),
    feature_group_to_add=mapview.city_layer(record, totals, events),
    key="map",
    returned_objects=[],
    height=560,
    use_container_width=True,
)
st.markdown(
    " &nbsp; ".join(
        f"<span style='color:{colour}'>●</span> {label}" for colour, label in mapview.legend_items()
    )
    + " &nbsp; Circle size: number of events. Dashed outline: date or place approximate.",
    unsafe_allow_html=True,
)

st.subheader(f"Events, {start:%-d %b %Y} to {end:%-d %b %Y}")
table = events.head(TABLE_LIMIT)
st.dataframe(
    pd.DataFrame(
        {
            "date": table["event_date"].dt.date,
            "place": table["location"],
            "category": table["category"].astype(str),
            "type": table["sub_event_type"],
            "description": table["notes"],
            "sources": table["source"],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"date": st.column_config.DateColumn(format="D MMM YYYY")},
)
if len(events) > TABLE_LIMIT:
    st.caption(f"Showing the first {TABLE_LIMIT} of {len(events)} events in this range.")
st.caption(f"Record version {record.version} · {len(record.sources)} sources")
