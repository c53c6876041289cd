"""The record as each language's page shows it (``localise``): place names in the language,
the English name still found by search, and the record's Russian text on the Russian and
Kazakh pages, with the English where a row has none."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dashboard import data, i18n, localise, places, query
from dashboard.index import EventIndex, View
from dashboard.schema import NO_RUSSIAN, RecordSettings

GEODATA = Path(__file__).resolve().parent.parent / "geodata"


@pytest.fixture(scope="module")
def record() -> data.Record:
    record, problems = data.validate(GEODATA)
    assert record is not None and not [p for p in problems if p.severity == "error"]
    return record


def test_english_keeps_the_record_as_it_is(record: data.Record) -> None:
    english = localise.record_in(record, "en")
    assert english.cities["name"].equals(record.cities["name"])
    assert english.events["notes"].equals(record.events["notes"])
    assert english.cities["name_en"].equals(record.cities["name"])


@pytest.mark.parametrize(("language", "column"), [("ru", "name_ru"), ("kk", "name_kk")])
def test_place_names_are_in_the_language_and_search_finds_every_spelling(
    record: data.Record, language: str, column: str
) -> None:
    shown = localise.record_in(record, language)
    almaty = shown.cities.loc["almaty"]
    assert almaty["name"] == record.cities.loc["almaty", column] != "Almaty"
    assert almaty["name_en"] == "Almaty"
    for spelling in ("Almaty", "Алматы", "almaty"):
        assert places.find_place(spelling, shown.cities) == "almaty"
    assert places.label(almaty).startswith(almaty["name"])


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_russian_and_kazakh_pages_show_the_russian_text(record: data.Record, language: str) -> None:
    shown = localise.record_in(record, language)
    assert shown.events["notes"].equals(record.events["notes_ru"])
    assert shown.figures["label"].equals(record.figures["label_ru"])
    assert shown.periods["label"].equals(record.periods["label_ru"])
    assert record.events["notes"].iloc[0] != shown.events["notes"].iloc[0]  # nothing mutated


def test_a_row_without_russian_text_shows_the_english(record: data.Record) -> None:
    events = record.events.copy()
    events.loc[events.index[0], "notes_ru"] = NO_RUSSIAN
    events.loc[events.index[1], "notes_ru"] = "  "
    shown = localise.record_in(
        data.Record(
            record.cities,
            events,
            record.sources,
            record.figures,
            record.periods,
            record.settings,
            record.version,
        ),
        "ru",
    )
    assert list(shown.events["notes"].iloc[:3]) == [
        events["notes"].iloc[0],
        events["notes"].iloc[1],
        events["notes_ru"].iloc[2],
    ]


def test_the_localised_index_answers_alike_with_its_own_text(record: data.Record) -> None:
    index = EventIndex(record)
    russian = localise.index_in(index, "ru")
    assert russian.record is not index.record and index.record is record
    lo, hi = record.settings.period
    whole = View(lo, hi, tuple(record.events["category"].cat.categories), False)
    english_rows = index.events_in(whole)
    russian_rows = russian.events_in(whole)
    assert list(english_rows["event_id_cnty"]) == list(russian_rows["event_id_cnty"])
    assert set(russian_rows["notes"]) <= set(record.events["notes_ru"])


def test_a_record_without_a_title_is_named_in_the_pages_language(record: data.Record) -> None:
    assert (localise.DEFAULT_TITLE, localise.DEFAULT_REGION) == (
        RecordSettings.title,
        RecordSettings.region_name,
    )
    assert record.settings.title == RecordSettings.title  # the bundled record has no record.json
    russian = localise.record_in(record, "ru").settings
    assert russian.title == "Январские события 2022 года в Казахстане"
    assert russian.region_name == "Казахстан"
    assert localise.record_in(record, "kk").settings.region_name == "Қазақстан"
    own = dataclasses.replace(record, settings=RecordSettings(title="Our own title"))
    assert localise.record_in(own, "ru").settings.title == "Our own title"


def test_an_event_at_a_place_is_listed_under_the_places_name_in_the_language(
    record: data.Record,
) -> None:
    shown = localise.record_in(record, "ru")
    events = shown.events[shown.events["location"].isin(["Almaty", "Republic Square, Almaty"])]
    try:
        i18n.use("ru")
        rows = query.event_rows(events, shown)
    finally:
        i18n.use(i18n.DEFAULT)
    places = dict(zip(events["location"], rows["место"], strict=True))
    assert places == {"Almaty": "Алматы", "Republic Square, Almaty": "Republic Square, Almaty"}
