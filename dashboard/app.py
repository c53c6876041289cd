"""Streamlit entry point: layout and wiring only. Run with ``streamlit run dashboard/app.py``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

# `streamlit run dashboard/app.py` puts dashboard/ (not the repo) on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.logger import get_logger  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from dashboard import (  # noqa: E402
    assets,
    charts,
    data,
    export,
    links,
    mapview,
    places,
    query,
    record_cache,
)
from dashboard.data import CATEGORIES  # noqa: E402

TABLE_LIMIT = 500
READ_ATTEMPTS = 3

log = get_logger(__name__)

st.set_page_config(
    page_title="Qantar Map: the January 2022 unrest in Kazakhstan, mapped with sources",
    page_icon="🗺️",
    layout="wide",
    menu_items={
        "About": "Qantar Map: an open, sourced map of the January 2022 unrest in Kazakhstan."
    },
)


@st.cache_resource(max_entries=4, show_spinner="Loading the record…")
def load(data_dir: str, stamp: tuple) -> tuple[query.EventIndex | None, list[data.Problem]]:
    """Load and index a record once for all sessions; reloads when a file changes (``stamp``,
    the files' fingerprint, is part of the cache key). Files that change while they are read
    (a copy still being written) are read again, and given up on after READ_ATTEMPTS."""
    folder = Path(data_dir)
    for _ in range(READ_ATTEMPTS):
        before = data.fingerprint(folder)
        record, problems = record_cache.validate(folder)
        if data.fingerprint(folder) == before:
            break
    else:
        record = None
        problems.append(
            data.Problem(folder.name, None, None, "the files kept changing while they were read")
        )
    log.info(
        "loaded the record in %s: version %s, %s events, %d problems",
        data_dir,
        record.version if record else "(none)",
        len(record.events) if record else 0,
        len(problems),
    )
    return (query.EventIndex(record) if record else None), problems


@st.cache_resource
def served_records() -> dict[str, query.EventIndex]:
    """Per record folder, the last version that loaded without errors (shared by all sessions)."""
    return {}


def choose_record(
    data_dir: str, index: query.EventIndex | None, problems: list[data.Problem]
) -> tuple[query.EventIndex | None, list[data.Problem], list[data.Problem]]:
    """The record to serve, its problems, and the problems of newer files that were rejected.

    A version that loads without errors replaces the one served. One that cannot be loaded or
    has errors (files half-written, or invalid) is served only if no good version has been
    served since this server started; otherwise every session keeps the last good version, whole.
    """
    served = served_records()
    if index is not None and not any(p.severity == "error" for p in problems):
        served[data_dir] = index
        return index, problems, []
    good = served.get(data_dir)
    if good is None or (index is not None and index.record.version == good.record.version):
        return index, problems, []
    return good, list(good.record.problems), problems


def show_problems(problems: list[data.Problem]) -> None:
    table = pd.DataFrame(
        [(p.severity, p.file, p.row, p.field, p.message) for p in problems],
        columns=["severity", "file", "row", "field", "problem"],
    )
    st.dataframe(table, hide_index=True, width="stretch")


def apply_link(record: data.Record) -> None:
    """Once per session (and per record version): restore the view the page's link asks for."""
    if st.session_state.get("link_version") == record.version:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    parsed = links.parse_link(params, record)
    state = parsed.state
    st.session_state.update(
        range=(state.view.start, state.view.end),
        categories=list(state.view.categories),
        exact=state.view.exact_only,
        place=state.city or "",
        event=state.event,
        map_center=state.center,
        map_zoom=state.zoom,
        panel=state.panel,
        link_notices=parsed.notices,
        link_version=record.version,
    )


def select_clicked_place() -> None:
    """Map click -> selected place (runs before the rerun, so the selectbox can follow).

    A click reports the clicked point and the circle's tooltip text: area circles (several
    small places summed) select nothing; a place's circle selects the place nearest the point.
    """
    state = st.session_state.get("map") or {}
    clicked = state.get("last_object_clicked")
    tooltip = state.get("last_object_clicked_tooltip") or ""
    if not clicked or not {"lat", "lng"} <= clicked.keys() or mapview.AREA_TOOLTIP in tooltip:
        return
    cities = index.record.cities
    distance = (cities["lat"] - clicked["lat"]) ** 2 + (cities["lon"] - clicked["lng"]) ** 2
    st.session_state["place"] = str(distance.idxmin())
    st.session_state["popup_open"] = True


def select_table_event() -> None:
    rows = st.session_state["event_table"].selection.rows
    if rows:
        st.session_state["event"] = st.session_state["table_ids"][rows[0]]


def event_frame(events: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": events["event_date"].dt.date,
            "place": events["location"],
            "category": events["category"].astype(str),
            "type": events["sub_event_type"],
            "description": events["notes"],
            "sources": events["source"],
            "precision": precision_text(events),
        }
    )


