"""The map page: layout and wiring only. The answers come from ``query.Answers``, the map from
``mapview``, the charts from ``charts``, the state from ``session``."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from dashboard import (
    assets,
    basemap,
    charts,
    export,
    i18n,
    keep,
    localise,
    mapview,
    places,
    popups,
    query,
    session,
    sourcebook,
    viewstate,
)
from dashboard.data import CATEGORIES
from dashboard.i18n import N_, tr
from dashboard.index import EventIndex
from dashboard.text import category_label, escape_html, escape_markdown, term

TABLE_LIMIT = 500
# The first view's placeholder for the sections that follow the map (tests/e2e waits it out).
PENDING_KEY = "qm-pending"
# What the map reports back: a click selects a place; a pan or zoom moves the view's position
# (so the link and the share box follow it).
LAYER_LABELS = {"places": N_("Places"), "regions": N_("Regions")}
WINDOW_LABELS = {"moving": N_("moves (keeps its length)"), "growing": N_("grows from its start")}
MAP_RETURNS = ["last_object_clicked", "last_object_clicked_tooltip", "center", "zoom"]


def _date_format() -> str:
    """Dates in tables and on the slider: 5 Jan 2022 in English, 05.01.2022 in Russian and
    Kazakh (Streamlit writes month names in English only)."""
    return "D MMM YYYY" if i18n.current() == "en" else "DD.MM.YYYY"


def _event_columns() -> dict[str, Any]:
    """The events tables' column settings, by the columns' names on the page."""
    sources_page = query.column("sources page")
    return {
        query.column("date"): st.column_config.DateColumn(format=_date_format()),
        sources_page: st.column_config.LinkColumn(sources_page, display_text=tr("sources")),
    }


def _figure_columns() -> dict[str, Any]:
    return {query.column("as of"): st.column_config.DateColumn(format=_date_format())}


def render() -> None:
    data_dir, index, problems, rejected = session.served_record()
    embedded = bool(st.context.is_embedded)  # ?embed=true: the map and its controls only
    if not embedded:
        st.title("Qantar Map")
    if index is None:
        st.error(tr("The record could not be loaded. Fix these problems and reload the page:"))
        st.text(tr("Record folder: {folder}", folder=data_dir))
        session.show_problems(problems)
        st.stop()
        return
    record = index.record
    session.apply_link(index)
    if not embedded:
        st.caption(
            tr(
                "{title}: where and when protests and the crackdown happened, with the sources "
                "for every event.",
                title=escape_markdown(record.settings.title),
            )
        )
    if i18n.current() != i18n.RECORD_TEXT_LANGUAGE[i18n.current()]:
        st.caption(
            tr(
                "The record's own text (event descriptions, the labels of figures and periods) "
                "is shown in Russian until it is written in Kazakh."
            )
        )
    _notices(record.version, problems, rejected)
    state = _controls(index)
    answers = query.Answers(index, state.view, state.place)
    _headline(answers)
    _map(index, answers, state, data_dir)
    if embedded:
        session.write_link(state)
        st.link_button(
            tr("Open this view in Qantar Map, with its sources"),
            _view_url(state),
            icon=":material/open_in_new:",
        )
        if state.play:
            _ticker(state.speed, record.settings.period)
        return
    _keep(answers, state, data_dir)
    if session.first_view_pending():
        _later()
        if state.play:
            _ticker(state.speed, record.settings.period)
        return
    _nationwide(answers)
    _panels(answers)
    _share(state, index)
    _story(answers)
    _events(answers)
    if state.play:
        _ticker(state.speed, record.settings.period)


def _later() -> None:
    """The first view of a session in a browser: the map and its controls now, the sections
    below the map (charts, tables, share and cite) once the map has been drawn (it reports its
    position, which reruns the page), or after FIRST_VIEW_WAIT_S if it never does."""
    with st.container(key=PENDING_KEY):
        st.caption(tr("The timeline, the figures and the tables follow once the map is drawn."))

    @st.fragment(run_every=session.FIRST_VIEW_WAIT_S)
    def wait() -> None:
        if st.session_state.get("first_view_armed"):
            session.end_first_view()
            st.rerun()
        st.session_state["first_view_armed"] = True

    st.session_state["first_view_armed"] = False
    wait()


def _notices(version: str, problems: list, rejected: list) -> None:
    if rejected:
        with st.container(border=True):
            st.warning(
                tr(
                    "The record files have changed, but the new files failed validation, so "
                    "this page still shows the last good version ({version}). Problems in the "
                    "new files:",
                    version=version,
                )
            )
            session.show_problems(rejected)
    if st.session_state["link_notices"]:
        with st.container(border=True):
            st.warning(
                tr("Parts of the link you opened could not be used; showing the nearest view.")
            )
            for notice in st.session_state["link_notices"]:
                st.text(notice)
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        label = (
            tr("{n} problem(s) in the record: the rows concerned are left out", n=len(errors))
            if errors
            else tr("{n} warning(s) about the record files", n=len(problems))
        )
        with st.expander(label, icon="⚠️", expanded=bool(errors)):
            session.show_problems(problems)


def _controls(index: EventIndex) -> viewstate.ViewState:
    record = index.record
    period = record.settings.period
    session.apply_pending_step()
    dates, play = st.columns([6, 2], vertical_alignment="bottom")
    dates.slider(
        tr("Dates"),
        min_value=period[0],
        max_value=period[1],
        format=_date_format(),
        key="range",
        on_change=session.stop_playing,
        help=tr("Drag the handles, or focus one and use the arrow keys (one day per step)."),
    )
    _playback(play, period)
    # the categories on a row of their own: their Russian and Kazakh names are long
    st.pills(
        tr("Categories"),
        list(CATEGORIES),
        selection_mode="multi",
        format_func=category_label,
        key="categories",
        on_change=session.stop_playing,
        width="stretch",
    )
    filters = st.columns([1, 2], vertical_alignment="bottom")
    filters[0].toggle(
        tr("Exact only"),
        key="exact",
        on_change=session.stop_playing,
        help=tr("Hide events whose date or place is approximate."),
    )
    labels = session.place_options(record.version, i18n.current(), record)
    filters[1].selectbox(
        tr("Place (any spelling)"),
        list(labels),
        format_func=labels.__getitem__,
        key="place",
        on_change=session.on_place_change,
        args=(record.cities, record.settings.bbox),
    )
    layers = session.layers(index)
    if len(layers) > 1:
        st.radio(
            tr("Map shows"),
            layers,
            format_func=lambda layer: tr(LAYER_LABELS[layer]),
            horizontal=True,
            key="layer",
            on_change=session.stop_playing,
            help=tr(
                "Places: a circle per place. Regions: the 17 regions of January 2022 shaded by "
                "the events in range (nationwide measures belong to no region)."
            ),
        )
    state = session.current_state()
    if not state.view.categories:
        st.info(tr("No category is selected, so nothing is shown. Pick one or more above."))
    return state


def _playback(column: DeltaGenerator, period: tuple[date, date]) -> None:
    """Play/pause beside the slider, with the speed and how the range moves; while playing, a
    timer steps the range one day at a time (each step an ordinary view, so pausing leaves a
    view its link reproduces)."""
    playing = bool(st.session_state["play"])
    with column.popover(
        tr("Playback"), icon=":material/tune:", help=tr("Speed and how the range moves")
    ):
        st.radio(
            tr("Seconds per day"),
            viewstate.SPEEDS,
            format_func=lambda s: tr("{seconds} s", seconds=f"{s:g}"),
            horizontal=True,
            key="speed",
        )
        st.radio(
            tr("The range"),
            viewstate.WINDOWS,
            format_func=lambda window: tr(WINDOW_LABELS[window]),
            key="window",
        )
    column.button(
        tr("Pause") if playing else tr("Play"),
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key="play_button",
        on_click=session.toggle_play,
        args=(period,),
        help=tr("Step the date range one day at a time until the end of the record."),
        width="stretch",
    )


def _ticker(speed: float, period: tuple[date, date]) -> None:
    """While playing, a timer steps the range (drawn last on the page, so that its coming and
    going moves no other element: the map's iframe keeps its place and is not rebuilt)."""

    @st.fragment(run_every=speed)
    def tick() -> None:
        if st.session_state.get("tick_armed"):
            session.play_tick(period)
        st.session_state["tick_armed"] = True

    st.session_state["tick_armed"] = False
    tick()


def _headline(answers: query.Answers) -> None:
    counts, deaths = answers.counts, answers.deaths
    with st.container(horizontal=True, gap="large", key="figures_row"):
        st.metric(tr("Events"), counts.events, width="content")
        st.metric(tr("Protest events"), counts.by_category["protest"], width="content")
        st.metric(tr("Riots and attacks"), counts.by_category["riot"], width="content")
        st.metric(tr("Crackdown events"), counts.by_category["crackdown"], width="content")
        st.metric(tr("Places affected"), counts.places, width="content")
        if deaths.value is not None:
            st.metric(
                tr("Death toll (latest official)"),
                f"{deaths.value:,}",
                width="content",
                help=tr(
                    "Given by {who}, as of {when}. The record holds {n} national tolls from "
                    "{low} to {high}, each with who gave it and when: see {figures} › {toll}.",
                    figures=tr("Figures"),
                    toll=term(query.TOLL_KIND).capitalize(),
                    who=deaths.claimed_by,
                    when=i18n.day(deaths.as_of),
                    n=deaths.tolls,
                    low=f"{deaths.low:,}",
                    high=f"{deaths.high:,}",
                ),
            )
        st.metric(
            tr("Deaths tied to events in range"),
            counts.fatalities,
            width="content",
            help=tr(
                "The sum of the lowest figure each event carries (ACLED's rule), for the {n} "
                "events in range that have one. Not a death toll: most deaths were never tied "
                "to a single event.",
                n=counts.events_with_fatalities,
            ),
        )
    if deaths.value is not None:
        st.caption(
            tr(
                "Death toll: {value} according to {who} ({when}); other national tolls in the "
                "record run from {low} to {high}.",
                value=f"{deaths.value:,}",
                who=escape_markdown(deaths.claimed_by),
                when=i18n.day(deaths.as_of),
                low=f"{deaths.low:,}",
                high=f"{deaths.high:,}",
            )
        )


def _map(
    index: EventIndex, answers: query.Answers, state: viewstate.ViewState, data_dir: Path
) -> None:
    record = index.record
    asset_urls, asset_notice = assets.self_hosted_urls(
        static_serving=bool(st.get_option("server.enableStaticServing"))
    )
    if asset_notice:
        st.warning(asset_notice)
    base = basemap.base_map(
        record.settings.bbox,
        asset_urls,
        session.map_labels(record.version, i18n.current(), record),
        session.outline_file(data_dir),
        st.session_state["map_start"],
    )
    regions = index.regions if state.layer == "regions" else None
    if regions is not None:
        layer = mapview.region_layer(
            regions.display, answers.regions, localise.REGION_NAME_FIELDS[i18n.current()]
        )
    else:
        layer = mapview.city_layer(
            answers.circles,
            state.place,
            open_popup=_popup_open(),
            events=popups.address(i18n.current(), record.version),
        )
        # Other places' sites only once the map is zoomed in (its zoom is reported, and a zoom
        # reruns the page anyway): at the country's zoom they would be hidden, and cost a move.
        zoomed = (st.session_state.get("map_zoom") or 0) >= mapview.SITE_ZOOM - 1
        if zoomed or state.place is not None:
            sites = answers.sites if zoomed else answers.sites[answers.sites["selected"]]
            mapview.add_sites(layer, sites, answers.site_events)
    with basemap.literal_scripts():
        st_folium(
            base,
            feature_group_to_add=layer,
            key="map",
            returned_objects=[
                "last_object_clicked",
                "last_object_clicked_tooltip",
                "center",
                "zoom",
            ],
            on_change=functools.partial(session.on_map_change, record.cities, record.settings.bbox),
            # Only where the page sends the map (a link, a place picked): passing back what the
            # map reported would move it by rounding and make it report again, in a loop.
            center=st.session_state["map_target"][0],
            zoom=st.session_state["map_target"][1],
            height=480 if st.context.is_embedded else 600,  # embedded: compact
            use_container_width=True,
        )
    if regions is not None:
        st.markdown(
            " &nbsp; ".join(
                f"<span style='color:{colour};text-shadow:0 0 1px #333'>■</span> {label}"
                for colour, label in mapview.region_legend(answers.regions)
            )
            + " &nbsp; "
            + tr(
                "Shade: events in range at places in the region (nationwide measures belong to "
                "no region)."
            )
            + " "
            + tr(mapview.REGIONS_CREDIT)
            + ".",
            unsafe_allow_html=True,
        )
        return
    st.markdown(
        " &nbsp; ".join(
            f"<span style='color:{colour}'>●</span> {label}"
            for colour, label in mapview.legend_items()
        )
        + " &nbsp; "
        + tr(
            "Circle size: events at the place (nationwide measures are not drawn). Outline: "
            "solid, every date and place exact; dash-dot, some approximate; dashed, all "
            "approximate."
        ),
        unsafe_allow_html=True,
    )


def _keep(answers: query.Answers, state: viewstate.ViewState, data_dir: Path) -> None:
    """ "Download this map": the view's map as one HTML file that opens offline (built only
    when the button is pressed)."""
    if not keep.available(assets.DEFAULT_VENDOR_DIR):
        st.caption(
            tr(
                "Downloading the map needs its scripts installed on this server ({hint}).",
                hint=assets.INSTALL_HINT,
            )
        )
        return
    view = answers.view
    st.download_button(
        tr("Download this map (one HTML file, opens offline)"),
        data=functools.partial(_kept_map, answers, state, data_dir, _view_url(state)),
        file_name=f"qantar-map-{view.start:%Y%m%d}-{view.end:%Y%m%d}.html",
        mime="text/html",
        icon=":material/map:",
        on_click="ignore",
    )


def _kept_map(answers: query.Answers, state: viewstate.ViewState, data_dir: Path, link: str) -> str:
    record, view, counts = answers.record, answers.view, answers.counts
    base = basemap.base_map(
        record.settings.bbox,
        None,
        basemap.label_places(record),
        session.outline_file(data_dir),
        (state.center, state.zoom) if state.center is not None and state.zoom else None,
    )
    regions = answers.index.regions if state.layer == "regions" else None
    if regions is not None:
        layer = mapview.region_layer(
            regions.display, answers.regions, localise.REGION_NAME_FIELDS[i18n.current()]
        )
        legend = mapview.region_legend(answers.regions)
        credits = [tr(mapview.REGIONS_CREDIT)]
    else:
        layer = mapview.city_layer(answers.circles, state.place)
        legend = list(mapview.legend_items())
        credits = []
    lines = [
        tr(
            "{start} to {end}: {events} events at {places} places.",
            start=i18n.day(view.start),
            end=i18n.day(view.end),
            events=counts.events,
            places=counts.places,
        ),
        tr(
            "Record version {version}, {sources} sources; record CC BY 4.0 (Qantar Map). "
            "Tiles, when online: © OpenStreetMap contributors.",
            version=record.version,
            sources=len(record.sources),
        ),
        *credits,
    ]
    return keep.standalone_html(
        base,
        layer,
        vendor_dir=assets.DEFAULT_VENDOR_DIR,
        title=record.settings.title,
        lines=lines,
        legend=legend,
        link=link,
    )


def _popup_open() -> bool:
    """Whether the selected place's popup opens with this redraw (after a click), remembered
    for the rerun the map's own move may make (see session.on_map_change)."""
    shown = bool(st.session_state.pop("popup_open", False))
    st.session_state["popup_shown"] = shown
    return shown


def _nationwide(answers: query.Answers) -> None:
    national = answers.national
    label = tr("Nationwide measures in this range: {n}", n=len(national))
    # Lazy: its table is built and sent only while the expander is open (not on every move).
    box = st.expander(label, icon=":material/public:", key="nationwide", on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(
            tr(
                "Decisions and counts that applied to the whole country (the state of "
                "emergency, the blackout, the CSTO request...). They are not drawn on any place."
            )
        )
        if len(national):
            shown = national.head(TABLE_LIMIT)  # a rerun's work stays bounded
            st.dataframe(
                query.event_rows(shown, answers.record).drop(columns=[query.column("place"), "id"]),
                hide_index=True,
                width="stretch",
                column_config=_event_columns(),
            )
            if len(national) > len(shown):
                st.caption(
                    tr(
                        "Showing the first {shown} of {all}; the downloads hold all of them.",
                        shown=len(shown),
                        all=len(national),
                    )
                )


def _panels(answers: query.Answers) -> None:
    record, view = answers.record, answers.view
    period = record.settings.period
    # Lazy tabs: only the open tab's charts are built and sent on a rerun.
    timeline, figures_tab, spread_tab = st.tabs(
        [tr(p) for p in viewstate.PANELS], key="panel", on_change="rerun"
    )
    if timeline.open:
        with timeline:
            showing = view.end if st.session_state["play"] else None
            daily = session.daily_counts(
                record.version, view.categories, view.exact_only, answers.index
            )
            counts_chart, periods_chart = charts.timeline_chart(
                daily, answers.periods, period, (view.start, view.end), showing
            )
            st.vega_lite_chart(spec=counts_chart, width="stretch")
            st.vega_lite_chart(spec=periods_chart, width="stretch")
            st.caption(
                tr(
                    "Events per day (bars) over the whole record, nationwide measures included; "
                    "the boxed part is the selected range. Shaded bands are the national "
                    "internet blackout, state of emergency and curfew (and the selected place's "
                    "own), one band per source's dates: few events inside the blackout is a gap "
                    "in reporting, not calm."
                )
            )
    if figures_tab.open:
        with figures_tab:
            _figures(answers.figures, period)
    if spread_tab.open:
        with spread_tab:
            first = answers.spread
            if first.empty:
                st.write(tr("No events in the selected range and categories."))
            else:
                st.vega_lite_chart(spec=charts.spread_chart(first, period), width="stretch")
                st.caption(tr("Each place at the date of its first event in the selected range."))


def _figures(figures: pd.DataFrame, period: tuple[date, date]) -> None:
    if figures.empty:
        st.write(tr("This record has no figures."))
        return
    st.caption(
        tr(
            "Every reported number with who claimed it and who reported it; numbers disagree "
            "and all are kept. Claims dated inside the selected range are drawn solid."
        )
    )
    # Deaths first: the toll is what most readers come for.
    kinds = sorted(
        dict.fromkeys(figures["kind"]), key=lambda k: (k != query.TOLL_KIND, k != "deaths")
    )
    tabs = st.tabs(
        [escape_markdown(term(k).capitalize()) for k in kinds],
        key=f"figure_kind_{i18n.current()}",
        on_change="rerun",
    )
    for kind, tab in zip(kinds, tabs, strict=True):
        if not tab.open:
            continue
        part = figures[figures["kind"] == kind]
        with tab:
            st.vega_lite_chart(spec=charts.figures_chart(part, period), width="stretch")
            st.dataframe(
                query.figure_rows(part),
                hide_index=True,
                width="stretch",
                key=f"figures_{kind}",
                column_config=_figure_columns(),
            )


def _view_url(state: viewstate.ViewState) -> str:
    """The link to a view, as the address bar shows it."""
    page_url = (st.context.url or "").split("?")[0]
    if page_url.count("/") == 2:  # "http://host" -> "http://host/", as the address bar shows it
        page_url += "/"
    return f"{page_url}?{urlencode(viewstate.encode(state))}"


def _embed_snippet(share_url: str, title: str) -> str:
    """An iframe of the view in Streamlit's embed mode (no toolbar, compact)."""
    src = f"{share_url}&embed=true" if "?" in share_url else f"{share_url}?embed=true"
    return (
        f'<iframe src="{escape_html(src)}" title="{escape_html("Qantar Map: " + title)}" '
        'width="100%" height="1200" style="border:0" loading="lazy"></iframe>'
    )


def _share(state: viewstate.ViewState, index: EventIndex) -> None:
    session.write_link(state)
    share_url = _view_url(state)
    share, cite = st.columns(2)
    with share.expander(tr("Share this view")):
        st.code(share_url, language=None, wrap_lines=True)
        st.caption(tr("The same link as in the address bar, map position included."))
    with share.expander(tr("Embed this view")):
        st.code(
            _embed_snippet(share_url, index.record.settings.title), language="html", wrap_lines=True
        )
        st.caption(
            tr(
                "Paste it into a web page: the map and its controls for this view, with a link "
                "back to the full view."
            )
        )
    with cite.expander(tr("Cite this view")):
        st.code(
            viewstate.citation(state, index.record, share_url, date.today()),
            language=None,
            wrap_lines=True,
        )


def _story(answers: query.Answers) -> None:
    story, place_id = answers.story, answers.place
    if story is None or place_id is None:
        return
    place = answers.record.cities.loc[[place_id]].iloc[0]
    st.subheader(tr("{place}: chronology", place=escape_markdown(place["name"])))
    st.caption(escape_markdown(places.label(place)))
    if len(story.whole):
        joined = story.whole.iloc[0]
        st.text(
            tr(
                "First event in the record: {when} ({category}). {shown} of its {all} events "
                "are in the selected range and categories:",
                when=i18n.day(joined["event_date"]),
                category=category_label(joined["category"]).lower(),
                shown=len(story.events),
                all=len(story.whole),
            )
        )
    if len(story.events):
        st.dataframe(
            query.event_rows(story.events, answers.record).drop(columns=["id"]),
            hide_index=True,
            width="stretch",
            column_config=_event_columns(),
        )
    if len(story.figures):
        st.caption(tr("Figures reported for this place ({n}):", n=len(story.figures)))
        st.dataframe(
            query.figure_rows(story.figures),
            hide_index=True,
            width="stretch",
            column_config=_figure_columns(),
        )
    if len(story.periods):
        st.caption(tr("Periods in force here:"))
        st.dataframe(
            pd.DataFrame(
                {
                    tr("period"): story.periods["label"],
                    tr("from"): story.periods["start"].dt.date,
                    tr("to"): story.periods["end"].dt.date,
                    query.column("sources"): story.periods["source"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                tr("from"): st.column_config.DateColumn(format=_date_format()),
                tr("to"): st.column_config.DateColumn(format=_date_format()),
            },
        )


def _events(answers: query.Answers) -> None:
    view, counts = answers.view, answers.counts
    ev = answers.event(st.session_state["event"])
    if ev is not None:
        with st.container(border=True):
            st.markdown("**" + tr("Selected event") + "**")
            support = sourcebook.corroboration(answers.record, ev["source_ids"])
            st.text(
                f"{i18n.day(ev['event_date'])} · {ev['location']} · "
                f"{category_label(ev['category'])} · {term(ev['sub_event_type'])}\n{ev['notes']}\n"
                + tr(
                    "Sources: {outlets} ({support})",
                    outlets=sourcebook.outlets(answers.record, ev["source_ids"]),
                    support=support.text(),
                )
            )
    st.subheader(tr("Events, {start} to {end}", start=i18n.day(view.start), end=i18n.day(view.end)))
    table = answers.table(TABLE_LIMIT)
    st.session_state["table_ids"] = table["id"].tolist()
    st.dataframe(
        table.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        column_config=_event_columns(),
        on_select=functools.partial(session.on_table_select, "event_table", "table_ids"),
        selection_mode="single-row",
        key="event_table",
    )
    if counts.events > TABLE_LIMIT:
        st.caption(
            tr(
                "Showing the first {shown} of {all} events in this range ({more} more); the "
                "downloads hold all of them.",
                shown=TABLE_LIMIT,
                all=counts.events,
                more=counts.events - TABLE_LIMIT,
            )
        )
    index, record = answers.index, answers.record
    stem = f"qantar-{view.start:%Y%m%d}-{view.end:%Y%m%d}"
    with st.container(horizontal=True):
        st.download_button(
            tr("Download {n} events as CSV (ACLED columns + ours)", n=counts.events),
            data=lambda: export.to_acled_csv(index.events_in(view), record),
            file_name=f"{stem}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        st.download_button(
            tr("Download as GeoJSON"),
            data=lambda: export.to_geojson(index.events_in(view), record),
            file_name=f"{stem}.geojson",
            mime="application/geo+json",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption(
        tr(
            "Record version {version} · {n} sources",
            version=record.version,
            n=len(record.sources),
        )
    )
