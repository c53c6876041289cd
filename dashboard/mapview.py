"""Frames -> folium objects. Pure: no streamlit. Every data string is escaped by ``escape_html``.

The base map never changes between reruns (so streamlit-folium keeps its iframe, and the user's
zoom and pan); everything that follows the filters is one ``FeatureGroup`` holding a single
GeoJSON layer with one point per place, drawn as circle markers by a small JS hook.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from dashboard.data import CATEGORIES, Record
from dashboard.query import DOMINANT_CRACKDOWN, DOMINANT_MIXED, DOMINANT_OTHER, DOMINANT_PROTEST

MAP_CENTER: tuple[float, float] = (48.0, 67.0)
MAP_ZOOM = 5
# Kazakhstan's extent as [[south, west], [north, east]]: the first view fits it to any screen.
FIT_BOUNDS: list[list[float]] = [[40.6, 46.5], [55.4, 87.3]]
POPUP_EVENT_LIMIT = 12
NOTE_LIMIT = 300

# Colour-blind-safe pair (orange / purple) plus neutrals.
COLOURS: dict[str, str] = {
    DOMINANT_PROTEST: "#e66100",
    DOMINANT_CRACKDOWN: "#5d3a9b",
    DOMINANT_MIXED: "#b2abd2",
    DOMINANT_OTHER: "#7f7f7f",
}
LEGEND: dict[str, str] = {
    DOMINANT_PROTEST: "mostly protest",
    DOMINANT_CRACKDOWN: "mostly crackdown",
    DOMINANT_MIXED: "as many protest as crackdown events",
    DOMINANT_OTHER: "government response or context only",
}

_ESCAPES = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#x27;",
    ord("`"): "&#96;",
    ord("$"): "&#36;",
    ord("\\"): "&#92;",
}


def escape_html(value: object) -> str:
    """Make any data value safe as HTML text and inside folium's JS templates.

    HTML entities for ``& < > " '`` plus `` ` ``, ``$`` and ``\\`` (which folium's templates
    and Leaflet would otherwise read as template syntax or escapes).
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).translate(_ESCAPES)


def _short(text: object, limit: int = NOTE_LIMIT) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


class MapPositionInLink(MacroElement):
    """Keeps the page's address in step with the map: ``lat``, ``lon`` and ``z`` follow every
    pan and zoom without a rerun of the script. The map's iframe is same-origin with the page,
    so it can rewrite the page's query string; Streamlit's own query-string updates are passed
    through a wrapper that adds the current position."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var page = window.parent;
    try { void page.location.href; } catch (e) { return; }
    page.__qantarMapPosition = function (url) {
        var u = new URL(url === undefined || url === null ? page.location.href : url,
                        page.location.href);
        var c = map.getCenter();
        u.searchParams.set("lat", c.lat.toFixed(4));
        u.searchParams.set("lon", c.lng.toFixed(4));
        u.searchParams.set("z", String(Math.round(map.getZoom() * 100) / 100));
        return u.pathname + u.search + u.hash;
    };
    if (!page.__qantarHistoryPatched) {
        page.__qantarHistoryPatched = true;
        ["pushState", "replaceState"].forEach(function (name) {
            var original = page.history[name];
            page.history[name] = function (state, title, url) {
                var position = page.__qantarMapPosition;
                return original.call(page.history, state, title, position ? position(url) : url);
            };
        });
    }
    map.on("moveend", function () {
        page.history.replaceState(page.history.state, "", page.location.href);
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )


def base_map() -> folium.Map:
    """The constant base map of Kazakhstan. Build a fresh one per rerun; never reuse it."""
    fmap = folium.Map(
        location=list(MAP_CENTER),
        zoom_start=MAP_ZOOM,
        min_zoom=3,
        max_zoom=14,
        tiles="OpenStreetMap",
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    fmap.fit_bounds(FIT_BOUNDS)
    MapPositionInLink().add_to(fmap)
    return fmap


def radius_for(n_events: int) -> float:
    """Circle radius in pixels: area grows with the number of events."""
    return round(5.0 + 3.2 * n_events**0.5, 1)


# Styles each circle from its feature's properties and binds the (pre-escaped) tooltip and popup.
_ON_EACH_FEATURE = JsCode(
    """
