"""The Streamlit side of the state: the served record (cached for all sessions, with the reload
policy), the link -> widgets once per session, widgets -> ``ViewState`` on every rerun, and the
map's callbacks (a click selects a place, a pan or zoom moves the view).

Only this module and the pages touch ``st.session_state`` and ``st.query_params``; the link is
written in one place (``write_link``) from one codec (``viewstate.encode``).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.logger import get_logger

from dashboard import (
    basemap,
    charts,
    data,
    i18n,
    localise,
    mapview,
    places,
    popups,
    query,
    record_cache,
    viewstate,
)
from dashboard.data import CATEGORIES
from dashboard.i18n import tr
from dashboard.index import EventIndex, View
from dashboard.regions import REGIONS_FILE, load_regions, uncovered_places

READ_ATTEMPTS = 3
MAP_START_ZOOM = 5.0
OUTLINE_NAME = "kazakhstan-outline.geojson"

log = get_logger(__name__)


@st.cache_resource(max_entries=4, show_spinner="Loading the record…")
def load(data_dir: str, stamp: tuple) -> tuple[EventIndex | None, list[data.Problem]]:
    """Load and index a record once for all sessions; reloads when a file changes (``stamp``,
    the files' fingerprint, is part of the cache key). Files that change while they are read
    (a copy still being written) are read again, and given up on after READ_ATTEMPTS."""
    del stamp  # part of the cache key only
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
    if record is None:
        return None, problems
    regions, region_problems = load_regions(folder)
    problems = [*problems, *region_problems]
    if regions is not None:
        uncovered = uncovered_places(regions, record.cities)
        if uncovered:
            problems.append(
                data.Problem(
                    REGIONS_FILE,
                    None,
                    None,
                    f"{len(uncovered)} place(s) lie in no region ({', '.join(uncovered[:5])}); "
                    "their events are not counted in any region",
                    "warning",
                )
            )
    return EventIndex(record, regions), problems


@st.cache_resource
def _served_records() -> dict[str, EventIndex]:
    """Per record folder, the last version that loaded without errors (shared by all sessions)."""
    return {}


def choose_record(
    data_dir: str, index: EventIndex | None, problems: list[data.Problem]
) -> tuple[EventIndex | None, list[data.Problem], list[data.Problem]]:
    """The record to serve, its problems, and the problems of newer files that were rejected.

    A version that loads without errors replaces the one served. One that cannot be loaded or
    has errors (files half-written, or invalid) is served only if no good version has been
    served since this server started; otherwise every session keeps the last good version, whole.
    """
    served = _served_records()
    if index is not None and not any(p.severity == "error" for p in problems):
        previous = served.get(data_dir)
        served[data_dir] = index
        if previous is not None and previous.record.version != index.record.version:
            start_warming()  # the new version's caches warmed, the collector's freeze renewed
        return index, problems, []
    good = served.get(data_dir)
    if good is None or (index is not None and index.record.version == good.record.version):
        return index, problems, []
    return good, list(good.record.problems), problems


@st.cache_resource(max_entries=12)
def _localised(version: str, language: str, _index: EventIndex) -> EventIndex:
    """The served index with its record's names and text in ``language`` (one per record
    version and language, shared by all sessions)."""
    del version  # part of the cache key only
    return localise.index_in(_index, language)


def served_record() -> tuple[Path, EventIndex | None, list[data.Problem], list[data.Problem]]:
    """The record folder, the index served (its names and text in this run's language), its
    problems and rejected newer problems."""
    data_dir = data.data_dir_from_env()
    index, problems, rejected = choose_record(
        str(data_dir), *load(str(data_dir), data.fingerprint(data_dir))
    )
    if index is not None:
        index = _localised(index.record.version, i18n.current(), index)
        popups.serve(i18n.current(), index)
    return data_dir, index, problems, rejected


# --------------------------------------------------------------------------- warming


def warm() -> None:
    """What every first page needs, done before anyone asks (the App's lifespan, app.py): the
    record loaded and indexed, and in each language its names and text, the place picker, the
    map's labels, the sources' book, the circles and the chart specs of the whole record. Each
    lands in the cache the pages read, so the first reader finds it ready. It runs again when a
    new version of the record replaces the one served (``choose_record``)."""
    data_dir = data.data_dir_from_env()
    index, _, _ = choose_record(str(data_dir), *load(str(data_dir), data.fingerprint(data_dir)))
    if index is None:
        return  # the first reader is shown the problems
    record = index.record
    period = record.settings.period
    whole = View(period[0], period[1], CATEGORIES, False)
    daily = daily_counts(record.version, CATEGORIES, False, index)
    try:
        for language in i18n.LANGUAGES:
            i18n.use(language)
            shown = _localised(record.version, language, index)
            place_options(record.version, language, shown.record)
            map_labels(record.version, language, shown.record)
            answers = query.Answers(shown, whole, None)
            mapview.city_layer(
                answers.circles, None, events=popups.address(language, record.version)
            )
            charts.timeline_chart(daily, answers.periods, period, period)
            answers.table(1)
    finally:
        i18n.use(i18n.DEFAULT)


def _warm_logged() -> None:
    started = time.perf_counter()
    # the caches warn, once per call, that no script is running: here that is the point
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        warm()
    except Exception:  # a reader then meets the same problem, shown on the page
        log.exception("warming the record failed")
        return
    finally:
        quiet.setLevel(level)
    # What lives as long as the server (modules, the record, its indexes and caches) is moved
    # out of the cyclic collector's sight: the full collection Streamlit runs after every script
    # run (runner.postScriptGC) then walks only what the runs made since. After a reload of the
    # record, what the last freeze held is handed back first, so that the cycles of a version
    # no longer served (and of the runs that were going on then) can be collected.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    log.info("record warmed in %.1f s", time.perf_counter() - started)


def start_warming() -> threading.Thread:
    """``warm`` in a background thread (the server answers meanwhile)."""
    thread = threading.Thread(target=_warm_logged, name="qantar-warm", daemon=True)
    thread.start()
    return thread


def outline_file(data_dir: Path) -> Path | None:
    """The country outline shipped with the record, if any (an imported record has none)."""
    path = data_dir / OUTLINE_NAME
    return path if path.is_file() else None


@st.cache_data(max_entries=4, show_spinner=False)
def map_labels(version: str, language: str, _record: data.Record) -> list[tuple[str, float, float]]:
    """The places the map names when its tiles do not load (cached per record version and
    language)."""
    del version, language  # part of the cache key only
    return basemap.label_places(_record)


@st.cache_data(max_entries=64, show_spinner=False)
def daily_counts(
    version: str, categories: tuple[str, ...], exact_only: bool, _index: EventIndex
) -> pd.DataFrame:
    """Events per day over the whole record under the filters: the timeline does not follow
    the date range, so a slider move or a playback step reuses it (cached per record)."""
    del version  # part of the cache key only
    lo, hi = _index.record.settings.period
    return _index.daily_counts(View(lo, hi, categories, exact_only))


@st.cache_data(max_entries=12, show_spinner=False)
def place_options(version: str, language: str, _record: data.Record) -> dict[str, str]:
    """The place picker's options, "" (all places) first, then places by name, each with the
    label it is found by (every spelling; cached per record version and language)."""
    del version, language  # part of the cache key only
    cities = _record.cities.sort_values("name", kind="stable")
    return {"": tr("All places")} | {
        str(city_id): places.label(place) for city_id, place in cities.iterrows()
    }


# --------------------------------------------------------------------------- link <-> widgets


def language() -> str:
    """This run's interface language, set before anything is drawn: the switch's, else the
    link's ``lang``, else the browser's locale, else English."""
    ss = st.session_state
    if ss.get("lang") not in i18n.LANGUAGES:
        asked = st.query_params.get("lang")
        ss["lang"] = (
            asked
            if asked in i18n.LANGUAGES
            else i18n.from_locale(st.context.locale) or i18n.DEFAULT
        )
    i18n.use(ss["lang"])
    drawn = ss.get("lang_drawn")
    if drawn is not None and drawn != ss["lang"]:
        # The widgets are named anew in the new language, and Streamlit makes new widgets of
        # them: the view comes back from the link, which the last run wrote (see apply_link).
        ss.pop("link_version", None)
    ss["lang_drawn"] = ss["lang"]
    return str(ss["lang"])


def panel_of(label: str) -> str:
    """The panel (one of viewstate.PANELS) whose tab has ``label`` in this run's language."""
    by_label = {i18n.tr(panel): panel for panel in viewstate.PANELS}
    return by_label.get(label, viewstate.PANELS[0])


def keep_language_in_link() -> None:
    """On the pages without a view (Sources, Method): the link names the language, so a reload
    or a shared copy of it opens in the same one."""
    lang = i18n.current()
    if lang != i18n.DEFAULT:
        if st.query_params.get("lang") != lang:
            st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]


def layers(index: EventIndex) -> tuple[str, ...]:
    """The map layers this record offers (regions only with region boundaries)."""
    return viewstate.LAYERS if index.regions is not None else viewstate.LAYERS[:1]


def _off_options(index: EventIndex) -> list[str]:
    """The widgets whose value is none of their options in this run.

    The browser sends a widget's value as its label. A run it asks for just after a switch of
    language (the map reporting, say), before the new language's widgets have reached it, still
    carries the old language's labels, which Streamlit would turn into the widgets' defaults.
    """
    ss = st.session_state
    options: dict[str, Collection[object]] = {
        "place": {"", *index.record.cities.index},
        "layer": layers(index),
        "speed": viewstate.SPEEDS,
        "window": viewstate.WINDOWS,
        "panel": {i18n.tr(panel) for panel in viewstate.PANELS},
    }
    off = [key for key, valid in options.items() if key in ss and ss[key] not in valid]
    if "categories" in ss and not set(ss["categories"] or []) <= set(CATEGORIES):
        off.append("categories")
    return off


def apply_link(index: EventIndex) -> None:
    """Once per session (and per record version): set the widgets to the link's view. After
    that, only a widget whose value is none of its options (see ``_off_options``) is set
    again from the link, which the last run wrote."""
    record = index.record
    ss = st.session_state
    first = ss.get("link_version") != record.version
    off = [] if first else _off_options(index)
    if not first and not off:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    decoded = viewstate.decode(params, record, layers(index))
    state = decoded.state
    if state.place is not None and state.center is None:
        # a link to a place without a map position opens on the place
        city = record.cities.loc[[state.place]].iloc[0]
        zoom = state.zoom if state.zoom is not None else PLACE_ZOOM
        state = replace(state, center=(float(city["lat"]), float(city["lon"])), zoom=zoom)
    widgets = {
        "range": (state.view.start, state.view.end),
        "categories": list(state.view.categories),
        "exact": state.view.exact_only,
        "place": state.place or "",
        "panel": i18n.tr(state.panel),
        "layer": state.layer,
        "play": state.play,
        "speed": state.speed,
        "window": state.window,
    }
    if not first:
        ss.update({key: widgets[key] for key in off})
        return
    ss.update(
        widgets,
        event=state.event,
        map_center=state.center,
        map_zoom=state.zoom,
        map_target=(state.center, state.zoom),
        # Where this session's base map opens (fixed for the session: see basemap.base_map).
        map_start=(state.center, state.zoom or MAP_START_ZOOM) if state.center else None,
        link_notices=decoded.notices,
        link_version=record.version,
    )


def current_state() -> viewstate.ViewState:
    """The widgets' values as one ``ViewState``."""
    ss = st.session_state
    start, end = ss["range"]
    chosen = set(ss["categories"] or [])
    view = View(start, end, tuple(c for c in CATEGORIES if c in chosen), bool(ss["exact"]))
    return viewstate.ViewState(
        view=view,
        place=ss["place"] or None,
        event=ss["event"],
        center=ss["map_center"],
        zoom=ss["map_zoom"],
        panel=panel_of(ss["panel"]),
        layer=ss["layer"],
        play=bool(ss["play"]),
        speed=float(ss["speed"]),
        window=ss["window"],
        lang=ss.get("lang", i18n.DEFAULT),
    )


def write_link(state: viewstate.ViewState) -> dict[str, str]:
    """The one writer of the page's link; returns the parameters written."""
    params = viewstate.encode(state)
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)
    return params


