"""The benchmark's baseline: a typical Streamlit + folium app, one marker per event.

Not part of Qantar Map. It is written the way most tutorials do it: read the CSV (cached), a
date-range slider, filter, then a fresh ``folium.Map`` with one ``CircleMarker`` (with a popup and
a tooltip) per event, handed to ``st_folium`` as a whole (no ``feature_group_to_add``), so every
slider move rebuilds and resends the whole map. Popups show the data as given (no escaping): the
benchmark's records are synthetic. Run: ``QANTAR_DATA_DIR=... streamlit run bench/naive_app.py``.
"""

from __future__ import annotations

import os

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

COLOURS = {
    "protest": "#e66100",
    "crackdown": "#5d3a9b",
    "government response": "#b2abd2",
    "context": "#7f7f7f",
}


@st.cache_data
def load(path: str) -> pd.DataFrame:
    return pd.read_csv(os.path.join(path, "events.csv"), parse_dates=["event_date"])


st.set_page_config(page_title="Events map (one marker per event)", layout="wide")
st.title("Events map")
df = load(os.environ["QANTAR_DATA_DIR"])
lo, hi = df["event_date"].min().date(), df["event_date"].max().date()
start, end = st.slider("Dates", min_value=lo, max_value=hi, value=(lo, hi), format="D MMM YYYY")
shown = df[(df["event_date"].dt.date >= start) & (df["event_date"].dt.date <= end)]
st.metric("Events", len(shown))

m = folium.Map(location=[48.0, 67.0], zoom_start=5)
for _, row in shown.iterrows():
    folium.CircleMarker(
        location=[row["latitude"], row["longitude"]],
        radius=5,
        color=COLOURS.get(row["category"], "#333333"),
        fill=True,
        popup=folium.Popup(
            f"<b>{row['event_date']:%Y-%m-%d}</b> {row['sub_event_type']}<br>{row['notes']}",
            max_width=300,
        ),
        tooltip=row["location"],
        class_name="qm-city",  # the class the benchmark finds circles by (as Qantar Map's)
    ).add_to(m)
st_folium(m, height=520, use_container_width=True)
