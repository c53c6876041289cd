"""Frames -> folium objects. Pure: no streamlit. Every data string is escaped by ``escape_html``.

The base map never changes between reruns (so streamlit-folium keeps its iframe, and the user's
zoom and pan); everything that follows the filters is one ``FeatureGroup`` holding a single
GeoJSON layer with one point per place, drawn as circle markers by a small JS hook.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import branca.element
import folium
import jinja2
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode
from jinja2.utils import htmlsafe_json_dumps

from dashboard.data import CATEGORIES, Record
from dashboard.text import (
    CATEGORY_COLOURS,
    DOMINANT_CATEGORIES,
    DOMINANT_MIXED,
    DOMINANT_OTHER,
    category_label,
    escape_html,
    shorten,
)


class CircleFrames(Protocol):
    """What the map draws (``query.Circles``): places drawn alone (counts, names,
    coordinates, biggest first), areas (smaller places summed), and each place's first events
    in view for its popup."""

    @property
    def places(self) -> pd.DataFrame: ...
    @property
    def areas(self) -> pd.DataFrame: ...
    @property
    def popup_events(self) -> pd.DataFrame: ...


OUTLINE_STYLE = {"color": "#4d4d4d", "weight": 1.2, "opacity": 0.7, "fill": False}
# Places named on the map when tiles do not load (the ones with most events), and how long to
# wait for a first tile before naming them.
MAX_LABELS = 40
TILE_WAIT_MS = 6000
NOTE_LIMIT = 300
# Bytes of popup text one map update may carry (see ``_share_out``).
LAYER_BYTE_BUDGET = 160_000
MIN_ZOOM, MAX_ZOOM = 3, 14


class _Literal:
    """A stand-in for a Jinja template whose source has no Jinja syntax: renders as Jinja would
    (line breaks normalised to ``\\n``, one trailing line break dropped)."""

    def __init__(self, source: str) -> None:
        text = source.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args: object, **kwargs: object) -> str:
        return self.text


_JINJA_SYNTAX = re.compile(r"\{[{%#]")


@functools.lru_cache(maxsize=128)
def _compiled(source: str) -> jinja2.Template:
    return jinja2.Template(source)


def _element_template(source: str) -> jinja2.Template | _Literal:
    """What branca's ``Element(template)`` compiles. branca wraps each rendered script (the
    whole GeoJSON layer among them) in an Element and compiles it as a Jinja template, some 30
    compilations per map on every rerun: a fifth of a rerun's time. A source with no Jinja
    syntax renders as itself, so it is kept as text; the rest compile once per process."""
    if _JINJA_SYNTAX.search(source) is None:
        return _Literal(source)
    return _compiled(source)


_PATCH_LOCK = threading.Lock()
_PATCH_USERS = 0


@contextlib.contextmanager
def literal_scripts() -> Iterator[None]:
    """While inside, branca keeps Jinja-free rendered scripts as text (see
    ``_element_template``) instead of compiling each one. Only the map's own render is sped
    up: the patch is undone when the last user leaves, and sessions may overlap."""
    global _PATCH_USERS
    with _PATCH_LOCK:
        if _PATCH_USERS == 0:
            branca.element.Template = _element_template  # type: ignore[assignment, misc]
        _PATCH_USERS += 1
    try:
        yield
    finally:
        with _PATCH_LOCK:
            _PATCH_USERS -= 1
            if _PATCH_USERS == 0:
                branca.element.Template = jinja2.Template  # type: ignore[misc]


# What a place's circle is coloured by: its dominant category, or a neutral.
COLOURS: dict[str, str] = {
    **{c: CATEGORY_COLOURS[c] for c in DOMINANT_CATEGORIES},
    DOMINANT_MIXED: "#b2abd2",
    DOMINANT_OTHER: "#7f7f7f",
}
LEGEND: dict[str, str] = {
    "protest": "mostly protest",
    "riot": "mostly riots or attacks",
    "crackdown": "mostly crackdown",
    DOMINANT_MIXED: "no single kind dominates",
    DOMINANT_OTHER: "government response or context only",
}


class MapStyle(MacroElement):
    """The map's own CSS: long data text wraps inside tooltips and popups (a 5,000-character
    name stays a box, not a line across the screen), and the tile-less look of TileFallback."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.leaflet-tooltip { white-space: normal; max-width: 22em; overflow-wrap: anywhere; }
