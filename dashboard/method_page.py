"""The Method page: how the record is built and checked, what the categories hold, precision,
corroboration, contested figures, what is missing, how to cite and correct, and the licences."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import session, sourcebook

METHOD_TEXT = Path(__file__).resolve().parent / "pages_text" / "method.md"


def render() -> None:
    st.title("Method")
    _, index, _, _ = session.served_record()
    if index is not None:
        record = index.record
        unverified = len(sourcebook.unverified_sources(record))
        st.caption(
            f"Record version {record.version}: {len(record.events)} events at "
            f"{len(record.cities)} places, {len(record.figures)} figures, {len(record.periods)} "
            f"periods, {len(record.sources)} sources ({len(record.sources) - unverified} found "
            f"and read, {unverified} unverified)."
        )
    st.markdown(METHOD_TEXT.read_text("utf-8"))
    st.markdown("[The map](/) · [The sources](/sources)")
