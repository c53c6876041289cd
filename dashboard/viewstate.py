"""The view on screen (``ViewState``) and its one link codec.

Everything a reader can set (dates, categories, exact only, place, event, open panel, map
position) lives in one ``ViewState``; ``decode`` reads it from a link's query string and
``encode`` writes it back, and nothing else reads or writes the link. Links are untrusted:
``decode`` never raises; it returns the nearest valid state and one plain-language notice per
part of the link it could not honour. ``encode`` writes every part explicitly (no "default means
absent"), so a link keeps its meaning when the record grows.

Link versions: links written before ``v=2`` had no ``riot`` category (riots counted as
protest), so such a link that shows protest shows riots too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dashboard import i18n
from dashboard.data import CATEGORIES, Record
from dashboard.i18n import N_, tr
from dashboard.index import View
from dashboard.text import category_label

MAX_VALUE_CHARS = 200
MIN_ZOOM, MAX_ZOOM = 3, 14
LINK_VERSION = "2"

CATEGORY_SLUGS: dict[str, str] = {c: c.replace(" ", "-") for c in CATEGORIES}
SLUG_CATEGORIES: dict[str, str] = {v: k for k, v in CATEGORY_SLUGS.items()}

KEYS = (
    "v",
    "from",
    "to",
    "cat",
    "city",
    "event",
    "exact",
    "lat",
    "lon",
    "z",
    "panel",
    "layer",
    "play",
    "speed",
    "window",
    "lang",
)
# What the map draws: a circle per place, or the regions shaded.
LAYERS = ("places", "regions")
# Playback: seconds per day, and whether the range moves (keeps its length) or grows.
SPEEDS = (0.5, 1.0, 2.0)
WINDOWS = ("moving", "growing")
# The tabs under the map; a link names the open one in lower case.
PANELS = (N_("Timeline"), N_("Figures"), N_("Spread"))


@dataclass(frozen=True)
class ViewState:
    """Everything a reader has set, and so everything a link restores."""

    view: View
    place: str | None = None
    event: str | None = None
    center: tuple[float, float] | None = None
    zoom: float | None = None
    panel: str = PANELS[0]
    layer: str = LAYERS[0]
    play: bool = False
    speed: float = 1.0
    window: str = WINDOWS[0]
    lang: str = i18n.DEFAULT


@dataclass
class Decoded:
    state: ViewState
    notices: list[str] = field(default_factory=list)


def _show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _part(key: str, value: str) -> str:
    """A link part as a notice quotes it: from='banana'."""
    return f"{key}={_show(value)}"


def _single(params: Mapping[str, Sequence[str]], key: str, notices: list[str]) -> str | None:
    values = list(params.get(key, []))
    if not values:
        return None
    if len(values) > 1:
        notices.append(
            tr("'{key}' was given {n} times; the first value was used.", key=key, n=len(values))
        )
    value = values[0]
    if len(value) > MAX_VALUE_CHARS:
        notices.append(
            tr(
                "'{key}' was longer than {n} characters and was ignored.",
                key=key,
                n=MAX_VALUE_CHARS,
            )
        )
        return None
    return value.strip()


def _date(value: str | None, key: str, notices: list[str]) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notices.append(
            tr("{part} is not a date (YYYY-MM-DD) and was ignored.", part=_part(key, value))
        )
        return None


def _float(value: str | None, key: str, notices: list[str]) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        notices.append(tr("{part} is not a number and was ignored.", part=_part(key, value)))
        return None
    return number


def _flag(params: Mapping[str, Sequence[str]], key: str, message: str, notices: list[str]) -> bool:
    """A 0/1 part of the link (False when absent or not 0 or 1, with the notice ``message``,
    which names the part as ``{part}``)."""
    value = _single(params, key, notices)
    if value is None or value in ("0", "1"):
        return value == "1"
    notices.append(tr(message, part=_part(key, value)))
    return False


def _choice(
    params: Mapping[str, Sequence[str]],
    key: str,
    allowed: Sequence[str],
    otherwise: str,
    notices: list[str],
) -> str:
    """One of ``allowed`` (the first when absent or not allowed, with a notice)."""
    value = _single(params, key, notices)
    if value and value not in allowed:
        notices.append(
            tr(
                "{part} is not one of {allowed}; {otherwise}.",
                part=_part(key, value),
                allowed=", ".join(allowed),
                otherwise=otherwise,
            )
        )
    return value if value is not None and value in allowed else allowed[0]


def decode(
    params: Mapping[str, Sequence[str]], record: Record, layers: tuple[str, ...] = LAYERS[:1]
) -> Decoded:
    """The state a link asks for, made valid for ``record`` (whose map offers ``layers``), with
    a notice per ignored part."""
    notices: list[str] = []
    unknown = sorted(k for k in params if k not in KEYS)
    if unknown:
        shown = ", ".join(_show(k, 20) for k in unknown[:5])
        if len(unknown) > 5:
            shown = tr("{shown} and {n} more", shown=shown, n=len(unknown) - 5)
        notices.append(tr("Unknown link parts were ignored: {parts}.", parts=shown))

    lo, hi = record.settings.period
    start = _date(_single(params, "from", notices), "from", notices) or lo
    end = _date(_single(params, "to", notices), "to", notices) or hi
    if start > end:
        notices.append(
            tr(
                "The link's dates were reversed ({start} after {end}); they were swapped.",
                start=start,
                end=end,
            )
        )
        start, end = end, start
    if start < lo or start > hi or end < lo or end > hi:
        notices.append(
            tr(
                "The link's dates {start} to {end} reach outside the record ({lo} to {hi}); "
                "the range was limited to the record.",
                start=start,
                end=end,
                lo=lo,
                hi=hi,
            )
        )
        start, end = min(max(start, lo), hi), min(max(end, lo), hi)

    categories: tuple[str, ...] = CATEGORIES
    cat_value = _single(params, "cat", notices)
    if cat_value is not None:
        asked = [c.strip() for c in cat_value.split(",") if c.strip()]
        bad = [c for c in asked if c not in SLUG_CATEGORIES]
        if bad:
            notices.append(
                tr(
                    "Unknown categories were ignored: {categories}.",
                    categories=", ".join(_show(c, 20) for c in bad),
                )
            )
        if params.get("v", [""])[0] != LINK_VERSION and "protest" in asked:
            asked.append(CATEGORY_SLUGS["riot"])  # riots were protest before v=2
        good = tuple(c for c in CATEGORIES if CATEGORY_SLUGS[c] in asked)
        if good:
            categories = good
        else:
            notices.append(tr("The link named no known category; all categories are shown."))

    exact_only = _flag(params, "exact", N_("{part} is not 0 or 1 and was ignored."), notices)

    place = _single(params, "city", notices) or None
    if place is not None and place not in record.cities.index:
        notices.append(
            tr("The place {place} is not in the record; no place is selected.", place=_show(place))
        )
        place = None

    event = _single(params, "event", notices) or None
    if event is not None and event not in set(record.events["event_id_cnty"]):
        notices.append(
            tr("The event {event} is not in the record; no event is selected.", event=_show(event))
        )
        event = None

    center = _center(params, record, notices)
    zoom = _float(_single(params, "z", notices), "z", notices)
    if zoom is not None:
        if not MIN_ZOOM <= zoom <= MAX_ZOOM:
            clamped = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
            notices.append(
                tr(
                    "Map zoom {zoom} was changed to {clamped} (zoom runs 3 to 14).",
                    zoom=f"{zoom:g}",
                    clamped=f"{clamped:g}",
                )
            )
            zoom = clamped
        zoom = round(zoom, 2)

    panel = PANELS[0]
    panel_value = _single(params, "panel", notices)
    if panel_value:
        by_slug = {p.lower(): p for p in PANELS}
        if panel_value.lower() in by_slug:
            panel = by_slug[panel_value.lower()]
        else:
            notices.append(
                tr(
                    "{part} is not one of {allowed}; the timeline is shown.",
                    part=_part("panel", panel_value),
                    allowed=", ".join(by_slug),
                )
            )

    layer = _choice(params, "layer", layers, tr("the places are shown"), notices)
    play = _flag(params, "play", N_("{part} is not 0 or 1; playback is paused."), notices)
    speed = 1.0
    speed_value = _float(_single(params, "speed", notices), "speed", notices)
    if speed_value is not None:
        if speed_value in SPEEDS:
            speed = speed_value
        else:
            speed = min(SPEEDS, key=lambda s: abs(s - speed_value))
            notices.append(
                tr(
                    "Playback speed {asked} s per day is not offered; {speed} s is used.",
                    asked=f"{speed_value:g}",
                    speed=f"{speed:g}",
                )
            )
    window = _choice(params, "window", WINDOWS, tr("the range moves"), notices)
    lang = _choice(
        params, "lang", tuple(i18n.LANGUAGES), tr("the browser's language is used"), notices
    )

    view = View(start=start, end=end, categories=categories, exact_only=exact_only)
    state = ViewState(view, place, event, center, zoom, panel, layer, play, speed, window, lang)
    return Decoded(state, notices)


def next_step(state: ViewState, period: tuple[date, date]) -> ViewState | None:
    """The view one playback day later, or None when the range already ends the period. A
    moving range keeps its length; a growing one keeps its start."""
    lo, hi = period
    view = state.view
    if view.end >= hi:
        return None
    start = view.start + timedelta(days=1) if state.window == "moving" else view.start
    end = view.end + timedelta(days=1)
    return replace(state, view=replace(view, start=start, end=end))


def first_step(state: ViewState, period: tuple[date, date]) -> ViewState:
    """Where playback starts: the current range, or, when it already ends the period, the
    period's start (a moving range keeps its length; a growing one starts as one day)."""
    lo, hi = period
    view = state.view
    if view.end < hi:
        return state
    length = (view.end - view.start) if state.window == "moving" else timedelta(0)
    if length >= hi - lo:
        length = timedelta(0)
    return replace(state, view=replace(view, start=lo, end=lo + length))


