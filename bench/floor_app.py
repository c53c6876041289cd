"""The benchmark's floor: the smallest page this stack serves with a map, to measure Qantar
Map's first view against (``bench/run.py`` prints the ratio).

Not part of Qantar Map: a title, a range slider and a constant folium map with 20 circles in
``st_folium``, nothing read from disk. The map loads folium's scripts from its CDN links, which the
benchmark's browser serves from the vendored copies (tests/e2e/harness.py, ``route_offline``),
as it does for Qantar Map. Run: ``streamlit run bench/floor_app.py``.
"""

from __future__ import annotations

from datetime import date

import folium
import streamlit as st
from streamlit_folium import st_folium

CIRCLES = [(43.0 + (i % 5) * 2.0, 52.0 + (i // 5) * 6.0) for i in range(20)]

st.set_page_config(page_title="Floor page", layout="wide")
st.title("Floor page")
lo, hi = date(2021, 12, 28), date(2022, 1, 31)
st.slider("Dates", min_value=lo, max_value=hi, value=(lo, hi), format="D MMM YYYY")
fmap = folium.Map(location=[48.0, 67.0], zoom_start=5, tiles="OpenStreetMap")
for lat, lon in CIRCLES:
    # the class the benchmark finds circles by (as Qantar Map's)
    folium.CircleMarker([lat, lon], radius=8, fill=True, class_name="qm-city").add_to(fmap)
st_folium(fmap, height=600, use_container_width=True, returned_objects=[])