def precision_text(events: pd.DataFrame) -> pd.Series:
    date_approx = events["time_precision"].gt(1).map({True: "date approximate", False: ""})
    place_approx = events["geo_precision"].gt(1).map({True: "place approximate", False: ""})
    return (date_approx + ", " + place_approx).str.strip(", ").replace("", "exact")


@st.cache_data(max_entries=64, show_spinner=False)
def daily_counts(version: str, categories: tuple[str, ...], exact_only: bool) -> pd.DataFrame:
    """Events per day for the whole record under the current filters (cached per record)."""
    del version  # part of the cache key only
    lo, hi = index.record.settings.period
    return index.daily_counts(query.View(lo, hi, categories, exact_only))


@st.cache_data(max_entries=4, show_spinner=False)
def map_labels(version: str) -> list[tuple[str, float, float]]:
    """The places the map names when its tiles do not load (cached per record)."""
    del version  # part of the cache key only
    return mapview.label_places(index.record)


@st.cache_data(max_entries=4, show_spinner=False)
def place_options(version: str) -> dict[str, str]:
    """The place picker's options, "" (all places) first, then places by name, each with the
    label it is found by (every spelling; cached per record)."""
    del version  # part of the cache key only
    cities = index.record.cities.sort_values("name", kind="stable")
    return {"": "All places"} | {
        str(city_id): places.label(place) for city_id, place in cities.iterrows()
    }


def figure_table(figures: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "in range": figures["in_range"].map({True: "●", False: ""}),
            "counts": figures["label"],
            "value": figures["value"],
            "up to": figures["value_max"],
            "qualifier": figures["qualifier"],
            "scope": figures["place"],
            "as of": figures["as_of"].dt.date,
            "claimed by": figures["claimed_by"],
            "reported by": figures["source"],
        }
    )


def format_category(category: str) -> str:
    return "Gov. response" if category == "government response" else category.capitalize()


# --------------------------------------------------------------------------- load

data_dir = data.data_dir_from_env()
index, problems, rejected = choose_record(
    str(data_dir), *load(str(data_dir), data.fingerprint(data_dir))
)

st.title("Qantar Map")
if index is None:
    st.error("The record could not be loaded. Fix these problems and reload the page:")
    st.text(f"Record folder: {data_dir}")
    show_problems(problems)
    st.stop()

record = index.record
apply_link(record)
st.caption(
    f"{mapview.escape_markdown(record.settings.title)}: where and when protests and the "
    "crackdown happened, with the sources for every event."
)
if rejected:
    with st.container(border=True):
        st.warning(
            "The record files have changed, but the new files failed validation, so this page "
            f"still shows the last good version ({record.version}). Problems in the new files:"
        )
        show_problems(rejected)
if st.session_state["link_notices"]:
    with st.container(border=True):
        st.warning("Parts of the link you opened could not be used; showing the nearest view.")
        for notice in st.session_state["link_notices"]:
            st.text(notice)
errors = [p for p in problems if p.severity == "error"]
if problems:
    label = (
        f"{len(errors)} problem(s) in the record: the rows concerned are left out"
        if errors
        else f"{len(problems)} warning(s) about the record files"
    )
    with st.expander(label, icon="⚠️", expanded=bool(errors)):
        show_problems(problems)

# --------------------------------------------------------------------------- controls

