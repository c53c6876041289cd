"""The Sources page: every source with how it was checked and what cites it; filterable, and
linked both ways with the map (``?event=ID`` shows an event's sources, each row links back)."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from dashboard import i18n, session, sourcebook
from dashboard.i18n import N_, tr
from dashboard.text import escape_markdown, term

MAX_VALUE_CHARS = 40
# The table's columns as the page names them (``sourcebook.source_rows``' names are the keys).
COLUMNS = {
    "id": N_("id"),
    "outlet": N_("outlet"),
    "title": N_("title"),
    "author": N_("author"),
    "published": N_("published"),
    "link": N_("link"),
    "checked": N_("checked"),
    "stored copy": N_("stored copy"),
    "outlet type": N_("outlet type"),
    "cited by": N_("cited by"),
    "on the map": N_("on the map"),
}
CHECKED = {"all": N_("all"), "found": N_("found"), "unverified": N_("unverified")}


def render() -> None:
    _, index, problems, _ = session.served_record()
    st.title(tr("Sources"))
    if index is None:
        st.error(tr("The record could not be loaded; see the map page for its problems."))
        session.show_problems(problems)
        return
    record = index.record
    table = sourcebook.source_rows(record)
    table["outlet type"] = table["outlet type"].map(term)
    table["checked"] = table["checked"].map(lambda c: tr("not found") if c == "not found" else c)
    st.caption(
        tr(
            "Every source the record cites ({n}), with how its stored copy was checked and the "
            "events and figures that rest on it. A source marked unverified could not be found; "
            "every claim that cites one also cites a found source.",
            n=len(table),
        )
    )
    event = _link_value("event")
    if event is not None and event not in set(record.events["event_id_cnty"]):
        st.warning(
            tr(
                "The event {event} is not in the record; all sources shown.",
                event=escape_markdown(event),
            )
        )
        event = None
    lang = i18n.current()
    session.keep_language_in_link()
    search, kind, checked = st.columns([3, 2, 2], vertical_alignment="bottom")
    words = search.text_input(tr("Search outlet, title or author"), key="source_search")
    types = kind.multiselect(
        tr("Outlet type"), sorted(set(table["outlet type"]) - {""}), key=f"types_{lang}"
    )
    state = checked.selectbox(
        tr("Checked"),
        list(CHECKED),
        format_func=lambda c: tr(CHECKED[c]),
        key="checked_filter",
        help=tr("Whether each source's stored copy was found and read"),
    )
    shown = table
    if event is not None:
        ids = set(sourcebook.source_ids_of(record, event))
        shown = shown[shown["id"].isin(ids)]
        st.info(tr("Sources of event {event}.", event=escape_markdown(event)))
        back = f"/?event={quote(event, safe='')}" + (f"&lang={lang}" if lang != "en" else "")
        everything = "/sources" + (f"?lang={lang}" if lang != "en" else "")
        st.markdown(
            "[" + tr("Back to this event on the map") + f"]({back}) · "
            "[" + tr("All sources") + f"]({everything})"
        )
    if words:
        needle = words.casefold()
        text = shown[["outlet", "title", "author"]].astype(str).agg(" ".join, axis=1)
        shown = shown[text.str.casefold().str.contains(needle, regex=False)]
    if types:
        shown = shown[shown["outlet type"].isin(types)]
    if state != "all":
        shown = shown[shown["unverified"] == (state == "unverified")]
    if lang != "en":
        shown = shown.assign(
            **{"on the map": shown["on the map"].map(lambda u: u and f"{u}&lang={lang}")}
        )
    names = {key: tr(label) for key, label in COLUMNS.items()}
    st.dataframe(
        shown.drop(columns=["unverified"]).rename(columns=names),
        hide_index=True,
        width="stretch",
        column_config={
            names["link"]: st.column_config.LinkColumn(names["link"], display_text=tr("open")),
            names["on the map"]: st.column_config.LinkColumn(
                names["on the map"], display_text=tr("show events")
            ),
        },
    )
    st.caption(tr("{shown} of {all} sources shown.", shown=len(shown), all=len(table)))


def _link_value(key: str) -> str | None:
    value = st.query_params.get(key)
    if value is None or not value.strip():
        return None
    return value.strip()[:MAX_VALUE_CHARS]