def _center(
    params: Mapping[str, Sequence[str]], record: Record, notices: list[str]
) -> tuple[float, float] | None:
    lat = _float(_single(params, "lat", notices), "lat", notices)
    lon = _float(_single(params, "lon", notices), "lon", notices)
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        notices.append(tr("The map centre needs both 'lat' and 'lon'; the default centre is used."))
        return None
    w, s, e, n = record.settings.bbox
    margin = 10.0
    if not (s - margin <= lat <= n + margin and w - margin <= lon <= e + margin):
        notices.append(
            tr(
                "The map centre ({lat}, {lon}) is far outside {region}; the default centre is "
                "used.",
                lat=f"{lat:g}",
                lon=f"{lon:g}",
                region=record.settings.region_name,
            )
        )
        return None
    return (lat, lon)


def encode(state: ViewState) -> dict[str, str]:
    """The query parameters that reproduce ``state`` (every part explicit)."""
    view = state.view
    params = {
        "v": LINK_VERSION,
        "from": view.start.isoformat(),
        "to": view.end.isoformat(),
        "cat": ",".join(CATEGORY_SLUGS[c] for c in view.categories),
        "exact": "1" if view.exact_only else "0",
    }
    if state.place:
        params["city"] = state.place
    if state.event:
        params["event"] = state.event
    if state.center is not None:
        params["lat"] = f"{state.center[0]:.4f}"
        params["lon"] = f"{state.center[1]:.4f}"
    if state.zoom is not None:
        params["z"] = f"{state.zoom:g}"
    params["panel"] = state.panel.lower()
    params["layer"] = state.layer
    params["play"] = "1" if state.play else "0"
    params["speed"] = f"{state.speed:g}"
    params["window"] = state.window
    params["lang"] = state.lang
    return params


def citation(state: ViewState, record: Record, url: str, accessed: date) -> str:
    """A citation line for a view: range, filters, place, data version, link, date accessed
    (in this run's language)."""
    view = state.view
    cats = (
        tr("all categories")
        if set(view.categories) == set(CATEGORIES)
        else ", ".join(category_label(c).lower() for c in view.categories)
    )
    parts = [
        tr("{start} to {end}", start=i18n.day(view.start), end=i18n.day(view.end)),
        cats,
    ]
    if view.exact_only:
        parts.append(tr("exact date and place only"))
    if state.place:
        name = record.cities["name"].get(state.place, state.place)
        parts.append(tr("place: {place}", place=name))
    if state.event:
        parts.append(tr("event {event}", event=state.event))
    return tr(
        "Qantar Map: {title}. View: {view}. Record version {version}. {url} (accessed {accessed}).",
        title=record.settings.title,
        view="; ".join(parts),
        version=record.version,
        url=url,
        accessed=i18n.day(accessed),
    )