lo, hi = record.settings.period
start, end = st.slider(
    "Dates",
    min_value=lo,
    max_value=hi,
    format="D MMM YYYY",
    key="range",
    help="Drag the handles, or focus one and use the arrow keys (one day per step).",
)
filters = st.columns([3, 1, 2], vertical_alignment="bottom")
chosen = filters[0].pills(
    "Categories",
    list(CATEGORIES),
    selection_mode="multi",
    format_func=format_category,
    key="categories",
    width="stretch",
)
exact_only = filters[1].toggle(
    "Exact only", key="exact", help="Hide events whose date or place is approximate."
)
place_labels = place_options(record.version)
city = (
    filters[2].selectbox(
        "Place (any spelling)",
        list(place_labels),
        format_func=place_labels.__getitem__,
        key="place",
    )
    or None
)
categories = tuple(c for c in CATEGORIES if c in chosen)
if not categories:
    st.info("No category is selected, so nothing is shown. Pick one or more above.")
view = query.View(start=start, end=end, categories=categories, exact_only=exact_only)

# --------------------------------------------------------------------------- figures + map

headline = index.headline(view)

with st.container(horizontal=True, gap="large", key="figures_row"):
    st.metric("Events", headline.events, width="content")
    st.metric("Protest events", headline.protest, width="content")
    st.metric("Crackdown events", headline.crackdown, width="content")
    st.metric("Places affected", headline.cities, width="content")
    st.metric(
        "Reported deaths (lowest figure)",
        headline.fatalities,
        width="content",
        help=(
            "ACLED's rule: where reports conflict, an event carries the lowest reported figure. "
            f"Only {headline.events_with_fatalities} events in this range have a reported "
            "figure; higher and national tolls are kept with their sources under Figures."
        ),
    )

asset_urls, asset_notice = assets.self_hosted_urls(
    static_serving=bool(st.get_option("server.enableStaticServing"))
)
if asset_notice:
    st.warning(asset_notice)
st_folium(
    mapview.base_map(asset_urls, map_labels(record.version)),
    feature_group_to_add=mapview.city_layer(
        index, view, selected=city, open_popup=st.session_state.pop("popup_open", False)
    ),
    key="map",
    returned_objects=["last_object_clicked", "last_object_clicked_tooltip"],
    on_change=select_clicked_place,
    center=st.session_state["map_center"],
    zoom=st.session_state["map_zoom"],
    height=600,
    use_container_width=True,
)
st.markdown(
    " &nbsp; ".join(
        f"<span style='color:{colour}'>●</span> {label}" for colour, label in mapview.legend_items()
    )
    + " &nbsp; Circle size: number of events. Outline: solid, every date and place exact; "
    "dash-dot, some approximate; dashed, all approximate.",
    unsafe_allow_html=True,
)

# --------------------------------------------------------------------------- context charts

# Lazy tabs: only the open tab's charts are built and sent on a rerun.
timeline_tab, figures_tab, spread_tab = st.tabs(list(links.PANELS), key="panel", on_change="rerun")
if timeline_tab.open:
    with timeline_tab:
        counts_chart, periods_chart = charts.timeline_chart(
            daily_counts(record.version, categories, exact_only),
            charts.period_frame(record, city),
            (lo, hi),
            (start, end),
        )
        st.vega_lite_chart(spec=counts_chart, width="stretch")
        st.vega_lite_chart(spec=periods_chart, width="stretch")
        st.caption(
            "Events per day (bars) over the whole record; the boxed part is the selected range. "
            "Shaded bands are the national internet blackout, state of emergency and curfew (and "
            "the selected place's own), one band per source's dates: few events inside the "
            "blackout is a gap in reporting, not calm."
        )
if figures_tab.open:
    with figures_tab:
        figures = charts.figure_frame(record, (start, end))
        if figures.empty:
            st.write("This record has no figures.")
        else:
            st.caption(
                "Every reported number with who claimed it and who reported it; numbers disagree "
                "and all are kept. Claims dated inside the selected range are drawn solid."
            )
            kinds = list(dict.fromkeys(figures["kind"]))
            kind_tabs = st.tabs(
                [mapview.escape_markdown(k.replace("_", " ").capitalize()) for k in kinds],
                key="figure_kind",
                on_change="rerun",
            )
            for kind, tab in zip(kinds, kind_tabs, strict=True):
                if not tab.open:
                    continue
                part = figures[figures["kind"] == kind]
                with tab:
                    st.vega_lite_chart(spec=charts.figures_chart(part, (lo, hi)), width="stretch")
                    st.dataframe(
                        figure_table(part), hide_index=True, width="stretch", key=f"figures_{kind}"
                    )
