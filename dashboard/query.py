"""Every answer the page shows for one view, as plain frames and numbers.

``Answers`` is made once per rerun from the shared ``EventIndex`` and the view; each answer
(headline, circles and their popup rows, daily counts, figures, periods, spread, a place's
story, the nationwide measures, table rows) is computed at most once, when first asked for.
``mapview`` and ``charts`` only turn these frames into folium and Vega-Lite; nothing here
imports streamlit, folium or altair.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from dashboard.data import CATEGORIES, Record
from dashboard.i18n import N_, current, tr
from dashboard.index import NATIONAL, Counts, EventIndex, View, dominant
from dashboard.sourcebook import outlets, source_book
from dashboard.text import category_label, precision_text, term

TOLL_KIND = "death toll"
# Bounds on one map update, whatever the number of events or places (see ``circles``).
MAX_PLACE_CIRCLES = 100
MAX_AREA_CIRCLES = 60
AREA_CELL_DEGREES = 1.0
AREA_POPUP_PLACES = 5
POPUP_EVENT_LIMIT = 12
POPUP_LINE_BUDGET = 240


# --------------------------------------------------------------------------- tables


# The tables' columns as the page names them ("id" is the rows' key, never shown).
EVENT_COLUMNS = {
    "date": N_("date"),
    "place": N_("place"),
    "category": N_("category"),
    "type": N_("type"),
    "description": N_("description"),
    "sources": N_("sources"),
    "corroboration": N_("corroboration"),
    "precision": N_("precision"),
    "sources page": N_("sources page"),
}
FIGURE_COLUMNS = {
    "in range": N_("in range"),
    "counts": N_("counts"),
    "value": N_("value"),
    "up to": N_("up to"),
    "qualifier": N_("qualifier"),
    "scope": N_("scope"),
    "as of": N_("as of"),
    "claimed by": N_("claimed by"),
    "reported by": N_("reported by"),
}


def column(name: str) -> str:
    """A table column's name (a key of EVENT_COLUMNS or FIGURE_COLUMNS) on the page."""
    return tr(EVENT_COLUMNS.get(name) or FIGURE_COLUMNS[name])


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: column(c) for c in frame.columns if c != "id"})


def lang_suffix() -> str:
    """What a link to another page adds so that it opens in this page's language."""
    language = current()
    return "" if language == "en" else f"&lang={language}"


def _locations(events: pd.DataFrame, record: Record) -> pd.Series:
    """Where each event was: its location as the record writes it, or, when that is just its
    place's English name, the place's name on the page (see ``localise``)."""
    cities = record.cities
    if "name_en" not in cities:
        return events["location"]
    english = events["city_id"].map(cities["name_en"])
    shown = events["city_id"].map(cities["name"])
    return events["location"].where(events["location"] != english, shown)


def event_rows(events: pd.DataFrame, record: Record) -> pd.DataFrame:
    """Events as the page's tables show them (columns named in the page's language)."""
    book = source_book(record)
    support = [book.corroboration(ids) for ids in events["source_ids"]]
    national = events["scope"].eq(NATIONAL) if "scope" in events else False
    place = np.where(national, tr("Nationwide"), _locations(events, record))
    claimed = tr("Claimed by the authorities:") + " "
    suffix = lang_suffix()
    repeated: dict[str, Any] = {
        "place": place,
        "category": events["category"].astype(str).map(category_label),
        "type": events["sub_event_type"].map(term),
        "sources": [book.outlets(ids) for ids in events["source_ids"]],
        "corroboration": [s.text() for s in support],
        "precision": [
            precision_text(t, g)
            for t, g in zip(events["time_precision"], events["geo_precision"], strict=True)
        ],
    }
    # Columns of a few values each go to the page dictionary-encoded (Arrow dictionaries): the
    # table a move sends shrinks by a third; the categories sort as the text does.
    coded = {name: pd.Categorical(values) for name, values in repeated.items()}
    return _named(
        pd.DataFrame(
            {
                "date": events["event_date"].dt.date,
                "place": coded["place"],
                "category": coded["category"],
                "type": coded["type"],
                "description": [
                    (claimed if s.authorities_only else "") + str(note)
                    for s, note in zip(support, events["notes"], strict=True)
                ],
                "sources": coded["sources"],
                "corroboration": coded["corroboration"],
                "precision": coded["precision"],
                "sources page": [
                    f"/sources?event={quote(str(i), safe='')}{suffix}"
                    for i in events["event_id_cnty"]
                ],
                "id": events["event_id_cnty"],
            }
        )
    )


