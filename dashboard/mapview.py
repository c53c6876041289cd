"""Frames -> the map's layers (folium). Pure: no streamlit. Every data string is escaped by
``escape_html``.

What follows the filters is one ``FeatureGroup`` holding a single GeoJSON layer: one point per
place, drawn as circle markers by a small JS hook, or one shape per region. The constant base
map under it is ``basemap``'s.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import quote

import folium
import pandas as pd
from folium.utilities import JsCode
from jinja2.utils import htmlsafe_json_dumps

from dashboard.data import CATEGORIES
from dashboard.i18n import N_, current, day, tr, trn
from dashboard.text import (
    CATEGORY_COLOURS,
    DOMINANT_CATEGORIES,
    DOMINANT_MIXED,
    DOMINANT_OTHER,
    category_label,
    escape_html,
    shorten,
    term,
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


NOTE_LIMIT = 300
SOURCE_LIMIT = 120
# Bytes of popup text one map update may carry (see ``_share_out``).
LAYER_BYTE_BUDGET = 160_000


# What a place's circle is coloured by: its dominant category, or a neutral.
COLOURS: dict[str, str] = {
    **{c: CATEGORY_COLOURS[c] for c in DOMINANT_CATEGORIES},
    DOMINANT_MIXED: "#b2abd2",
    DOMINANT_OTHER: "#7f7f7f",
}
LEGEND: dict[str, str] = {
    "protest": N_("mostly protest"),
    "riot": N_("mostly riots or attacks"),
    "crackdown": N_("mostly crackdown"),
    DOMINANT_MIXED: N_("no single kind dominates"),
    DOMINANT_OTHER: N_("government response or context only"),
}


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
# On the live map (EVENTS set: the popups' address, see ``dashboard.popups``) a place's popup
# (``p.events``) opens with its tooltip's counts and fetches the rest: its names and events in
# the view of the page's link (the link the page writes on every run, so the same view as the
# circles'). The kept map's popups hold their events.
_ON_EACH_FEATURE = """
function (feature, layer) {
    var p = feature.properties;
    var OUTLINE_DASHES = %(dashes)s;
    var FAILED = %(failed)s;
    var EVENTS = %(events)s;
    var VIEW_KEYS = %(view_keys)s;
    if (p.events) {
        p.popup = "<div class='qm-popup'>" + p.tooltip + "<div class='qm-events'><small>" +
            %(loading)s + "</small></div></div>";
    }
    layer.options.className = "qm-city qm-" + p.dominant;
    var weight = p.selected ? 4 : (p.precision == "exact" ? 1.5 : 2);
    layer.setStyle({radius: p.radius, color: p.selected ? "#000000" : p.colour,
                    fillColor: p.colour, weight: weight, dashArray: OUTLINE_DASHES[p.precision],
                    opacity: 0.9, fillOpacity: 0.55});
    layer.bindTooltip(p.tooltip, {sticky: true});
    layer.bindPopup(p.popup, {maxWidth: 380, maxHeight: 320});
    if (p.events) {
        layer.on("popupopen", function (e) {
            if (layer._qmEvents) { return; }
            layer._qmEvents = "loading";
            var url = new URL(EVENTS, window.location.href);
            var page = new URLSearchParams(window.parent.location.search);
            VIEW_KEYS.forEach(function (key) {
                if (page.has(key)) { url.searchParams.set(key, page.get(key)); }
            });
            url.searchParams.set("city", p.city_id);
            fetch(url.pathname + url.search, {credentials: "same-origin"}).then(function (r) {
                if (!r.ok) { throw r.status; }
                return r.text();
            }).then(function (html) {
                layer._qmEvents = "loaded";
                layer.setPopupContent(html);
            }).catch(function (status) {
                layer._qmEvents = null;  // opening it again tries again
                var box = e.popup.getElement() &&
                    e.popup.getElement().querySelector(".qm-events");
                if (box) { box.textContent = FAILED[status] || FAILED[0]; }
            });
        });
    }
    layer.on("add", function () {
        if (layer._path) { layer._path.setAttribute("data-city-id", p.city_id); }
        if (p.open) { setTimeout(function () { layer.openPopup(); }, 0); }
    });
}
"""

# What of the page's link a fetched popup's address takes: the view (``viewstate.encode``).
POPUP_VIEW_KEYS = ("v", "from", "to", "cat", "exact")
# What a popup says when its events could not be fetched, by HTTP status (0: any other).
FETCH_FAILED = {
    0: N_("Its events could not be loaded: close the popup and open it again."),
    409: N_("The record has been updated since this page was drawn: reload the page."),
}


@functools.cache
def _on_each_feature(language: str, events: str | None) -> JsCode:
    """The circles' hook with its messages in ``language``; ``events``: the live map's popups'
    address (None: the kept map's popups hold their events)."""
    del language  # the cache key: tr() below reads the current language
    failed = {status: tr(text) for status, text in FETCH_FAILED.items()}
    return JsCode(
        _ON_EACH_FEATURE
        % {
            "dashes": json.dumps(OUTLINE_DASHES),
            "failed": htmlsafe_json_dumps(failed),
            "events": htmlsafe_json_dumps(events),
            "view_keys": json.dumps(POPUP_VIEW_KEYS),
            "loading": htmlsafe_json_dumps(tr("Loading its events…")),
        }
    )


_LINE_COLUMNS = (
    "event_id_cnty",
    "city_id",
    "event_date",
    "time_precision",
    "geo_precision",
    "category",
    "sub_event_type",
    "notes",
    "source",
)


def _quoted(value: object) -> str:
    """A value as one escaped query-string value (no ``&``, ``#`` or quote can end it)."""
    return escape_html(quote(str(value), safe=""))


def _lang() -> str:
    """What a link to another page adds to open in this page's language."""
    language = current()
    return "" if language == "en" else f"&amp;lang={language}"


def _event_line(event: Any) -> str:
    """One event as a popup list item; ``event`` is an ``itertuples`` row of _LINE_COLUMNS."""
    approx = []
    if event.time_precision > 1:
        approx.append(tr("date approximate"))
    if event.geo_precision > 1:
        approx.append(tr("place approximate"))
    flag = f" <i>({escape_html(', '.join(approx))})</i>" if approx else ""
    when = day(event.event_date)
    return (
        f"<li><b>{escape_html(when)}</b> · {escape_html(category_label(event.category))}"
        f" · {escape_html(term(event.sub_event_type))}{flag}<br>"
        f"{escape_html(shorten(event.notes, NOTE_LIMIT))}"
        f" <span style='color:#555'>— {escape_html(shorten(event.source, SOURCE_LIMIT))}</span>"
        f" <a class='qm-sources' href='/sources?event={_quoted(event.event_id_cnty)}{_lang()}'"
        " target='_top'>" + tr("sources") + "</a>"
        "</li>"
    )


def _counts_text(totals: dict[str, Any]) -> str:
    n = int(totals["events"])
    detail = ", ".join(
        tr("{n} {category}", n=int(totals[c]), category=category_label(c).lower())
        for c in CATEGORIES
        if int(totals[c]) > 0
    )
    approximate = n - int(totals["exact"])
    if not approximate:
        known = ""
    elif approximate == n:
        known = "<br>" + tr("all with an approximate date or place")
    else:
        known = "<br>" + tr("{n} with an approximate date or place", n=approximate)
    return trn("{n} event: {detail}", "{n} events: {detail}", n, detail=escape_html(detail)) + known


def precision_of(events: int, exact: int) -> str:
    """How precisely a place's events in view are known: exact, mixed or approximate."""
    if exact >= events:
        return "exact"
    return "approximate" if exact == 0 else "mixed"


_LIST_OPEN = "<ol style='padding-left:1.2em;margin:0.4em 0'>"


# Marks an area's tooltip (invisible, in every language): a click on an area selects no place.
AREA_MARK = "\u2063"


def _area_title(area: dict[str, Any]) -> str:
    places = int(area["places"])
    return AREA_MARK + trn(
        "{n} smaller place in this area", "{n} smaller places in this area", places
    )


def place_popup(place: dict[str, Any], events: pd.DataFrame) -> str:
    """A place's popup with its events listed (``query.place_popup``'s answer): what the live
    map fetches when a popup opens."""
    lines = [_event_line(event) for event in events[list(_LINE_COLUMNS)].itertuples(index=False)]
    return _place_popup(place, lines)


def _place_popup(place: dict[str, Any], lines: list[str]) -> str:
    others = (place.get("name_en"), place["name_kk"], place["name_ru"])
    local = " / ".join(escape_html(v) for v in dict.fromkeys(others) if v and v != place["name"])
    parts = [
        f"<div class='qm-popup'><b>{escape_html(place['name'])}</b>",
        f" <span style='color:#555'>{local}</span>" if local else "",
        f"<br><small>{_counts_text(place)}</small>",
    ]
    if lines:
        parts += [_LIST_OPEN, *lines, "</ol>"]
    more = int(place["events"]) - len(lines)
    if more > 0:
        also = (
            tr("… and {n} more: click the circle to list them below the map", n=more)
            if lines
            else tr("… {n} more: click the circle to list them below the map", n=more)
        )
        parts.append(f"<br><small>{also}</small>")
    parts.append("</div>")
    return "".join(parts)


def _area_popup(area: dict[str, Any]) -> str:
    names = [f"<li>{escape_html(name)}: {events}</li>" for name, events in area["biggest"]]
    more = area["places"] - len(names)
    return "".join(
        [
            f"<div class='qm-popup'><b>{_area_title(area)}</b>",
            f"<br><small>{_counts_text(area)}</small>",
            _LIST_OPEN,
            *names,
            "</ol>",
            "<small>" + tr("… and {n} more.", n=more) + " </small>" if more > 0 else "",
            "<small>" + tr("Pick a place in the Place box to see its events.") + "</small></div>",
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
    place: dict[str, Any],
    lines: list[str],
    selected: str | None,
    open_popup: bool = False,
    fetched: bool = False,
) -> dict:
    """A place's circle; ``fetched``: its popup is fetched when it opens (the live map)."""
    city_id = place["city_id"]
    properties = {
        "city_id": escape_html(city_id),
        "dominant": place["dominant"],
        "colour": COLOURS[place["dominant"]],
        "radius": radius_for(int(place["events"])),
        "precision": precision_of(int(place["events"]), int(place["exact"])),
        "selected": city_id == selected,
        "open": open_popup and city_id == selected,
        "tooltip": f"<b>{escape_html(place['name'])}</b><br>{_counts_text(place)}",
    }
    if fetched:
        properties["events"] = 1
    else:
        properties["popup"] = _place_popup(place, lines)
    return _feature(place["lon"], place["lat"], properties)


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
            "tooltip": f"<b>{_area_title(area)}</b><br>{_counts_text(area)}",
            "popup": _area_popup(area),
        },
    )


