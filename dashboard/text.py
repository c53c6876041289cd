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


# The record's fixed vocabularies (ACLED's sub-event types, the kinds of figure and period, who
# claims a figure, its qualifier) as the page names them; a value outside them is shown as is.
TERMS: dict[str, str] = {
    # ACLED sub-event types
    "Peaceful protest": N_("Peaceful protest"),
    "Protest with intervention": N_("Protest with intervention"),
    "Excessive force against protesters": N_("Excessive force against protesters"),
    "Violent demonstration": N_("Violent demonstration"),
    "Mob violence": N_("Mob violence"),
    "Armed clash": N_("Armed clash"),
    "Attack": N_("Attack"),
    "Arrests": N_("Arrests"),
    "Looting/property destruction": N_("Looting/property destruction"),
    "Change to group/activity": N_("Change to group/activity"),
    "Disrupted weapons use": N_("Disrupted weapons use"),
    "Agreement": N_("Agreement"),
    "Abduction/forced disappearance": N_("Abduction/forced disappearance"),
    "Sexual violence": N_("Sexual violence"),
    "Grenade": N_("Grenade"),
    "Other": N_("Other"),
    # kinds of figure
    "other": N_("other"),
    "arrests": N_("arrests"),
    "deaths": N_("deaths"),
    "injuries": N_("injuries"),
    "crowd": N_("crowd"),
    "death toll": N_("death toll"),
    "damage": N_("damage"),
    "fuel_price": N_("fuel price"),
    "troops": N_("troops"),
    "aircraft": N_("aircraft"),
    "claim": N_("claim"),
    # who claims a figure
    "officials": N_("officials"),
    "independent media": N_("independent media"),
    "civil society": N_("civil society"),
    "state media": N_("state media"),
    "analyst": N_("analyst"),
    "health ministry": N_("health ministry"),
    "foreign government": N_("foreign government"),
    "international organisation": N_("international organisation"),
    # qualifiers
    "exact": N_("exact"),
    "about": N_("about"),
    "more than": N_("more than"),
    "at least": N_("at least"),
    "nearly": N_("nearly"),
    "up to": N_("up to"),
    # kinds of period
    "internet blackout": N_("internet blackout"),
    "state of emergency": N_("state of emergency"),
    "curfew": N_("curfew"),
    # a figure's or an event's scope
    "national": N_("national"),
}


def term(value: object) -> str:
    """A vocabulary value (``TERMS``) in the page's language; other values as they are."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return tr(TERMS[text]) if text in TERMS else text