def figure_frame(record: Record, selected: tuple[date, date]) -> pd.DataFrame:
    """figures.csv with source outlets, the place's name and an in-selected-range flag."""
    figures = record.figures
    if figures.empty:
        return figures.assign(source="", place="", in_range=False)
    lo, hi = pd.Timestamp(selected[0]), pd.Timestamp(selected[1])
    names = record.cities["name"]
    return figures.assign(
        source=figures["source_ids"].map(lambda ids: outlets(record, ids)),
        place=figures["scope"].map(
            lambda s: term("national") if s == NATIONAL else names.get(s, s)
        ),
        in_range=figures["as_of"].between(lo, hi),
    )


def figure_rows(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures as the page's tables show them; empty cells stay blank."""
    up_to = figures["value_max"].map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
    return _named(
        pd.DataFrame(
            {
                "in range": figures["in_range"].map({True: "●", False: ""}),
                "counts": figures["label"],
                "value": figures["value"].map(lambda v: f"{int(v):,}"),
                "up to": up_to,
                "qualifier": figures["qualifier"].map(term),
                "scope": figures["place"],
                "as of": figures["as_of"].dt.date,
                "claimed by": figures["claimed_by"].fillna(""),
                "reported by": figures["source"],
            }
        )
    )


def period_frame(record: Record, place: str | None = None) -> pd.DataFrame:
    """Context periods with their sources' outlets: the national ones, and a place's own when
    a place is selected (overlapping rows from disagreeing sources are all kept)."""
    periods = record.periods
    periods = periods[periods["scope"].isin([NATIONAL, place] if place else [NATIONAL])]
    if periods.empty:
        return periods.assign(source="")
    return periods.assign(source=periods["source_ids"].map(lambda ids: outlets(record, ids)))


@dataclass(frozen=True)
class DeathsHeadline:
    """The national death toll to show first: the latest official one, who gave it and when,
    and the range of every national toll in the record."""

    value: int | None
    claimed_by: str
    as_of: date | None
    low: int | None
    high: int | None
    tolls: int


def deaths_headline(record: Record) -> DeathsHeadline:
    """From figures.csv rows of kind ``death toll`` with national scope."""
    figures = record.figures
    if figures.empty:
        return DeathsHeadline(None, "", None, None, None, 0)
    tolls = figures[(figures["kind"] == TOLL_KIND) & (figures["scope"] == NATIONAL)]
    if tolls.empty:
        return DeathsHeadline(None, "", None, None, None, 0)
    official = tolls[tolls["claimant_type"] == "officials"]
    pick = (official if len(official) else tolls).sort_values(["as_of", "value"]).iloc[-1]
    highs = tolls["value_max"].fillna(tolls["value"])
    return DeathsHeadline(
        value=int(pick["value"]),
        claimed_by=str(pick["claimed_by"]),
        as_of=pick["as_of"].date(),
        low=int(tolls["value"].min()),
        high=int(highs.max()),
        tolls=len(tolls),
    )


# --------------------------------------------------------------------------- the map's circles


def _areas(places: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Sum ``places`` (rows of counts with lat, lon and name, biggest first) into at most
    ``budget`` grid cells, starting with AREA_CELL_DEGREES cells and doubling them until they
    fit. One row per cell: summed counts, event-weighted centre, an ``area_id``, the number of
    places and the biggest few as (name, events)."""
    lat, lon = places["lat"].to_numpy(), places["lon"].to_numpy()
    size = AREA_CELL_DEGREES
    while True:
        corners = np.stack([np.floor(lat / size), np.floor(lon / size)], axis=1).astype(int)
        cells, cell = np.unique(corners, axis=0, return_inverse=True)
        if len(cells) <= budget:
            break
        size *= 2
    cell = cell.ravel()
    sums = {
        c: np.bincount(cell, weights=places[c].to_numpy(), minlength=len(cells)).astype(int)
        for c in (*CATEGORIES, "events", "exact")
    }
    events = places["events"].to_numpy()
    frame = pd.DataFrame(sums)
    frame["dominant"] = dominant(frame).to_numpy()
    frame["lat"] = np.round(np.bincount(cell, weights=lat * events) / sums["events"], 4)
    frame["lon"] = np.round(np.bincount(cell, weights=lon * events) / sums["events"], 4)
    frame["area_id"] = [f"area:{size:g}:{south}:{west}" for south, west in cells]
    by_cell = np.argsort(cell, kind="stable")  # biggest first within each cell
    starts = np.searchsorted(cell[by_cell], np.arange(len(cells) + 1))
    names = places["name"].to_numpy()
    members = [by_cell[starts[i] : starts[i + 1]] for i in range(len(cells))]
    frame["places"] = [len(m) for m in members]
    biggest = [[(str(names[m]), int(events[m])) for m in ms[:AREA_POPUP_PLACES]] for ms in members]
    frame["biggest"] = pd.Series(biggest, dtype=object)
    return frame


@dataclass(frozen=True)
class Circles:
    """What the map draws for a view: ``places`` (one row per place drawn alone, biggest
    first, with counts, names and coordinates), ``areas`` (the smaller places summed into grid
    cells past MAX_PLACE_CIRCLES) and, computed only when asked for, ``popup_events`` (each
    drawn place's first events in view, in date order, at most ``popup_limits[city_id]`` of
    them: the live map fetches its popups instead, see ``place_popup``)."""

    places: pd.DataFrame
    areas: pd.DataFrame
    popup_limits: pd.Series
    index: EventIndex
    view: View

    @functools.cached_property
    def popup_events(self) -> pd.DataFrame:
        return self.index.first_events(self.view, self.popup_limits)


def _named_places(index: EventIndex, totals: pd.DataFrame) -> pd.DataFrame:
    """``totals`` (per city_id) with the places' names, coordinates and ``city_id``."""
    cities = index.record.cities
    names = [c for c in ("name", "name_en", "name_kk", "name_ru") if c in cities]
    places = totals.join(cities[[*names, "lat", "lon"]])
    places["city_id"] = places.index
    return places


def circles(index: EventIndex, view: View, selected: str | None = None) -> Circles:
    """The circles for a view. The work is bounded by the limits above, not by the number of
    events in view. The selected place is always drawn alone, with POPUP_EVENT_LIMIT events."""
    totals = index.city_totals(view).sort_values("events", ascending=False, kind="stable")
    places = _named_places(index, totals)
    single = places.index[:MAX_PLACE_CIRCLES]
    if selected in places.index and selected not in single:
        single = single[:-1].append(pd.Index([selected]))
    rest = places.drop(index=single)
    areas = _areas(rest, MAX_AREA_CIRCLES) if len(rest) else pd.DataFrame()
    per_place = min(POPUP_EVENT_LIMIT, POPUP_LINE_BUDGET // max(1, len(single)))
    limits = pd.Series(per_place, index=single)
    if selected is not None and selected in limits.index:
        limits[selected] = POPUP_EVENT_LIMIT
    limits = limits[limits > 0]
    return Circles(places.loc[single], areas, limits, index, view)


def place_popup(
    index: EventIndex, view: View, city_id: str
) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """What one place's popup shows for a view (the live map fetches it when the popup opens):
    the place's counts and names as a circle's row, and its first POPUP_EVENT_LIMIT events in
    view, in date order. None if the place has no event in view."""
    totals = index.city_totals(view)
    if city_id not in totals.index:
        return None
    row = _named_places(index, totals.loc[[city_id]]).iloc[0]
    events = index.first_events(view, pd.Series(POPUP_EVENT_LIMIT, index=[city_id]))
    return {str(k): v for k, v in row.items()}, events


def spread(index: EventIndex, view: View) -> pd.DataFrame:
    """When each place first joined, in view: the date and category of its first event, and
    its number of events in view."""
    totals = index.city_totals(view)["events"]
    firsts = index.first_events(view, pd.Series(1, index=totals.index))
    if firsts.empty:
        return pd.DataFrame(columns=["place", "first", "category", "events"])
    first = firsts.drop_duplicates("city_id", keep="first")
    return pd.DataFrame(
        {
            "place": first["city_id"].map(index.record.cities["name"]).to_numpy(),
            "first": first["event_date"].to_numpy(),
            "category": first["category"].astype(str).to_numpy(),
            "events": first["city_id"].map(totals).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- sites

MAX_SITES = 400
SITE_POPUP_EVENTS = 8


def sites(index: EventIndex, view: View, place: str | None) -> pd.DataFrame:
    """The distinct locations of local events in view (a square, the airport, the city hall...):
    site_id, city_id, location, lat, lon, events, and ``selected`` for the selected place's.
    The selected place's sites all come first; then the others, most events first, up to
    MAX_SITES in all."""
    counts = index.site_counts(view)
    frame = index.sites.loc[counts.index].assign(events=counts.to_numpy())
    frame["selected"] = frame["city_id"] == place
    frame = frame.sort_values(["selected", "events"], ascending=False, kind="stable")
    return frame.head(max(MAX_SITES, int(frame["selected"].sum())))


def site_events(index: EventIndex, view: View, place: str) -> pd.DataFrame:
    """The selected place's events in view with their site_id (for the sites' popups)."""
    events = index.place_events(place, view)
    keys = index.sites.reset_index().set_index(["city_id", "lat", "lon"])["site_id"]
    where = pd.MultiIndex.from_arrays([events["city_id"], events["latitude"], events["longitude"]])
    return events.assign(site_id=keys.reindex(where).to_numpy())


# --------------------------------------------------------------------------- regions


def region_tolls(index: EventIndex) -> pd.DataFrame:
    """Death tolls given for one place (figures of kind ``death toll`` whose scope is a place),
    by the region the place lies in: region_id, value, claimed_by, as_of, source, latest first."""
    figures, regions = index.record.figures, index.regions
    columns = ["region_id", "value", "claimed_by", "as_of", "source"]
    if regions is None or figures.empty:
        return pd.DataFrame(columns=columns)
    tolls = figures[(figures["kind"] == TOLL_KIND) & (figures["scope"] != NATIONAL)]
    tolls = tolls[tolls["scope"].isin(index.record.cities.index)]
    if tolls.empty:
        return pd.DataFrame(columns=columns)
    places = index.record.cities.loc[tolls["scope"]]
    codes = regions.assign(places["lat"].to_numpy(), places["lon"].to_numpy())
    out = pd.DataFrame(
        {
            "region_id": codes,
            "value": tolls["value"].to_numpy(),
            "claimed_by": tolls["claimed_by"].to_numpy(),
            "as_of": tolls["as_of"].to_numpy(),
            "source": [outlets(index.record, ids) for ids in tolls["source_ids"]],
        }
    )
    return out[out["region_id"] >= 0].sort_values("as_of", ascending=False, kind="stable")


def region_rows(index: EventIndex, view: View) -> pd.DataFrame:
    """One row per region: names, local events in view per category and in all, and the
    latest death toll a source gives for a place in it (empty without regions)."""
    if index.regions is None:
        return pd.DataFrame()
    counts = index.region_counts(view)
    names = index.regions.frame.drop(columns="geometry").set_index("region_id")
    rows = names.join(counts)
    latest = region_tolls(index).drop_duplicates("region_id").set_index("region_id")
    rows["deaths"] = latest["value"].reindex(rows.index)
    rows["deaths_by"] = latest["claimed_by"].reindex(rows.index).fillna("")
    rows["deaths_source"] = latest["source"].reindex(rows.index).fillna("")
    rows["deaths_as_of"] = latest["as_of"].reindex(rows.index)
    return rows


# --------------------------------------------------------------------------- one view's answers


@dataclass(frozen=True)
class Story:
    """A place's story: its events in view, its whole chronology, figures and periods."""

    events: pd.DataFrame
    whole: pd.DataFrame
    figures: pd.DataFrame
    periods: pd.DataFrame


class Answers:
    """The answers for one view, each computed once when first asked for."""

    def __init__(self, index: EventIndex, view: View, place: str | None = None) -> None:
        self.index = index
        self.record = index.record
        self.view = view
        self.place = place

    @functools.cached_property
    def counts(self) -> Counts:
        return self.index.counts(self.view)

    @functools.cached_property
    def deaths(self) -> DeathsHeadline:
        return deaths_headline(self.record)

    @functools.cached_property
    def circles(self) -> Circles:
        return circles(self.index, self.view, self.place)

    @functools.cached_property
    def sites(self) -> pd.DataFrame:
        return sites(self.index, self.view, self.place)

    @functools.cached_property
    def site_events(self) -> pd.DataFrame:
        if self.place is None:
            return self.record.events.iloc[:0].assign(site_id=[])
        return site_events(self.index, self.view, self.place)

    @functools.cached_property
    def regions(self) -> pd.DataFrame:
        return region_rows(self.index, self.view)

    @functools.cached_property
    def figures(self) -> pd.DataFrame:
        return figure_frame(self.record, (self.view.start, self.view.end))

    @functools.cached_property
    def periods(self) -> pd.DataFrame:
        return period_frame(self.record, self.place)

    @functools.cached_property
    def spread(self) -> pd.DataFrame:
        return spread(self.index, self.view)

    @functools.cached_property
    def national(self) -> pd.DataFrame:
        return self.index.national_events(self.view)

    @functools.cached_property
    def story(self) -> Story | None:
        if self.place is None:
            return None
        lo, hi = self.record.settings.period
        return Story(
            events=self.index.place_events(self.place, self.view),
            whole=self.index.place_events(self.place, View(lo, hi)),
            figures=self.figures[self.figures["scope"] == self.place],
            periods=self.periods[self.periods["scope"] == self.place],
        )

    def table(self, limit: int) -> pd.DataFrame:
        """The first ``limit`` events in view, as table rows."""
        return event_rows(self.index.events_in(self.view, limit=limit), self.record)

    def event(self, event_id: str | None) -> pd.Series | None:
        """One event's row by id, or None."""
        if event_id is None:
            return None
        events = self.record.events
        match = events[events["event_id_cnty"] == event_id]
        return match.iloc[0] if len(match) else None