if spread_tab.open:
    with spread_tab:
        totals = index.city_totals(view)["events"]
        first = charts.first_events(
            index.first_events(view, pd.Series(1, index=totals.index)), totals, record
        )
        if first.empty:
            st.write("No events in the selected range and categories.")
        else:
            st.vega_lite_chart(spec=charts.spread_chart(first, (lo, hi)), width="stretch")
            st.caption("Each place at the date of its first event in the selected range.")

# --------------------------------------------------------------------------- share + cite

state = links.LinkState(
    view=view,
    city=city,
    event=st.session_state["event"],
    center=st.session_state["map_center"],
    zoom=st.session_state["map_zoom"],
    panel=st.session_state["panel"],
)
params = links.link_params(state)
st.query_params.from_dict(params)
page_url = (st.context.url or "").split("?")[0]
share_url = f"{page_url}?{urlencode(params)}"
share, cite = st.columns(2)
with share.expander("Share this view"):
    st.code(share_url, language=None, wrap_lines=True)
    st.caption("The address bar holds the same link, with the map's current position.")
with cite.expander("Cite this view"):
    st.code(links.citation(state, record, share_url, date.today()), language=None, wrap_lines=True)

# --------------------------------------------------------------------------- a place's story

if city is not None:
    place = record.cities.loc[city]
    story = index.place_events(city, view)
    whole_story = index.place_events(city, query.View(lo, hi))
    st.subheader(f"{mapview.escape_markdown(place['name'])}: chronology")
    st.caption(mapview.escape_markdown(places.label(place)))
    if len(whole_story):
        joined = whole_story.iloc[0]
        st.text(
            f"First event in the record: {joined['event_date']:%-d %b %Y} ({joined['category']}). "
            f"{len(story)} of its {len(whole_story)} events are in the selected range and "
            "categories:"
        )
    if len(story):
        st.dataframe(event_frame(story), hide_index=True, width="stretch")
    place_figures = charts.figure_frame(record, (start, end))
    place_figures = place_figures[place_figures["scope"] == city]
    if len(place_figures):
        st.caption(f"Figures reported for this place ({len(place_figures)}):")
        st.dataframe(figure_table(place_figures), hide_index=True, width="stretch")
    place_periods = charts.period_frame(record, city)
    place_periods = place_periods[place_periods["scope"] == city]
    if len(place_periods):
        st.caption("Periods in force here:")
        st.dataframe(
            pd.DataFrame(
                {
                    "period": place_periods["label"],
                    "from": place_periods["start"].dt.date,
                    "to": place_periods["end"].dt.date,
                    "sources": place_periods["source"],
                }
            ),
            hide_index=True,
            width="stretch",
        )

# --------------------------------------------------------------------------- event table

selected_event = st.session_state["event"]
if selected_event is not None:
    match = record.events[record.events["event_id_cnty"] == selected_event]
    if len(match):
        ev = match.iloc[0]
        with st.container(border=True):
            st.markdown("**Selected event**")
            st.text(
                f"{ev['event_date']:%-d %b %Y} · {ev['location']} · {ev['category']} · "
                f"{ev['sub_event_type']}\n{ev['notes']}\nSources: {ev['source']}"
            )

st.subheader(f"Events, {start:%-d %b %Y} to {end:%-d %b %Y}")
table = index.events_in(view, limit=TABLE_LIMIT)
st.session_state["table_ids"] = table["event_id_cnty"].tolist()
st.dataframe(
    event_frame(table),
    hide_index=True,
    width="stretch",
    column_config={"date": st.column_config.DateColumn(format="D MMM YYYY")},
    on_select=select_table_event,
    selection_mode="single-row",
    key="event_table",
)
if headline.events > TABLE_LIMIT:
    st.caption(
        f"Showing the first {TABLE_LIMIT} of {headline.events} events in this range "
        f"({headline.events - TABLE_LIMIT} more); the downloads hold all of them."
    )
stem = f"qantar-{start:%Y%m%d}-{end:%Y%m%d}"
with st.container(horizontal=True):
    st.download_button(
        f"Download {headline.events} events as CSV (ACLED columns + ours)",
        data=lambda: export.to_acled_csv(index.events_in(view), record),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.download_button(
        "Download as GeoJSON",
        data=lambda: export.to_geojson(index.events_in(view), record),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        on_click="ignore",
    )
st.caption(f"Record version {record.version} · {len(record.sources)} sources")