# --------------------------------------------------------------------------- playback


def apply_pending_step() -> None:
    """A playback step asked for on the last tick is applied before the widgets are drawn (a
    widget's value can only be set before it is drawn in a run)."""
    step = st.session_state.pop("pending_range", None)
    if step is not None:
        st.session_state["range"] = step


def toggle_play(period: tuple) -> None:
    """The play/pause button: starting from a range that ends the period starts over."""
    ss = st.session_state
    if ss["play"]:
        ss["play"] = False
        return
    state = viewstate.first_step(current_state(), period)
    ss["range"] = (state.view.start, state.view.end)
    ss["play"] = True


def stop_playing() -> None:
    """Any control the reader touches stops playback."""
    st.session_state["play"] = False


def play_tick(period: tuple) -> None:
    """One playback step: the next day's range, or the end of playback."""
    ss = st.session_state
    if not ss.get("play"):
        return
    step = viewstate.next_step(current_state(), period)
    if step is None:
        ss["play"] = False
    else:
        ss["pending_range"] = (step.view.start, step.view.end)
    st.rerun(scope="app")


# --------------------------------------------------------------------------- map callbacks


PLACE_ZOOM = 11.0
COUNTRY_ZOOM = 5.0


def focus_place(cities: pd.DataFrame, bbox: tuple[float, float, float, float]) -> None:
    """After the place changes: the map zooms to it, or back to the whole record's box."""
    ss = st.session_state
    place = ss.get("place") or None
    if place is not None and place in cities.index:
        center = (float(cities.loc[place, "lat"]), float(cities.loc[place, "lon"]))
        zoom = PLACE_ZOOM
    else:
        west, south, east, north = bbox
        center, zoom = ((south + north) / 2, (west + east) / 2), COUNTRY_ZOOM
    ss["map_center"], ss["map_zoom"] = center, zoom
    ss["map_target"] = (center, zoom)


