"""sources.csv as the page uses it: outlet names (an unverified source says so), how well an
event is corroborated, and the Sources page's table. Built once per record version. Pure: no
streamlit."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd

from dashboard import i18n
from dashboard.data import Record
from dashboard.i18n import tr, trn

AUTHORITY_TYPES = frozenset({"official", "state media"})
NOT_FOUND = "not found"


def _ids(source_ids: object) -> list[str]:
    return [s for s in (i.strip() for i in str(source_ids).split(";")) if s]


def _column(sources: pd.DataFrame, name: str) -> pd.Series:
    if name in sources.columns:
        return sources[name].fillna("").astype(str)
    return pd.Series("", index=sources.index, dtype=object)


def unverified_sources(record: Record) -> frozenset[str]:
    """Ids of sources whose stored copy could not be found (``checked`` = not found)."""
    checked = _column(record.sources, "checked")
    return frozenset(checked.index[checked.str.strip() == NOT_FOUND])


@dataclass(frozen=True)
class Corroboration:
    """How well one event is supported: independent outlets reporting it, and whether every
    source is the authorities (officials or state media): their claims are then labelled."""

    outlets: int
    authorities_only: bool

    def text(self) -> str:
        count = trn("{n} outlet", "{n} outlets", self.outlets)
        said = tr("authorities' claim only")
        return f"{count}; {said}" if self.authorities_only else count


class SourceBook:
    """sources.csv as lookups, built once per record and language: outlet names (an
    unverified source says so), and per ``;``-separated id list its outlets text and
    corroboration (cached, since the same lists recur)."""

    def __init__(self, record: Record) -> None:
        sources = record.sources
        unverified = unverified_sources(record)
        self.outlet = {
            str(i): tr("{outlet} (unverified)", outlet=o) if i in unverified else str(o)
            for i, o in zip(sources.index, sources["outlet"], strict=True)
        }
        groups = _column(sources, "outlet_group")
        self.group = {
            str(i): (g or str(o))
            for i, g, o in zip(sources.index, groups, sources["outlet"], strict=True)
        }
        self.type = dict(
            zip(sources.index.astype(str), _column(sources, "outlet_type"), strict=True)
        )
        self._outlets: dict[str, str] = {}
        self._support: dict[str, Corroboration] = {}

    def outlets(self, source_ids: str) -> str:
        key = str(source_ids)
        if key not in self._outlets:
            names = [self.outlet[s] for s in _ids(key) if s in self.outlet]
            self._outlets[key] = "; ".join(dict.fromkeys(names))
        return self._outlets[key]

    def corroboration(self, source_ids: str) -> Corroboration:
        """Independent outlets among the sources: reprints, mirrors and one organisation's
        services share an ``outlet_group`` (the outlet name when the group is not given)."""
        key = str(source_ids)
        if key not in self._support:
            known = [s for s in _ids(key) if s in self.outlet]
            types = [self.type[s] for s in known]
            self._support[key] = Corroboration(
                outlets=len({self.group[s] for s in known}),
                authorities_only=bool(types) and all(t in AUTHORITY_TYPES for t in types),
            )
        return self._support[key]


_BOOKS: dict[tuple[str, str], SourceBook] = {}


def source_book(record: Record) -> SourceBook:
    """The record's ``SourceBook`` in this run's language, made once per record version and
    language."""
    key = (record.version, i18n.current())
    if key not in _BOOKS:
        if len(_BOOKS) > 8:
            _BOOKS.clear()
        _BOOKS[key] = SourceBook(record)
    return _BOOKS[key]


def outlets(record: Record, source_ids: str) -> str:
    """Outlet names for ``;``-separated source ids; an unverified source says so."""
    return source_book(record).outlets(source_ids)


def corroboration(record: Record, source_ids: str) -> Corroboration:
    return source_book(record).corroboration(source_ids)


def source_ids_of(record: Record, event_id: str) -> list[str]:
    """The source ids one event cites."""
    events = record.events
    match = events.loc[events["event_id_cnty"] == event_id, "source_ids"]
    return _ids(match.iloc[0]) if len(match) else []


def source_rows(record: Record) -> pd.DataFrame:
    """Every source as the Sources page shows it: what it is, how it was checked, and the
    events and figures that cite it (with a link to the first such event on the map)."""
    sources = record.sources
    cited: dict[str, list[str]] = {}
    for frame, id_col in ((record.events, "event_id_cnty"), (record.figures, "figure_id")):
        if frame.empty:
            continue
        for row_id, ids in zip(frame[id_col], frame["source_ids"], strict=True):
            for source in _ids(ids):
                cited.setdefault(source, []).append(str(row_id))
    unverified = unverified_sources(record)
    first_event = {
        s: next((i for i in ids if not i.startswith("F")), None) for s, ids in cited.items()
    }
    return pd.DataFrame(
        {
            "id": sources.index.astype(str),
            "outlet": sources["outlet"],
            "title": sources["title"],
            "author": _column(sources, "author"),
            "published": _column(sources, "published"),
            "link": _column(sources, "url").replace("", None),
            "checked": _column(sources, "checked"),
            "stored copy": _column(sources, "stored_copy"),
            "outlet type": _column(sources, "outlet_type"),
            "cited by": [", ".join(cited.get(s, [])) for s in sources.index],
            "on the map": [
                f"/?event={quote(str(first_event[s]), safe='')}" if first_event.get(s) else None
                for s in sources.index
            ],
            "unverified": [s in unverified for s in sources.index],
        }
    )
