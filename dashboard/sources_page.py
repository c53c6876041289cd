"""The Sources page: every source with how it was checked and what cites it; filterable, and
linked both ways with the map (``?event=ID`` shows an event's sources, each row links back)."""

from __future__ import annotations

import streamlit as st

from dashboard import session, sourcebook
from dashboard.text import escape_markdown

MAX_VALUE_CHARS = 40


def render() -> None:
    _, index, problems, _ = session.served_record()
    st.title("Sources")
    if index is None:
        st.error("The record could not be loaded; see the map page for its problems.")
        session.show_problems(problems)
        return
    record = index.record
    table = sourcebook.source_rows(record)
    st.caption(
        f"Every source the record cites ({len(table)}), with how its stored copy was checked and "
        "the events and figures that rest on it. A source marked unverified could not be found; "
        "every claim that cites one also cites a found source."
    )
    event = _link_value("event")
    if event is not None and event not in set(record.events["event_id_cnty"]):
        st.warning(f"The event {escape_markdown(event)} is not in the record; all sources shown.")
        event = None
    search, kind, checked = st.columns([3, 2, 2], vertical_alignment="bottom")
    words = search.text_input("Search outlet, title or author", key="source_search")
    types = kind.multiselect("Outlet type", sorted(set(table["outlet type"]) - {""}), key="types")
    state = checked.selectbox(
        "Checked",
        ["all", "found", "unverified"],
        key="checked_filter",
        help="Whether each source's stored copy was found and read",
    )
    shown = table
    if event is not None:
        ids = set(sourcebook.source_ids_of(record, event))
        shown = shown[shown["id"].isin(ids)]
        st.info(f"Sources of event {event}.")
        st.markdown(f"[Back to this event on the map](/?event={event}) · [All sources](/sources)")
    if words:
        needle = words.casefold()
        text = shown[["outlet", "title", "author"]].astype(str).agg(" ".join, axis=1)
        shown = shown[text.str.casefold().str.contains(needle, regex=False)]
    if types:
        shown = shown[shown["outlet type"].isin(types)]
    if state != "all":
        shown = shown[shown["unverified"] == (state == "unverified")]
    st.dataframe(
        shown.drop(columns=["unverified"]),
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn("link", display_text="open"),
            "on the map": st.column_config.LinkColumn("on the map", display_text="show events"),
        },
    )
    st.caption(f"{len(shown)} of {len(table)} sources shown.")


def _link_value(key: str) -> str | None:
    value = st.query_params.get(key)
    if value is None or not value.strip():
        return None
    return value.strip()[:MAX_VALUE_CHARS]
