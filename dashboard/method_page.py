"""The Method page: how the record is built and checked, what the categories hold, precision,
corroboration, contested figures, what is missing, how to cite and correct, and the licences.
The text is one Markdown file per language (``pages_text/method[.LANG].md``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import i18n, session, sourcebook
from dashboard.i18n import tr

TEXT_DIR = Path(__file__).resolve().parent / "pages_text"


def method_text(language: str) -> str:
    """The page's text in ``language`` (English when there is no translation)."""
    translated = TEXT_DIR / f"method.{language}.md"
    return (translated if translated.is_file() else TEXT_DIR / "method.md").read_text("utf-8")


def render() -> None:
    st.title(tr("Method"))
    session.keep_language_in_link()
    lang = i18n.current()
    _, index, _, _ = session.served_record()
    if index is not None:
        record = index.record
        unverified = len(sourcebook.unverified_sources(record))
        st.caption(
            tr(
                "Record version {version}: {events} events at {places} places, {figures} "
                "figures, {periods} periods, {sources} sources ({found} found and read, "
                "{unverified} unverified).",
                version=record.version,
                events=len(record.events),
                places=len(record.cities),
                figures=len(record.figures),
                periods=len(record.periods),
                sources=len(record.sources),
                found=len(record.sources) - unverified,
                unverified=unverified,
            )
        )
    st.markdown(method_text(lang))
    suffix = f"?lang={lang}" if lang != i18n.DEFAULT else ""
    the_map, the_sources = tr("The map"), tr("The sources")
    st.markdown(f"[{the_map}](/{suffix}) · [{the_sources}](/sources{suffix})")
