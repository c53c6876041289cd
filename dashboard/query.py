"""What the user is looking at (a View) and the answers for it: events, per-place totals, figures.

Events are kept sorted by date with an offset per day, so a date range is one slice of the
frame; per-place totals are one ``bincount`` over that slice. Nothing here imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.data import CATEGORIES, Record

DOMINANT_PROTEST = "protest"
DOMINANT_CRACKDOWN = "crackdown"
DOMINANT_MIXED = "mixed"
DOMINANT_OTHER = "other"


@dataclass(frozen=True)
class View:
    """The part of the record on screen: an inclusive date range, the categories shown and
    whether only events with an exact date and place (precision 1) are shown."""

    start: date
    end: date
    categories: tuple[str, ...] = CATEGORIES
    exact_only: bool = False

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        unknown = set(self.categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {sorted(unknown)}")


@dataclass(frozen=True)
class Headline:
    """The figures above the map for one view."""

    events: int
    protest: int
    crackdown: int
    cities: int
    fatalities: int
    events_with_fatalities: int


class EventIndex:
    """Range queries over one record. Built once per record and shared; read-only."""

    def __init__(self, record: Record) -> None:
        self.record = record
        events = record.events
        self.period_start, self.period_end = record.settings.period
        self.n_days = (self.period_end - self.period_start).days + 1
        days = events["day"].to_numpy()
        # offsets[d] = first row whose day >= d, so day range [a, b] is rows offsets[a]:offsets[b+1]
        self.offsets = np.searchsorted(days, np.arange(self.n_days + 1), side="left")
        self.city_ids = record.cities.index.to_numpy()
        self.city_codes = pd.Categorical(events["city_id"], categories=self.city_ids).codes
        self.category_codes = events["category"].cat.codes.to_numpy()
        self.fatalities = events["fatalities"].fillna(0).to_numpy(dtype=np.int64)
        self.has_fatalities = events["fatalities"].notna().to_numpy()
        self.exact = ((events["time_precision"] == 1) & (events["geo_precision"] == 1)).to_numpy()

    def day_of(self, when: date) -> int:
        return (when - self.period_start).days

    def date_of(self, day: int) -> date:
        return self.period_start + timedelta(days=day)

    def _rows(self, view: View) -> tuple[slice, np.ndarray | None]:
        """The slice of rows in the view's dates and, if categories are narrowed, a mask on it."""
        a = min(max(self.day_of(view.start), 0), self.n_days)
        b = min(max(self.day_of(view.end) + 1, 0), self.n_days)
        rows = slice(int(self.offsets[a]), int(self.offsets[b]))
        mask = None
        if set(view.categories) != set(CATEGORIES):
            wanted = [CATEGORIES.index(c) for c in view.categories]
            mask = np.isin(self.category_codes[rows], wanted)
        if view.exact_only:
            mask = self.exact[rows] if mask is None else mask & self.exact[rows]
        return rows, mask

    def events_in(self, view: View) -> pd.DataFrame:
        """The events in the view, in date order."""
        rows, mask = self._rows(view)
        part = self.record.events.iloc[rows]
        return part if mask is None else part[mask]

    def place_events(self, city_id: str, view: View) -> pd.DataFrame:
        """One place's events in the view, in date order: its chronology."""
        rows, mask = self._rows(view)
        here = self.city_codes[rows] == self.record.cities.index.get_loc(city_id)
        keep = here if mask is None else here & mask
        return self.record.events.iloc[rows][keep]

    def city_totals(self, view: View) -> pd.DataFrame:
        """Per place with at least one event in view: counts per category, total, dominant."""
        rows, mask = self._rows(view)
        cities = self.city_codes[rows]
        cats = self.category_codes[rows]
        fatal = self.fatalities[rows]
        if mask is not None:
            cities, cats, fatal = cities[mask], cats[mask], fatal[mask]
        n_cities = len(self.city_ids)
        counts = np.zeros((n_cities, len(CATEGORIES)), dtype=np.int64)
        for k in range(len(CATEGORIES)):
            counts[:, k] = np.bincount(cities[cats == k], minlength=n_cities)
        frame = pd.DataFrame(counts, index=self.city_ids, columns=list(CATEGORIES))
        frame["events"] = counts.sum(axis=1)
        frame["fatalities"] = np.bincount(cities, weights=fatal, minlength=n_cities).astype(
            np.int64
        )
        frame = frame[frame["events"] > 0]
        frame["dominant"] = dominant(frame["protest"], frame["crackdown"])
        frame.index.name = "city_id"
        return frame

    def headline(self, view: View) -> Headline:
        rows, mask = self._rows(view)
        cats = self.category_codes[rows]
        cities = self.city_codes[rows]
        fatal = self.fatalities[rows]
        known = self.has_fatalities[rows]
        if mask is not None:
            cats, cities, fatal, known = cats[mask], cities[mask], fatal[mask], known[mask]
        return Headline(
            events=len(cats),
            protest=int((cats == CATEGORIES.index("protest")).sum()),
            crackdown=int((cats == CATEGORIES.index("crackdown")).sum()),
            cities=len(np.unique(cities)),
            fatalities=int(fatal.sum()),
            events_with_fatalities=int(known.sum()),
        )


def dominant(protest: pd.Series, crackdown: pd.Series) -> pd.Series:
    """What dominated at a place: protest, crackdown, mixed (a tie) or other (neither)."""
    out = np.where(
        protest > crackdown,
        DOMINANT_PROTEST,
        np.where(
            crackdown > protest,
            DOMINANT_CRACKDOWN,
            np.where(protest > 0, DOMINANT_MIXED, DOMINANT_OTHER),
        ),
    )
    return pd.Series(out, index=protest.index)


def filter_events(events: pd.DataFrame, view: View) -> pd.DataFrame:
    """The plain filter: the reference the fast EventIndex path is tested against."""
    start, end = pd.Timestamp(view.start), pd.Timestamp(view.end)
    keep = events["event_date"].between(start, end) & events["category"].isin(view.categories)
    if view.exact_only:
        keep &= (events["time_precision"] == 1) & (events["geo_precision"] == 1)
    return events[keep]