.leaflet-popup-content { overflow-wrap: anywhere; }
.leaflet-tooltip.qm-label { display: none; background: transparent; border: none;
    box-shadow: none; padding: 0 2px; color: #222; font: 12px/1.2 sans-serif;
    text-shadow: 0 0 3px #fff, 0 0 3px #fff; max-width: 12em; overflow: hidden;
    text-overflow: ellipsis; white-space: nowrap; }
.leaflet-tooltip.qm-label::before { display: none; }
.qm-no-tiles { background: #eef1f4; }
.qm-no-tiles .leaflet-tile-pane { display: none; }
.qm-no-tiles .leaflet-tooltip.qm-label { display: block; }
</style>
{% endmacro %}
"""
    )


class TileFallback(MacroElement):
    """A map that still reads when no tile loads (tile servers blocked or offline): if a tile
    fails, or none has loaded after ``TILE_WAIT_MS``, the map gets the class ``qm-no-tiles``,
    which hides the tile pane and shows a permanent label on each of ``labels`` (escaped
    names with their coordinates). The first tile that loads takes the class away again."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, labels) {
    var box = map.getContainer(), loaded = false;
    function noTiles() { if (!loaded) { box.classList.add("qm-no-tiles"); } }
    labels.forEach(function (place) {
        L.tooltip([place[1], place[2]], {content: place[0], permanent: true, direction: "right",
                                         offset: [6, 0], className: "qm-label"}).addTo(map);
    });
    map.eachLayer(function (layer) {
        if (layer instanceof L.TileLayer) {
            layer.on("tileload", function () {
                loaded = true;
                box.classList.remove("qm-no-tiles");
            });
            layer.on("tileerror", noTiles);
        }
    });
    setTimeout(noTiles, {{ this.wait_ms|tojson }});
})({{ this._parent.get_name() }}, {{ this.labels|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, labels: list[tuple[str, float, float]], wait_ms: int = TILE_WAIT_MS) -> None:
        super().__init__()
        self._name = "TileFallback"
        self.labels = [[escape_html(name), float(lat), float(lon)] for name, lat, lon in labels]
        self.wait_ms = wait_ms


@functools.cache
def _outline_text(path: Path) -> str:
    return path.read_text("utf-8")


def country_outline(path: Path) -> folium.GeoJson:
    """A country's border as a thin, non-interactive line (a fresh layer on each call)."""
    outline = json.loads(_outline_text(path))
    for feature in outline["features"]:
        feature["properties"] = {"style": OUTLINE_STYLE}
    return folium.GeoJson(outline, name="outline", control=False, interactive=False)


def label_places(record: Record, limit: int = MAX_LABELS) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of the ``limit`` places with the most events, most first."""
    busiest = record.events["city_id"].value_counts().index[:limit]
    places = record.cities.loc[busiest]
    return list(zip(places["name"], places["lat"], places["lon"], strict=True))


def base_map(
    bbox: tuple[float, float, float, float],
    asset_urls: Mapping[str, str] | None = None,
    labels: list[tuple[str, float, float]] | None = None,
    outline: Path | None = None,
) -> folium.Map:
    """The constant base map of a record: it opens on the record's ``bbox`` (west, south, east,
    north). Build a fresh one per rerun; never reuse it.

    ``asset_urls`` (CDN URL -> URL on this server, see ``assets.self_hosted_urls``) makes the
    map load folium's scripts and stylesheets from there; folium's assets with no entry are left
    out. ``labels`` are the places named when no tiles load (see ``label_places``); ``outline``
    a GeoJSON file of the country's border, drawn under the circles.
    """
    west, south, east, north = bbox
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=5,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        tiles="OpenStreetMap",
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    if asset_urls is not None:
        # instance attributes: folium and streamlit-folium read these lists from the map
        fmap.default_js = [(n, asset_urls[u]) for n, u in folium.Map.default_js if u in asset_urls]
        fmap.default_css = [
            (n, asset_urls[u]) for n, u in folium.Map.default_css if u in asset_urls
        ]
    fmap.fit_bounds([[south, west], [north, east]])
    if outline is not None:
        country_outline(outline).add_to(fmap)
    MapStyle().add_to(fmap)
    TileFallback(labels or []).add_to(fmap)
    return fmap


def radius_for(n_events: int) -> float:
    """Circle radius in pixels: area grows with the number of events."""
    return round(5.0 + 3.2 * n_events**0.5, 1)


# A place's outline says how precisely its events in view are known: solid when every date and
# place is exact, dashed when none is, dash-dot when some are (the tooltip gives the count).
OUTLINE_DASHES: dict[str, str | None] = {
    "exact": None,
    "mixed": "8 3 1 3",
    "approximate": "3 3",
}

# Styles each circle from its feature's properties and binds the (pre-escaped) tooltip and popup.
_ON_EACH_FEATURE = JsCode(
    """
function (feature, layer) {
    var p = feature.properties;
    var OUTLINE_DASHES = """
    + json.dumps(OUTLINE_DASHES)
    + """;
    layer.options.className = "qm-city qm-" + p.dominant;
    var weight = p.selected ? 4 : (p.precision == "exact" ? 1.5 : 2);
    layer.setStyle({radius: p.radius, color: p.selected ? "#000000" : p.colour,
                    fillColor: p.colour, weight: weight, dashArray: OUTLINE_DASHES[p.precision],
                    opacity: 0.9, fillOpacity: 0.55});
    layer.bindTooltip(p.tooltip, {sticky: true});
    layer.bindPopup(p.popup, {maxWidth: 380, maxHeight: 320});
    layer.on("add", function () {
        if (layer._path) { layer._path.setAttribute("data-city-id", p.city_id); }
        if (p.open) { setTimeout(function () { layer.openPopup(); }, 0); }
    });
}
"""
)


_LINE_COLUMNS = (
    "city_id",
    "event_date",
    "time_precision",
    "geo_precision",
    "category",
    "sub_event_type",
    "notes",
    "source",
)


def _event_line(event: Any) -> str:
    """One event as a popup list item; ``event`` is an ``itertuples`` row of _LINE_COLUMNS."""
    approx = []
    if event.time_precision > 1:
        approx.append("date approximate")
    if event.geo_precision > 1:
        approx.append("place approximate")
    flag = f" <i>({escape_html(', '.join(approx))})</i>" if approx else ""
    when = event.event_date.strftime("%-d %b %Y")
    return (
        f"<li><b>{escape_html(when)}</b> · {escape_html(category_label(event.category))}"
        f" · {escape_html(event.sub_event_type)}{flag}<br>"
        f"{escape_html(shorten(event.notes, NOTE_LIMIT))}"
        f" <span style='color:#555'>— {escape_html(shorten(event.source, 120))}</span></li>"
    )


def _counts_text(totals: dict[str, Any]) -> str:
    n = int(totals["events"])
    detail = ", ".join(
        f"{int(totals[c])} {category_label(c).lower()}" for c in CATEGORIES if int(totals[c]) > 0
    )
    approximate = n - int(totals["exact"])
    known = (
        f"<br>{'all' if approximate == n else approximate} with an approximate date or place"
        if approximate
        else ""
    )
    return f"{n} event{'s' if n != 1 else ''}: {escape_html(detail)}{known}"


def precision_of(events: int, exact: int) -> str:
    """How precisely a place's events in view are known: exact, mixed or approximate."""
    if exact >= events:
        return "exact"
    return "approximate" if exact == 0 else "mixed"


AREA_TOOLTIP = "smaller places in this area"
_LIST_OPEN = "<ol style='padding-left:1.2em;margin:0.4em 0'>"


def _place_popup(place: dict[str, Any], lines: list[str]) -> str:
    local = " / ".join(escape_html(v) for v in (place["name_kk"], place["name_ru"]) if v)
    parts = [
        f"<div class='qm-popup'><b>{escape_html(place['name'])}</b>",
        f" <span style='color:#555'>{local}</span>" if local else "",
        f"<br><small>{_counts_text(place)}</small>",
    ]
    if lines:
        parts += [_LIST_OPEN, *lines, "</ol>"]
    more = int(place["events"]) - len(lines)
    if more > 0:
        also = "and " if lines else ""
        parts.append(
            f"<br><small>… {also}{more} more: click the circle to list them below the map</small>"
        )
    parts.append("</div>")
    return "".join(parts)


def _area_popup(area: dict[str, Any]) -> str:
    names = [f"<li>{escape_html(name)}: {events}</li>" for name, events in area["biggest"]]
    more = area["places"] - len(names)
    return "".join(
        [
            f"<div class='qm-popup'><b>{area['places']} smaller places in this area</b>",
            f"<br><small>{_counts_text(area)}</small>",
            _LIST_OPEN,
            *names,
            "</ol>",
            f"<small>… and {more} more. </small>" if more > 0 else "",
            "<small>Pick a place in the Place box to see its events.</small></div>",
        ]
    )


def _feature(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def sent_size(value: object) -> int:
    """Bytes ``value`` costs in the page update once folium has written it into the map's
    script (Jinja's ``tojson``: ``< > & '`` and non-ASCII become ``\\uXXXX``) and the
    component's arguments are JSON again (every backslash and quote escaped once more)."""
    return len(json.dumps(str(htmlsafe_json_dumps(value))))


# What a popup's first line adds besides the line: the list around it and "and " in "… and N".
_LIST_WRAPPER_SIZE = sent_size(_LIST_OPEN + "</ol>and ")


def _share_out(
    lines: dict[str, list[str]], order: list[str], selected: str | None, budget: int
) -> dict[str, list[str]]:
    """Popup lines to keep: all of the selected place's, then every other place's first line,
    then every place's second, ... while their sent size stays within ``budget`` bytes."""
    kept: dict[str, list[str]] = {city: [] for city in order}
    used = 0
    if selected in kept:
        kept[selected] = lines.get(selected, [])
        used = sum(sent_size(line) for line in kept[selected])
    others = [city for city in order if city != selected]
    for depth in range(max((len(mine) for mine in lines.values()), default=0)):
        for city in others:
            mine = lines.get(city, [])
            if depth < len(mine):
                used += sent_size(mine[depth]) + (_LIST_WRAPPER_SIZE if depth == 0 else 0)
                if used > budget:
                    return kept
                kept[city].append(mine[depth])
    return kept


def _place_feature(
    place: dict[str, Any], lines: list[str], selected: str | None, open_popup: bool = False
) -> dict:
    city_id = place["city_id"]
    return _feature(
        place["lon"],
        place["lat"],
        {
            "city_id": escape_html(city_id),
            "dominant": place["dominant"],
            "colour": COLOURS[place["dominant"]],
            "radius": radius_for(int(place["events"])),
            "precision": precision_of(int(place["events"]), int(place["exact"])),
            "selected": city_id == selected,
            "open": open_popup and city_id == selected,
            "tooltip": f"<b>{escape_html(place['name'])}</b><br>{_counts_text(place)}",
            "popup": _place_popup(place, lines),
        },
    )


def _area_feature(area: dict[str, Any]) -> dict:
    return _feature(
        area["lon"],
        area["lat"],
        {
            "city_id": area["area_id"],
            "dominant": area["dominant"],
            "colour": COLOURS[area["dominant"]],
            "radius": radius_for(area["events"]),
            "precision": "approximate",  # several places summed at one point
            "selected": False,
            "tooltip": f"<b>{area['places']} {AREA_TOOLTIP}</b><br>{_counts_text(area)}",
            "popup": _area_popup(area),
        },
    )


def city_features(
    circles: CircleFrames, selected: str | None = None, open_popup: bool = False
) -> list[dict[str, object]]:
    """One GeoJSON Point feature per circle of ``circles`` (``query.circles``): places drawn
    alone, then areas. Popups list each place's first events in view: all of
    ``popup_events`` for the selected place; the others share what is left of
    LAYER_BYTE_BUDGET (bytes as sent, see ``sent_size``) evenly (a place left with none says how to list its events). With
    ``open_popup`` the selected place's popup opens when drawn (after a click selected it: the
    redraw that follows the click would otherwise close it)."""
    singles = [{str(k): v for k, v in row.items()} for row in circles.places.to_dict("records")]
    areas = [
        _area_feature({str(k): v for k, v in a.items()}) for a in circles.areas.to_dict("records")
    ]
    lines: dict[str, list[str]] = {}
    for event in circles.popup_events[list(_LINE_COLUMNS)].itertuples(index=False):
        lines.setdefault(str(event.city_id), []).append(_event_line(event))
    bare = [_place_feature(place, [], selected) for place in singles] + areas
    room = LAYER_BYTE_BUDGET - sent_size(bare)
    kept = _share_out(lines, [p["city_id"] for p in singles], selected, room)
    return [
        _place_feature(place, kept[place["city_id"]], selected, open_popup) for place in singles
    ] + areas


def city_layer(
    circles: CircleFrames, selected: str | None = None, open_popup: bool = False
) -> folium.FeatureGroup:
    """The feature group that follows the filters: one GeoJSON layer of place circles."""
    group = folium.FeatureGroup(name="Places with events")
    folium.GeoJson(
        {"type": "FeatureCollection", "features": city_features(circles, selected, open_popup)},
        name="places",
        marker=folium.CircleMarker(radius=6, fill=True),
        on_each_feature=_ON_EACH_FEATURE,
    ).add_to(group)
    return group


def legend_items() -> Iterable[tuple[str, str]]:
    """(colour, label) pairs for the map legend."""
    return [(COLOURS[k], LEGEND[k]) for k in LEGEND]