def city_features(
    circles: CircleFrames,
    selected: str | None = None,
    open_popup: bool = False,
    fetched: bool = False,
) -> list[dict[str, object]]:
    """One GeoJSON Point feature per circle of ``circles`` (``query.circles``): places drawn
    alone, then areas. With ``fetched`` (the live map) a place's popup opens with its counts
    and fetches its events (see ``_ON_EACH_FEATURE``). Without it (the kept map, which opens
    offline) popups list each place's first events in view: all of ``popup_events`` for the
    selected place; the others share what is left of LAYER_BYTE_BUDGET (bytes as sent, see
    ``sent_size``) evenly (a place left with none says how to list its events). With
    ``open_popup`` the selected place's popup opens when drawn (after a click selected it: the
    redraw that follows the click would otherwise close it)."""
    singles = [{str(k): v for k, v in row.items()} for row in circles.places.to_dict("records")]
    areas = [
        _area_feature({str(k): v for k, v in a.items()}) for a in circles.areas.to_dict("records")
    ]
    if fetched:
        return [_place_feature(place, [], selected, open_popup, True) for place in singles] + areas
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
    circles: CircleFrames,
    selected: str | None = None,
    open_popup: bool = False,
    events: str | None = None,
) -> folium.FeatureGroup:
    """The feature group that follows the filters: one GeoJSON layer of place circles (see
    ``city_features``). ``events``: the live map's popups' address (``popups.address``); its
    popups then fetch their events when they open."""
    group = folium.FeatureGroup(name=tr("Places with events"))
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": city_features(circles, selected, open_popup, events is not None),
        },
        name="places",
        marker=folium.CircleMarker(radius=6, fill=True),
        on_each_feature=_on_each_feature(current(), events),
    ).add_to(group)
    return group