function (feature, layer) {
    var p = feature.properties;
    layer.options.className = "qm-city qm-" + p.dominant;
    layer.setStyle({radius: p.radius, color: p.selected ? "#000000" : p.colour,
                    fillColor: p.colour, weight: p.selected ? 4 : (p.approximate ? 2 : 1.5),
                    dashArray: p.approximate ? "3 3" : null, opacity: 0.9, fillOpacity: 0.55});
    layer.bindTooltip(p.tooltip, {sticky: true});
    layer.bindPopup(p.popup, {maxWidth: 380, maxHeight: 320});
    layer.on("add", function () {
        if (layer._path) { layer._path.setAttribute("data-city-id", p.city_id); }
    });
}
"""
)


def _event_line(event: pd.Series) -> str:
    approx = []
    if event["time_precision"] > 1:
        approx.append("date approximate")
    if event["geo_precision"] > 1:
        approx.append("place approximate")
    flag = f" <i>({escape_html(', '.join(approx))})</i>" if approx else ""
    when = event["event_date"].strftime("%-d %b %Y")
    return (
        f"<li><b>{escape_html(when)}</b> · {escape_html(event['category'])}"
        f" · {escape_html(event['sub_event_type'])}{flag}<br>"
        f"{escape_html(_short(event['notes']))}"
        f" <span style='color:#555'>— {escape_html(_short(event['source'], 120))}</span></li>"
    )


def _popup_html(city: pd.Series, totals: pd.Series, events: pd.DataFrame) -> str:
    local = " / ".join(escape_html(v) for v in (city["name_kk"], city["name_ru"]) if v)
    parts = [
        f"<div class='qm-popup'><b>{escape_html(city['name'])}</b>",
        f" <span style='color:#555'>{local}</span>" if local else "",
        f"<br><small>{_counts_text(totals)}</small>",
        "<ol style='padding-left:1.2em;margin:0.4em 0'>",
        *(_event_line(ev) for _, ev in events.head(POPUP_EVENT_LIMIT).iterrows()),
        "</ol>",
    ]
    more = int(totals["events"]) - min(len(events), POPUP_EVENT_LIMIT)
    if more > 0:
        parts.append(f"<small>… and {more} more in the event table below the map</small>")
    parts.append("</div>")
    return "".join(parts)


def _counts_text(totals: pd.Series) -> str:
    n = int(totals["events"])
    detail = ", ".join(f"{int(totals[c])} {c}" for c in CATEGORIES if int(totals[c]) > 0)
    return f"{n} event{'s' if n != 1 else ''}: {escape_html(detail)}"


def city_features(
    record: Record, totals: pd.DataFrame, events: pd.DataFrame, selected: str | None = None
) -> list[dict[str, object]]:
    """One GeoJSON Point feature per place in ``totals`` (places with events in view)."""
    cities = record.cities
    approx = (events["time_precision"] > 1) | (events["geo_precision"] > 1)
    approx_by_city = approx.groupby(events["city_id"]).all() if len(events) else pd.Series()
    by_city = {cid: group for cid, group in events.groupby("city_id", sort=False)}
    features = []
    for city_id, row in totals.sort_values("events", ascending=False).iterrows():
        city = cities.loc[city_id]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [city["lon"], city["lat"]]},
                "properties": {
                    "city_id": escape_html(city_id),
                    "dominant": row["dominant"],
                    "colour": COLOURS[row["dominant"]],
                    "radius": radius_for(int(row["events"])),
                    "approximate": bool(approx_by_city.get(city_id, False)),
                    "selected": city_id == selected,
                    "tooltip": f"<b>{escape_html(city['name'])}</b><br>{_counts_text(row)}",
                    "popup": _popup_html(city, row, by_city.get(city_id, events.iloc[:0])),
                },
            }
        )
    return features


def city_layer(
    record: Record, totals: pd.DataFrame, events: pd.DataFrame, selected: str | None = None
) -> folium.FeatureGroup:
    """The feature group that follows the filters: one GeoJSON layer of place circles."""
    group = folium.FeatureGroup(name="Places with events")
    features = city_features(record, totals, events, selected)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="places",
        marker=folium.CircleMarker(radius=6, fill=True),
        on_each_feature=_ON_EACH_FEATURE,
    ).add_to(group)
    return group


def legend_items() -> Iterable[tuple[str, str]]:
    """(colour, label) pairs for the map legend."""
    return [(COLOURS[k], LEGEND[k]) for k in LEGEND]
