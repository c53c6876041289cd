"""The range index: what is in a View (a date range, categories, exactness), fast at any size.

A slider move costs O(places), not O(events). ``EventIndex`` sorts the events once by
(place, category, exact or not, day) into one array of keys; the events of any place, category
and exactness in a day range are then one contiguous run of that array, found with two binary
searches, and its length is the count (positions in a sorted array are cumulative counts).
Cumulative sums along the same order give fatalities. So per-place totals and the headline
cost two ``searchsorted`` calls of places x categories x 2 values, whatever the number of events
in range, and the memory is O(events) however long the period or many the places (no
days x places table). Events stay sorted by date with an offset per day, so the events of a date
range are one slice of the frame. ``filter_events`` is the plain reference the index is tested
against. Nothing here imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.data import CATEGORIES, Record
from dashboard.regions import Regions
from dashboard.text import DOMINANT_CATEGORIES, DOMINANT_MIXED, DOMINANT_OTHER

NATIONAL = "national"


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
class Counts:
    """Event counts for one view: all, per category, local and national, places affected, and
    the sum of the events' own fatalities figures (not a death toll: see query.deaths_headline)."""

    events: int
    by_category: dict[str, int]
    national: int
    places: int
    fatalities: int
    events_with_fatalities: int


class EventIndex:
    """Range queries over one record. Built once per record and shared; read-only."""

    def __init__(self, record: Record, regions: Regions | None = None) -> None:
        self.record = record
        self.regions = regions
        events = record.events
        self.period_start, self.period_end = record.settings.period
        self.n_days = (self.period_end - self.period_start).days + 1
        start = np.datetime64(self.period_start, "D")
        days = (events["event_date"].to_numpy().astype("datetime64[D]") - start).astype(np.int64)
        self.days = days
        if len(days) and (days.min() < 0 or days.max() >= self.n_days):
            raise ValueError("an event lies outside the record period")
        # offsets[d] = first row whose day >= d, so day range [a, b] is rows offsets[a]:offsets[b+1]
        self.offsets = np.searchsorted(days, np.arange(self.n_days + 1), side="left")
        self.city_ids = record.cities.index.to_numpy()
        # Places are slots 0..n-1; national measures share slot n (``national_slot``).
        self.national_slot = len(self.city_ids)
        codes = pd.Categorical(events["city_id"], categories=self.city_ids).codes.astype(np.int64)
        national = (events["scope"] == NATIONAL).to_numpy() if "scope" in events else False
        self.city_codes = np.where(national, self.national_slot, codes)
        self.category_codes = events["category"].cat.codes.to_numpy()
        self.fatalities = events["fatalities"].fillna(0).to_numpy(dtype=np.int64)
        self.has_fatalities = events["fatalities"].notna().to_numpy()
        self.exact = ((events["time_precision"] == 1) & (events["geo_precision"] == 1)).to_numpy()
        # Rows sorted by (group, day), group = (place, category, exact): see the module notes.
        group = (self.city_codes * len(CATEGORIES) + self.category_codes) * 2
        keys = (group + self.exact) * self.n_days + days
        order = np.argsort(keys, kind="stable")  # stable: date order within a run
        self._keys = keys[order]
        self._order = order.astype(np.int32 if len(order) < 2**31 else np.int64)
        self._fatal_sum = np.concatenate(([0], np.cumsum(self.fatalities[order])))
        # Sites: each distinct (place, coordinates) of local events, named by the locations
        # the events there give (most used first).
        where = ["city_id", "latitude", "longitude"]
        codes_ = events.groupby(where, sort=False, observed=True).ngroup().to_numpy()
        first = np.unique(codes_, return_index=True)[1]
        uniques = events[where].iloc[first].itertuples(index=False, name=None)
        self.site_codes = np.where(national, -1, codes_)
        is_local = ~np.broadcast_to(np.asarray(national, dtype=bool), len(codes_))
        local = pd.DataFrame({"site": codes_, "location": events["location"].to_numpy()})[is_local]
        names = local.groupby("site")["location"].agg(
            lambda s: " / ".join(s.value_counts(sort=True).index[:3])
        )
        self.sites = pd.DataFrame(list(uniques), columns=["city_id", "lat", "lon"])
        self.sites["location"] = names.reindex(self.sites.index).fillna("").to_numpy()
        self.sites.index.name = "site_id"
        # Each event's region by its own coordinates (-1: none, or a national measure).
        self.region_codes = np.full(len(events), -1, dtype=np.int64)
        if regions is not None:
            codes = regions.assign(events["latitude"].to_numpy(), events["longitude"].to_numpy())
            self.region_codes = np.where(national, -1, codes)
        self._known_sum = np.concatenate(([0], np.cumsum(self.has_fatalities[order])))

    def day_of(self, when: date) -> int:
        return (when - self.period_start).days

    def date_of(self, day: int) -> date:
        return self.period_start + timedelta(days=day)

    def _days(self, view: View) -> tuple[int, int]:
        """The view's first and last day, clipped to the period (first > last when empty)."""
        first = max(self.day_of(view.start), 0)
        last = min(self.day_of(view.end), self.n_days - 1)
        return first, last

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

    def _runs(self, view: View, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and end positions (in the sorted order) of each (place, category, exactness)
        run in view, shaped (places, categories, 2): all categories, so columns line up with
        CATEGORIES; unselected categories and, for exact_only, inexact runs are empty."""
        first, last = self._days(view)
        shape = (len(places), len(CATEGORIES), 2)
        if first > last:
            empty = np.zeros(shape, dtype=np.int64)
            return empty, empty
        group = (places[:, None, None] * len(CATEGORIES) + np.arange(len(CATEGORIES))[:, None]) * 2
        group = group + np.arange(2)
        lo = np.searchsorted(self._keys, group * self.n_days + first, side="left")
        hi = np.searchsorted(self._keys, group * self.n_days + last, side="right")
        shown = np.isin(np.array(CATEGORIES), view.categories)[None, :, None] & np.array(
            [not view.exact_only, True]
        )
        hi = np.where(shown, hi, lo)
        return lo, hi

    def events_in(self, view: View, limit: int | None = None) -> pd.DataFrame:
        """The events in the view, in date order (the first ``limit`` of them if given)."""
        rows, mask = self._rows(view)
        if mask is None:
            stop = rows.stop if limit is None else min(rows.stop, rows.start + limit)
            return self.record.events.iloc[rows.start : stop]
        keep = np.flatnonzero(mask)
        if limit is not None:
            keep = keep[:limit]
        return self.record.events.iloc[rows.start + keep]

    def place_events(self, city_id: str, view: View) -> pd.DataFrame:
        """One place's local events in the view, in date order: its chronology."""
        slot = self.record.cities.index.get_indexer(pd.Index([city_id]))[0]
        if slot < 0:
            raise KeyError(city_id)
        return self._slot_events(int(slot), view)

    def _slot_events(self, slot: int, view: View) -> pd.DataFrame:
        lo, hi = self._runs(view, np.array([slot]))
        rows = np.sort(
            np.concatenate([self._order[a:b] for a, b in zip(lo.ravel(), hi.ravel(), strict=True)])
        )
        return self.record.events.iloc[rows]

    def city_totals(self, view: View) -> pd.DataFrame:
        """Per place with at least one local event in view: counts per category, total,
        fatalities, ``exact`` (events with exact date and place) and what dominated. National
        measures are not any place's."""
        lo, hi = self._runs(view, np.arange(len(self.city_ids)))
        counts = (hi - lo).sum(axis=2)
        frame = pd.DataFrame(counts, index=self.city_ids, columns=list(CATEGORIES))
        frame["events"] = counts.sum(axis=1)
        frame["fatalities"] = (self._fatal_sum[hi] - self._fatal_sum[lo]).sum(axis=(1, 2))
        frame["exact"] = (hi - lo)[:, :, 1].sum(axis=1)
        frame = frame[frame["events"] > 0]
        frame["dominant"] = dominant(frame)
        frame.index.name = "city_id"
        return frame

    def counts(self, view: View) -> Counts:
        """The view's counts, national measures included (they are not a place)."""
        lo, hi = self._runs(view, np.arange(len(self.city_ids) + 1))
        counts = (hi - lo).sum(axis=2)
        per_category = counts.sum(axis=0)
        return Counts(
            events=int(counts.sum()),
            by_category={c: int(per_category[i]) for i, c in enumerate(CATEGORIES)},
            national=int(counts[self.national_slot].sum()),
            places=int((counts[: self.national_slot].sum(axis=1) > 0).sum()),
            fatalities=int((self._fatal_sum[hi] - self._fatal_sum[lo]).sum()),
            events_with_fatalities=int((self._known_sum[hi] - self._known_sum[lo]).sum()),
        )

    def region_counts(self, view: View) -> pd.DataFrame:
        """Per region: local events in view per category, total and fatalities (all regions,
        zeros included); empty without regions."""
        if self.regions is None:
            return pd.DataFrame()
        rows, mask = self._rows(view)
        codes = self.region_codes[rows]
        categories = self.category_codes[rows]
        fatal = self.fatalities[rows]
        keep = codes >= 0 if mask is None else (codes >= 0) & mask
        exact = self.exact[rows][keep]
        codes, categories, fatal = codes[keep], categories[keep], fatal[keep]
        n = len(self.regions)
        frame = pd.DataFrame(
            {c: np.bincount(codes[categories == i], minlength=n) for i, c in enumerate(CATEGORIES)}
        )
        frame["events"] = np.bincount(codes, minlength=n)
        frame["fatalities"] = np.bincount(codes, weights=fatal, minlength=n).astype(np.int64)
        frame["exact"] = np.bincount(codes[exact], minlength=n)
        frame.index.name = "region_id"
        return frame

    def site_counts(self, view: View) -> pd.Series:
        """Local events in view per site (site_id -> count), sites with none left out."""
        rows, mask = self._rows(view)
        codes = self.site_codes[rows]
        codes = codes[(codes >= 0) if mask is None else (codes >= 0) & mask]
        counts = np.bincount(codes, minlength=len(self.sites))
        (found,) = np.nonzero(counts)
        return pd.Series(counts[found], index=pd.Index(found, name="site_id"), name="events")

    def national_events(self, view: View) -> pd.DataFrame:
        """The national measures in view, in date order."""
        return self._slot_events(self.national_slot, view)

    def daily_counts(self, view: View) -> pd.DataFrame:
        """Events in view per day, category and precision (``exact``, or ``approximate`` when
        the date or the place is), only combinations that occur: what ``charts.daily_counts``
        computes from the events, counted with one ``bincount`` instead of a group-by."""
        rows, mask = self._rows(view)
        days = self.days[rows]
        code = (days.astype(np.int64) * len(CATEGORIES) + self.category_codes[rows]) * 2
        code = code + ~self.exact[rows]
        if mask is not None:
            code = code[mask]
        counts = np.bincount(code, minlength=self.n_days * len(CATEGORIES) * 2)
        (found,) = np.nonzero(counts)
        day, rest = np.divmod(found, len(CATEGORIES) * 2)
        category, approximate = np.divmod(rest, 2)
        return pd.DataFrame(
            {
                "date": pd.to_datetime(self.period_start) + pd.to_timedelta(day, unit="D"),
                "category": np.array(CATEGORIES, dtype=object)[category],
                "precision": np.where(approximate == 1, "approximate", "exact"),
                "events": counts[found],
            }
        )

    def first_events(self, view: View, limits: pd.Series) -> pd.DataFrame:
        """The earliest events in view at each place of ``limits`` (city_id -> how many), at
        most that many per place, in date order. Work is bounded by the limits, not by the
        number of events in view."""
        places = self.record.cities.index.get_indexer(limits.index)
        if (places < 0).any():
            raise KeyError(f"unknown places: {list(limits.index[places < 0])}")
        wanted = limits.to_numpy(dtype=np.int64)
        lo, hi = self._runs(view, places)
        per_run = np.repeat(wanted, lo.shape[1] * lo.shape[2])
        take = np.minimum((hi - lo).ravel(), per_run)
        total = int(take.sum())
        # positions lo[i], lo[i] + 1, ..., lo[i] + take[i] - 1 for every run i, concatenated
        starts = np.repeat(lo.ravel() - (np.cumsum(take) - take), take)
        rows = self._order[starts + np.arange(total)]
        owner = np.repeat(np.repeat(np.arange(len(places)), lo.shape[1] * lo.shape[2]), take)
        by_place = np.lexsort((rows, owner))
        rows, owner = rows[by_place], owner[by_place]
        rank = np.arange(total) - np.searchsorted(owner, owner, side="left")
        return self.record.events.iloc[np.sort(rows[rank < wanted[owner]])]


def dominant(counts: pd.DataFrame) -> pd.Series:
    """What dominated at each row of per-category ``counts``: the category of
    DOMINANT_CATEGORIES with most events, ``mixed`` for a tie, ``other`` for none of them."""
    values = counts[list(DOMINANT_CATEGORIES)].to_numpy()
    best = values.max(axis=1) if len(values) else np.zeros(0)
    winners = (values == best[:, None]).sum(axis=1)
    names = (
        np.array(DOMINANT_CATEGORIES, dtype=object)[values.argmax(axis=1)] if len(values) else []
    )
    out = np.where(best == 0, DOMINANT_OTHER, np.where(winners > 1, DOMINANT_MIXED, names))
    return pd.Series(out, index=counts.index, dtype=object)


def filter_events(events: pd.DataFrame, view: View) -> pd.DataFrame:
    """The plain filter: the reference the fast EventIndex path is tested against."""
    start, end = pd.Timestamp(view.start), pd.Timestamp(view.end)
    keep = events["event_date"].between(start, end) & events["category"].isin(view.categories)
    if view.exact_only:
        keep &= (events["time_precision"] == 1) & (events["geo_precision"] == 1)
    return events[keep]
