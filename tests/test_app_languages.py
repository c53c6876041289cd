"""The app's script in Russian and Kazakh (AppTest, the bundled record): every label, table
column, chart title and map text in the language, the record's own text in Russian, the link
and the open panel kept through a switch of language, and a bad ``lang`` noticed."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, i18n, mapview, popups
from dashboard.text import shorten

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
CYRILLIC = re.compile("[\u0400-\u04ff]")
# Latin text the pages show in every language: names, formats, the language switch.
RUSSIAN_TEXT_NOTICE = (
    "The record's own text (event descriptions, the labels of figures and periods) is shown in "
    "Russian until it is written in Kazakh."
)
KEPT = {"Qantar Map", "CSV", "GeoJSON", "HTML", "English", "ACLED", "OpenStreetMap", "CC BY 4.0"}


def run_app(monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(data.DEFAULT_DATA_DIR))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


RECORD = data.load_record(data.DEFAULT_DATA_DIR)
# The record's own text: what has no Russian column (who gave a figure, outlets, locations,
# the English place names shown beside the page's), and the Russian text, which names outlets
# and organisations in Latin letters.
RECORD_TEXT = sorted(
    {
        *RECORD.figures["claimed_by"].dropna(),
        *RECORD.sources["outlet"].dropna(),
        *RECORD.events["location"].dropna(),
        *RECORD.events["source"].dropna(),
        *RECORD.events["notes_ru"].dropna(),
        *(shorten(s, mapview.NOTE_LIMIT) for s in RECORD.events["notes_ru"].dropna()),
        *RECORD.cities["name"],
        *(shorten(s, mapview.SOURCE_LIMIT) for s in RECORD.events["source"].dropna()),
    },
    key=len,
    reverse=True,
)


def english_words(text: str) -> str:
    """``text`` without the kept Latin names and the record's own untranslated text: what
    remains should hold no Latin word (Markdown's escapes taken out first)."""
    text = text.replace("\\", "")
    for kept in [*RECORD_TEXT, *KEPT]:
        text = text.replace(kept, "")
    return " ".join(re.findall(r"[A-Za-z]{3,}", text))


def labels(at: AppTest) -> list[str]:
    widgets = [*at.slider, *at.multiselect, *at.toggle, *at.selectbox, *at.button, *at.radio]
    return [w.label for w in widgets if w.label and w.key != "lang"]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_map_page_speaks_the_language(monkeypatch, language: str) -> None:
    at = run_app(monkeypatch, lang=language)
    assert at.session_state["lang"] == language and at.query_params["lang"] == language
    texts = [
        *labels(at),
        *(m.label for m in at.metric),
        *(c.value for c in at.caption),
        *(e.label for e in at.expander),
        *(t.label for t in at.tabs),
        *(s.value for s in at.subheader),
        *(b.proto.label for b in at.get("download_button")),
    ]
    assert texts and all(CYRILLIC.search(t) for t in texts), texts
    assert [english_words(t) for t in texts if english_words(t)] == []
    for table in at.dataframe:
        columns = [str(c) for c in table.value.columns]
        assert all(CYRILLIC.search(c) for c in columns), columns
    # the events' descriptions are the record's Russian text
    column = i18n.translate("description", language)
    described = [t.value for t in at.dataframe if column in t.value]
    assert described
    claimed = i18n.translate("Claimed by the authorities:", language) + " "
    for table in described:
        notes = {str(n).removeprefix(claimed) for n in table[column]}
        assert notes <= set(RECORD.events["notes_ru"])
    says_so = i18n.translate(RUSSIAN_TEXT_NOTICE, language)
    assert (language == "kk") == any(c.value == says_so for c in at.caption)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_charts_and_map_text_are_in_the_language(monkeypatch, language: str) -> None:
    at = run_app(monkeypatch, lang=language)
    titles: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    titles.append(value)
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        collect(spec)
        assert "%b" not in chart.proto.spec  # month names would be English
    assert titles and all(CYRILLIC.search(t) for t in titles), titles
    (component,) = at.get("component_instance")
    layer = json.loads(component.proto.json_args)["feature_group"]
    tooltips = [json.loads(f'"{t}"') for t in re.findall(r'"tooltip": "((?:[^"\\]|\\.)*)"', layer)]
    places = re.findall(r'"city_id": "([^"]+)"', layer)
    # the popups, as the map fetches them when they open: the view of the page's link
    view = {k: [at.query_params[k]] for k in mapview.POPUP_VIEW_KEYS}
    try:
        answers = [
            popups.answer({**view, "lang": [language], "rv": [RECORD.version], "city": [city]})
            for city in places[:8]
        ]
    finally:
        i18n.use(i18n.DEFAULT)
    assert answers and {status for status, _ in answers} == {200}
    raw = [body for _, body in answers]
    # each event's link to its sources opens the Sources page in the same language
    links = [html.unescape(h) for text in raw for h in re.findall(r"href='([^']*)'", text)]
    assert links and all(h.startswith("/sources?event=") for h in links)
    assert all(h.endswith(f"&lang={language}") for h in links)
    texts = [html.unescape(re.sub(r"<[^>]+>", " ", t)) for t in [*tooltips, *raw]]  # no tags
    assert tooltips and all(CYRILLIC.search(t) for t in texts)
    assert [english_words(t) for t in texts if english_words(t)] == []


def test_a_switch_of_language_keeps_the_view_and_the_open_panel(monkeypatch) -> None:
    at = run_app(monkeypatch, panel="figures", city="almaty", lang="en")
    assert at.session_state["panel"] == "Figures"
    at.radio(key="lang").set_value("ru").run()
    assert not at.exception
    assert at.session_state["panel"] == "Цифры"
    assert at.query_params["panel"] == "figures" and at.query_params["lang"] == "ru"
    assert at.query_params["city"] == "almaty"
    assert any(s.value.startswith("Алматы") for s in at.subheader)
    # AppTest formats the widgets' values in this thread, which must then be in Russian too
    i18n.use("ru")
    try:
        at.radio(key="lang").set_value("kk").run()
    finally:
        i18n.use(i18n.DEFAULT)
    assert at.session_state["panel"] == i18n.translate("Figures", "kk")
    assert at.query_params["panel"] == "figures" and at.query_params["lang"] == "kk"


def test_a_bad_language_in_the_link_is_noticed(monkeypatch) -> None:
    at = run_app(monkeypatch, lang="xx")
    notices = " ".join(t.value for t in at.text)
    assert "lang='xx' is not one of en, ru, kk" in notices
    assert at.session_state["lang"] == "en"


def test_a_run_asked_for_before_the_browser_has_the_new_languages_widgets_keeps_the_view(
    monkeypatch,
) -> None:
    # The browser sends its widgets' values as their labels. A run it asks for just after a
    # switch of language (the map reporting, say), before the new language's widgets have
    # reached it, still carries the old language's labels: none of them is an option any more,
    # and the view must not fall back to the defaults.
    at = run_app(monkeypatch, panel="figures", city="almaty", lang="en", cat="protest,riot")
    english = at._tree.get_widget_states()  # what the browser holds (AppTest has no public way)
    at.radio(key="lang").set_value("ru").run()
    switch = at.radio(key="lang")
    stale = type(english)()
    for state in english.widgets:
        stale.widgets.append(switch._widget_state if state.id == switch.id else state)
    at._run(stale)
    assert not at.exception
    assert at.query_params["city"] == "almaty" and at.query_params["panel"] == "figures"
    assert at.query_params["cat"] == "protest,riot" and at.query_params["lang"] == "ru"
    assert at.session_state["place"] == "almaty"
    assert at.session_state["panel"] == "Цифры"
    assert any(s.value.startswith("Алматы") for s in at.subheader)