def legend_items() -> Iterable[tuple[str, str]]:
    """(colour, label) pairs for the map legend."""
    return [(COLOURS[k], tr(LEGEND[k])) for k in LEGEND]


# --------------------------------------------------------------------------- regions

# Sequential (ColorBrewer YlOrRd, its lightest class darkened to #ffeda0 so that it stays apart
# from white, "no events", for tritanopes too: tests/test_palette.py).
REGION_SHADES = ("#ffeda0", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
REGION_NONE = "#ffffff"
REGIONS_CREDIT = N_("Regions: geokz (A. Rodionov), CC BY 4.0, simplified")

_REGION_ON_EACH_FEATURE = JsCode(
    """
function (feature, layer) {
    var p = feature.properties;
    layer.setStyle({color: "#555555", weight: 1, fillColor: p.fill, fillOpacity: 0.7});
    layer.bindTooltip(p.tooltip, {sticky: true});
    layer.on("add", function () {
        if (layer._path) { layer._path.setAttribute("data-region", p.region); }
    });
}
"""
)


def region_bins(max_events: int) -> list[int]:
    """Upper bounds of the shading classes for counts up to ``max_events`` (at most five
    classes of whole numbers, the last ending at the maximum)."""
    if max_events <= 0:
        return []
    steps = min(len(REGION_SHADES), max_events)
    return sorted({max(1, round(max_events * (i + 1) / steps)) for i in range(steps)})


def region_shade(events: int, bins: list[int]) -> str:
    if events <= 0 or not bins:
        return REGION_NONE
    for shade, upper in zip(REGION_SHADES, bins, strict=False):
        if events <= upper:
            return shade
    return REGION_SHADES[len(bins) - 1]


def _region_tooltip(row: dict[str, Any], name: str) -> str:
    parts = [f"<b>{escape_html(name)}</b><br>{_counts_text(row)}"]
    deaths = row.get("deaths")
    if deaths is not None and deaths == deaths:
        who = f"{escape_html(row['deaths_by'])}, {escape_html(day(row['deaths_as_of']))}"
        parts.append(
            "<br>"
            + tr(
                "Deaths reported for a place here: {deaths} ({who}; {source})",
                deaths=f"{int(deaths):,}",
                who=who,
                source=escape_html(row["deaths_source"]),
            )
        )
    return "".join(parts)


def region_layer(
    shapes: pd.DataFrame, rows: pd.DataFrame, name_field: str = "name_en"
) -> folium.FeatureGroup:
    """The regions shaded by local events in view, each with a tooltip of its counts and any
    death toll a source gives for it. ``shapes`` has region_id and geometry (shapely);
    ``rows`` is ``query.region_rows``."""
    bins = region_bins(int(rows["events"].max()) if len(rows) else 0)
    features = []
    for region_id, geometry in zip(shapes["region_id"], shapes.geometry, strict=True):
        row = {str(k): v for k, v in rows.loc[region_id].items()}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.__geo_interface__,
                "properties": {
                    "region": escape_html(row["name_en"]),
                    "fill": region_shade(int(row["events"]), bins),
                    "tooltip": _region_tooltip(row, str(row[name_field])),
                },
            }
        )
    group = folium.FeatureGroup(name=tr("Regions"))
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="regions",
        on_each_feature=_REGION_ON_EACH_FEATURE,
    ).add_to(group)
    return group


