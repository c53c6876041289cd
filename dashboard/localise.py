"""The record as a page in one language shows it: place names in that language (the English
name kept as ``name_en``, so search still finds it), and the record's Russian text (``notes_ru``,
``label_ru``) on the Russian and Kazakh pages, where it exists. Pure: no streamlit; the frames
of the record are never changed (new frames share their columns)."""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd

from dashboard import i18n
from dashboard.data import Record
from dashboard.i18n import N_
from dashboard.index import EventIndex
from dashboard.schema import NO_RUSSIAN

NAME_COLUMNS = {"en": "name", "ru": "name_ru", "kk": "name_kk"}
REGION_NAME_FIELDS = {"en": "name_en", "ru": "name_ru", "kk": "name_kk"}
# A record without its own title (no record.json) is named by the interface, so in its language.
DEFAULT_TITLE = N_("January 2022 unrest in Kazakhstan")
DEFAULT_REGION = N_("Kazakhstan")


def _preferred(frame: pd.DataFrame, column: str, fallback: str) -> pd.Series:
    """``column`` where it holds text, else ``fallback``."""
    if column not in frame:
        return frame[fallback]
    text = frame[column].fillna("").astype(str).str.strip()
    return frame[column].where((text != "") & (text != NO_RUSSIAN), frame[fallback])


def record_in(record: Record, language: str) -> Record:
    """``record`` with its place names and its own text in ``language`` (see the module)."""
    cities = record.cities.assign(name_en=record.cities["name"])
    events, figures, periods = record.events, record.figures, record.periods
    if language != "en":
        cities = cities.assign(name=_preferred(cities, NAME_COLUMNS[language], "name"))
    if i18n.RECORD_TEXT_LANGUAGE.get(language) == "ru":
        events = events.assign(notes=_preferred(events, "notes_ru", "notes"))
        figures = figures.assign(label=_preferred(figures, "label_ru", "label"))
        periods = periods.assign(label=_preferred(periods, "label_ru", "label"))
    settings = record.settings
    if language != "en":
        settings = dataclasses.replace(
            settings,
            title=_default_text(settings.title, DEFAULT_TITLE, language),
            region_name=_default_text(settings.region_name, DEFAULT_REGION, language),
        )
    return dataclasses.replace(
        record, cities=cities, events=events, figures=figures, periods=periods, settings=settings
    )


def _default_text(value: str, default: str, language: str) -> str:
    return i18n.translate(default, language) if value == default else value


def index_in(index: EventIndex, language: str) -> EventIndex:
    """``index`` over the record in ``language``: the same arrays (the rows do not move), a
    record whose text is in that language."""
    localised = copy.copy(index)
    localised.record = record_in(index.record, language)
    return localised