def on_place_change(cities: pd.DataFrame, bbox: tuple[float, float, float, float]) -> None:
    """The place picker changed: playback stops and the map follows the place."""
    stop_playing()
    focus_place(cities, bbox)


# The first view waits at most this long for the map to report before drawing the rest.
FIRST_VIEW_WAIT_S = 8.0


def first_view_pending() -> bool:
    """Whether this run is a session's first view in a browser, before its map has been drawn:
    the page then sends the map and its controls only, so that the charts and tables, which load
    and render in the same browser thread as the map's frame, do not hold the map up. The map
    reports its position once drawn (``on_map_change``), which ends the first view. Without a
    browser (AppTest, a script), nothing is ever drawn, so nothing waits."""
    ss = st.session_state
    if ss.get("first_view_done") or not st.context.headers:
        return False
    reported = ss.get("map") or {}
    if reported.get("center") is not None:
        end_first_view()
        return False
    return True


def end_first_view() -> None:
    st.session_state["first_view_done"] = True


def on_map_change(cities: pd.DataFrame, bbox: tuple[float, float, float, float]) -> None:
    """The map reported something (runs before the rerun, so the widgets can follow).

    A pan or zoom moves the view's map position. A click reports the clicked point and the
    circle's tooltip text: area circles (several small places summed) select nothing; a
    place's circle selects the place nearest the point.
    """
    ss = st.session_state
    reported = ss.get("map") or {}
    center, zoom = reported.get("center"), reported.get("zoom")
    if isinstance(center, dict) and {"lat", "lng"} <= center.keys() and zoom is not None:
        ss["map_center"] = (round(float(center["lat"]), 4), round(float(center["lng"]), 4))
        ss["map_zoom"] = round(float(zoom), 2)
    clicked = reported.get("last_object_clicked")
    tooltip = reported.get("last_object_clicked_tooltip") or ""
    if clicked == ss.get("last_click"):
        # only the position moved (after a click, the map flying to the place): a popup that
        # was open stays open through the redraw this rerun makes
        ss["popup_open"] = ss.get("popup_shown", False)
        return
    ss["last_click"] = clicked
    if not clicked or not {"lat", "lng"} <= clicked.keys() or mapview.AREA_MARK in tooltip:
        return
    distance = (cities["lat"] - clicked["lat"]) ** 2 + (cities["lon"] - clicked["lng"]) ** 2
    ss["place"] = str(distance.idxmin())
    ss["popup_open"] = True
    stop_playing()
    focus_place(cities, bbox)


def on_table_select(table_key: str, ids_key: str) -> None:
    """A row picked in an event table selects that event."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        st.session_state["event"] = st.session_state[ids_key][rows[0]]


def show_problems(problems: list[data.Problem]) -> None:
    severity = {"error": tr("error"), "warning": tr("warning")}
    table = pd.DataFrame(
        [
            (severity.get(p.severity, p.severity), p.file, p.row, p.field, p.message)
            for p in problems
        ],
        columns=[tr("severity"), tr("file"), tr("row"), tr("field"), tr("problem")],
    )
    st.dataframe(table, hide_index=True, width="stretch")