def region_legend(rows: pd.DataFrame) -> list[tuple[str, str]]:
    """(colour, label) pairs for the regions' shading."""
    bins = region_bins(int(rows["events"].max()) if len(rows) else 0)
    items = [(REGION_NONE, tr("no events"))]
    low = 1
    for shade, upper in zip(REGION_SHADES, bins, strict=False):
        items.append(
            (shade, f"{low}" if low == upper else tr("{low}–{upper} events", low=low, upper=upper))
        )
        low = upper + 1
    return items


# --------------------------------------------------------------------------- sites

# Zoom from which every place's sites show; a selected place's show at any zoom.
SITE_ZOOM = 9
SITE_COLOUR = "#1a1a1a"

_SITE_ON_EACH_FEATURE = JsCode(
    """
function (feature, layer) {
    var p = feature.properties;
    layer.setStyle({radius: p.radius, color: "#ffffff", weight: 1.5, fillColor: p.colour,
                    fillOpacity: 0.95, opacity: 1});
    layer.bindTooltip(p.tooltip, {sticky: true});
    if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 380, maxHeight: 320}); }
    function show() {
        var map = layer._map;
        if (!map || !layer._path) { return; }
        var on = p.selected || map.getZoom() >= """
    + str(SITE_ZOOM)
    + """;
        layer._path.style.display = on ? "" : "none";
    }
    layer.on("add", function () {
        if (layer._path) {
            layer._path.setAttribute("data-site", p.site);
            layer._path.classList.add("qm-site");
        }
        layer._map.on("zoomend", show);
        show();
    });
    layer.on("remove", function (e) { if (e.target._map) { e.target._map.off("zoomend", show); } });
}
"""
)


