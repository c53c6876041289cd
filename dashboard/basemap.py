"""The constant base map: tiles, the country outline, the map's own style, place labels when
no tile loads, and a scoped speed-up of branca's rendering. Pure: no streamlit.

The base map never changes between reruns (so streamlit-folium keeps its iframe, and the user's
zoom and pan); what follows the filters is in ``mapview``'s layers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import branca.element
import folium
import jinja2
from branca.element import MacroElement
from folium.template import Template

from dashboard.data import Record
from dashboard.text import escape_html

OUTLINE_STYLE = {"color": "#4d4d4d", "weight": 1.2, "opacity": 0.7, "fill": False}
# Places named on the map when tiles do not load (the ones with most events), and how long to
# wait for a first tile before naming them.
MAX_LABELS = 40
TILE_WAIT_MS = 6000
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


class MapStyle(MacroElement):
    """The map's own CSS: long data text wraps inside tooltips and popups (a 5,000-character
    name stays a box, not a line across the screen), and the tile-less look of TileFallback."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.leaflet-tooltip { white-space: normal; width: max-content; max-width: 22em;
    overflow-wrap: anywhere; }
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
    names with their coordinates, busiest first; a label that would overlap one before it is
    hidden at that zoom). The first tile that loads takes the class away again."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, labels) {
    var box = map.getContainer(), loaded = false;
    function noTiles() { if (!loaded) { box.classList.add("qm-no-tiles"); declutter(); } }
    var tips = labels.map(function (place) {
        return L.tooltip([place[1], place[2]], {content: place[0], permanent: true,
                         direction: "right", offset: [6, 0], className: "qm-label"}).addTo(map);
    });
    // Labels never overlap: busiest place first, a label that would cover one already shown
    // is hidden at this zoom (a phone's narrow map shows fewer names, all readable).
    function declutter() {
        var shown = [];
        tips.forEach(function (tip) {
            var el = tip.getElement();
            if (!el) { return; }
            el.style.visibility = "";
            var r = el.getBoundingClientRect();
            var hit = r.width > 0 && shown.some(function (s) {
                return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
            });
            if (hit) { el.style.visibility = "hidden"; } else if (r.width > 0) { shown.push(r); }
        });
    }
    map.on("zoomend moveend resize", declutter);
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
    start: tuple[tuple[float, float], float] | None = None,
) -> folium.Map:
    """The constant base map of a record: it opens on the record's ``bbox`` (west, south, east,
    north). Build a fresh one per rerun; never reuse it.

    ``asset_urls`` (CDN URL -> URL on this server, see ``assets.self_hosted_urls``) makes the
    map load folium's scripts and stylesheets from there; folium's assets with no entry are left
    out. ``labels`` are the places named when no tiles load (see ``label_places``); ``outline``
    a GeoJSON file of the country's border, drawn under the circles. ``start`` ((lat, lon), zoom)
    opens the map there instead (a link's position): keep it fixed for a session, so the base map
    stays the same between reruns.
    """
    west, south, east, north = bbox
    centre, zoom = start if start is not None else (((south + north) / 2, (west + east) / 2), 5)
    fmap = folium.Map(
        location=list(centre),
        zoom_start=zoom,  # type: ignore[arg-type]  # Leaflet takes fractional zoom
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
    if start is None:
        fmap.fit_bounds([[south, west], [north, east]])
    if outline is not None:
        country_outline(outline).add_to(fmap)
    MapStyle().add_to(fmap)
    TileFallback(labels or []).add_to(fmap)
    return fmap
