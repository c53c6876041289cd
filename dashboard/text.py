"""Text that reaches a page: escaping, formula neutralising, labels and the one palette.

Every data string that ends up in HTML, in folium's scripts or in Streamlit's Markdown passes
through one function here. Pure: no streamlit.
"""

from __future__ import annotations

import re

from markupsafe import escape

from dashboard.i18n import N_, tr

# Characters that are harmless in HTML text but are syntax one level further down: JS template
# literals and Leaflet read `` ` `` and ``$``, a backslash-digit ends a JS string early, and
# branca passes every rendered script through Jinja again, so ``{% endif %}`` in a note would
# stop the map. markupsafe handles ``& < > " '``.
_JS_SIGNIFICANT = {
    ord("`"): "&#96;",
    ord("$"): "&#36;",
    ord("\\"): "&#92;",
    ord("{"): "&#123;",
    ord("}"): "&#125;",
}


def escape_html(value: object) -> str:
    """Any data value as safe HTML text, also safe inside folium's JS templates."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(escape(str(value))).translate(_JS_SIGNIFICANT)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=^\"'])")
# GFM turns bare addresses into links after escapes are read: a word joiner (U+2060, invisible)
# after these keeps "http://", "www." and "a@b.c" from being recognised.
_AUTOLINK_STARTS = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www|@)")


def escape_markdown(value: object) -> str:
    """The Markdown counterpart of ``escape_html``, for data text in Streamlit elements that
    render Markdown (headings, captions, tab labels): one line, every ASCII punctuation mark
    that Markdown or Streamlit's extensions (links, images, HTML, ``:colour[...]``, ``$math$``)
    could read as syntax backslash-escaped, and no bare address turned into a link."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = _AUTOLINK_STARTS.sub("\\1\u2060", " ".join(str(value).split()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def shorten(text: object, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --------------------------------------------------------------------------- labels + palette

CATEGORY_LABELS: dict[str, str] = {
    "protest": N_("Protest"),
    "riot": N_("Riot or attack"),
    "crackdown": N_("Crackdown"),
    "government response": N_("Government response"),
    "context": N_("Context"),
}

# Colour-blind-safe (Okabe-Ito based): protest orange, riot vermilion-brown, crackdown purple,
# government green, context light grey (tests/test_palette.py checks them under colour-blind
# simulations). One palette for the map, the charts and the legend.
CATEGORY_COLOURS: dict[str, str] = {
    "protest": "#e69f00",
    "riot": "#a6361c",
    "crackdown": "#5d3a9b",
    "government response": "#009e73",
    "context": "#bbbbbb",
}

# What a place's circle is coloured by: the category with most events among these, "mixed" for a
# tie, "other" when it has none of them (government response or context only).
DOMINANT_CATEGORIES: tuple[str, ...] = ("protest", "riot", "crackdown")
DOMINANT_MIXED = "mixed"
DOMINANT_OTHER = "other"

PERIOD_COLOURS: dict[str, str] = {
    "internet blackout": "#d73027",
    "state of emergency": "#fdae61",
    "curfew": "#4575b4",
}


def category_label(category: str) -> str:
    """How a category is named on the page."""
    return tr(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category.capitalize()


def precision_text(time_precision: int, geo_precision: int) -> str:
    """``exact``, or which of date and place is approximate."""
    parts = [
        label
        for label, approximate in (
            (tr("date approximate"), time_precision > 1),
            (tr("place approximate"), geo_precision > 1),
        )
        if approximate
    ]
    return ", ".join(parts) or tr("exact")