def site_features(sites: pd.DataFrame, events: pd.DataFrame) -> list[dict[str, object]]:
    """One small marker per site (``query.sites``); the selected place's sites list their
    events in view (``events``, with site_id) in a popup."""
    by_site: dict[int, list[str]] = {}
    for event in events[[*_LINE_COLUMNS, "site_id"]].itertuples(index=False):
        by_site.setdefault(int(str(event.site_id)), []).append(_event_line(event))
    features = []
    for site_id, site in sites.iterrows():
        n = int(site["events"])
        lines = by_site.get(int(str(site_id)), [])
        shown = lines[:SITE_POPUP_LINES]
        more = (
            "<br><small>" + tr("… and {n} more", n=len(lines) - len(shown)) + "</small>"
            if len(lines) > len(shown)
            else ""
        )
        popup = (
            f"<div class='qm-popup'><b>{escape_html(site['location'])}</b>{_LIST_OPEN}"
            + "".join(shown)
            + f"</ol>{more}</div>"
            if shown
            else ""
        )
        features.append(
            _feature(
                float(site["lon"]),
                float(site["lat"]),
                {
                    "site": int(str(site_id)),
                    "selected": bool(site["selected"]),
                    "radius": 4.5 if n == 1 else 6.0,
                    "colour": SITE_COLOUR,
                    "tooltip": f"<b>{escape_html(site['location'])}</b><br>"
                    + trn("{n} event here", "{n} events here", n),
                    "popup": popup,
                },
            )
        )
    return features


SITE_POPUP_LINES = 8


def add_sites(group: folium.FeatureGroup, sites: pd.DataFrame, events: pd.DataFrame) -> None:
    """Draw the sites into the layer group that follows the filters."""
    if sites.empty:
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": site_features(sites, events)},
        name="sites",
        marker=folium.CircleMarker(radius=4, fill=True),
        on_each_feature=_SITE_ON_EACH_FEATURE,
    ).add_to(group)
