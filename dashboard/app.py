"""Streamlit entry point: the page set-up and the pages. Run with
``streamlit run dashboard/app.py``.

The file has two roles. ``streamlit run`` finds the ``st.App`` below and serves it; the server
imports this file as a module (``__name__`` is ``"app"``) and the App's lifespan warms the
record before the first reader arrives (``session.warm``). Every session then runs this file as
its script (``__name__`` is ``"__main__"``), which draws the pages. The App also answers the
live map's popups (``popups.ROUTE``).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ (not the repo) on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import i18n, popups, session  # noqa: E402
from dashboard.i18n import tr  # noqa: E402

# The switch is named in every language: whoever cannot read the page can still find it.
LANGUAGE_LABEL = "Язык · Тіл · Language"


def draw() -> None:
    """One run of the script: the page set-up, the language switch and the pages."""
    # Imported here, in a run: streamlit-folium registers its component on import, which only
    # takes once the server's runtime exists (not yet when the server imports this file).
    from dashboard import map_page, method_page, sources_page

    session.language()  # before anything is drawn: every string below is in the reader's language
    st.set_page_config(
        page_title=tr("Qantar Map: the January 2022 unrest in Kazakhstan, mapped with sources"),
        page_icon="🗺️",
        layout="wide",
        menu_items={
            "About": tr(
                "Qantar Map: an open, sourced map of the January 2022 unrest in Kazakhstan."
            )
        },
    )
    st.radio(
        LANGUAGE_LABEL,
        list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.__getitem__,
        horizontal=True,
        key="lang",
        label_visibility="collapsed",
    )

    # The map is the default page at "/", so links made before there were pages keep working.
    pages = [
        st.Page(
            map_page.render, title=tr("Map"), icon=":material/map:", url_path="map", default=True
        ),
        st.Page(
            sources_page.render,
            title=tr("Sources"),
            icon=":material/menu_book:",
            url_path="sources",
        ),
        st.Page(method_page.render, title=tr("Method"), icon=":material/info:", url_path="method"),
    ]
    # embedded (?embed=true), the map page alone: its link back leads to the other pages
    shown = len(pages) > 1 and not st.context.is_embedded
    st.navigation(pages, position="top" if shown else "hidden").run()


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """While the server starts: warm the record in the background (a reader who comes sooner
    waits for the same work, not for it twice)."""
    session.start_warming()
    yield


if __name__ == "__main__":
    draw()
else:
    app = st.App(__file__, lifespan=lifespan, routes=[popups.ROUTE])
