"""The Russian and Kazakh pages in Chromium: no English interface string on the map, Sources
and Method pages (the record's own text and names aside), their titles and labels in Cyrillic,
and the links between the pages keeping the language. What the page shows is read from the
browser, with every expander and the playback settings opened."""

from __future__ import annotations

import re
import string
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from harness import open_app, wait_for_idle

from dashboard import data, i18n

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
CYRILLIC = re.compile("[\u0400-\u04ff]")
# Latin text every language shows: names, formats, the language switch, code in the Method
# text (file names, the validate command) and the licences' names.
KEPT_WORDS = {
    "Qantar", "Map", "CSV", "GeoJSON", "HTML", "English", "ACLED", "OpenStreetMap", "MIT",
    "README", "md", "CC", "BY", "Creative", "Commons", "Attribution", "Natural", "Earth", "geokz",
    "Rodionov", "python", "dashboard", "validate", "geodata", "sources", "csv", "events",
    "cities", "geojson", "figures", "periods", "record", "json", "notes_ru", "label_ru",
}  # fmt: skip


def record_words() -> set[str]:
    """Latin words of the record's own text as the Russian and Kazakh pages show it: outlets,
    titles and authors of sources, who gave a figure, locations, place names, and the Russian
    text, which names outlets and organisations in Latin letters."""
    texts = [
        *RECORD.sources[["outlet", "title", "author"]].fillna("").to_numpy().ravel(),
        *RECORD.figures["claimed_by"].dropna(),
        *RECORD.events[["location", "source", "notes_ru"]].fillna("").to_numpy().ravel(),
        *RECORD.figures["label_ru"].dropna(),
        *RECORD.periods["label_ru"].dropna(),
        *RECORD.cities["name"],
        *(a for aliases in RECORD.cities["aliases"] for a in aliases),
    ]
    return {w for t in texts for w in re.findall(r"[A-Za-z]+", str(t))}


ALLOWED = KEPT_WORDS | record_words()


def english_fragments() -> set[str]:
    """Pieces of the English interface strings long enough to be telling (12 characters and
    more between placeholders) whose translation differs."""
    from babel.messages.extract import extract_from_dir

    found = extract_from_dir(
        str(Path(i18n.__file__).parent),
        method_map=[("**.py", "python")],
        keywords={"tr": None, "N_": None, "trn": (1, 2)},
        comment_tags=(),
    )
    pieces: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        for text in message if isinstance(message, tuple) else (message,):
            for literal, *_ in string.Formatter().parse(text):
                if len(literal.strip()) >= 12:
                    pieces.add(literal.strip())
    return pieces


FRAGMENTS = english_fragments()
# Not read: icons (ligatures: their names are not text), code (links, the embed snippet) and
# Streamlit's own "Skip to main content" (listed in the README).
NOT_TEXT = ", ".join(
    f"[data-testid='{testid}']"
    for testid in ("stIconMaterial", "stHeaderActionElements", "stCode", "stSkipToContent")
)

SHOWN_TEXT = f"""() => {{
  const app = document.querySelector("[data-testid='stApp']").cloneNode(true);
  app.querySelectorAll("{NOT_TEXT}").forEach(e => e.remove());
  document.body.appendChild(app);
  const text = app.innerText;
  app.remove();
  return text;
}}"""


def shown_text(page) -> str:
    return page.evaluate(SHOWN_TEXT)


def open_everything(page) -> None:
    """Open every expander and the playback settings, so their text is shown too."""
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        summary.click()
    popover = page.locator("[data-testid='stPopover'] button")
    if popover.count():
        popover.first.click()
        page.locator("[data-testid='stPopoverBody']").wait_for()


def english_in(text: str) -> tuple[list[str], list[str]]:
    text = text.replace(RECORD.version, "")  # a hash, not a word
    words = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w not in ALLOWED})
    return words, sorted(f for f in FRAGMENTS if f in text)


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("path", ["", "sources", "method"])
def test_the_page_has_no_english_interface_string(app_server, page, language, path) -> None:
    open_app(page, f"{app_server.url}/{path}?lang={language}")
    open_everything(page)
    text = shown_text(page)
    assert CYRILLIC.search(text)
    assert english_in(text) == ([], [])
    assert CYRILLIC.search(page.title()), page.title()
    if path:  # the Sources and Method pages are titled in the language
        assert CYRILLIC.search(page.locator("h1").first.inner_text())
    for tab in page.get_by_role("tab").all():
        assert CYRILLIC.search(tab.inner_text())
    widget_labels = page.locator("[data-testid='stWidgetLabel']")
    # the language switch's (hidden) label, and the page's own widgets' (Method has none)
    widget_labels.nth(0 if path == "method" else 1).wait_for(state="attached")
    labels = [label.text_content() or "" for label in widget_labels.all()]
    assert labels and all(CYRILLIC.search(label) for label in labels if label.strip()), labels
    if not path:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"map-{language}.png"), full_page=True)


def test_the_pages_link_each_other_in_the_language(app_server, page) -> None:
    event = str(RECORD.events["event_id_cnty"].iloc[0])
    open_app(page, f"{app_server.url}/sources?lang=ru&event={event}")
    back = page.get_by_role("link", name=i18n.translate("Back to this event on the map", "ru"))
    href = back.get_attribute("href") or ""
    assert parse_qs(urlsplit(href).query) == {"event": [event], "lang": ["ru"]}
    open_app(page, app_server.url + href)  # (Streamlit opens Markdown links in a new tab)
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["ru"]
    assert page.get_by_text(i18n.translate("Selected event", "ru")).count() == 1
    # the method page, reached from the navigation, keeps the language in its link
    page.get_by_role("link", name=i18n.translate("Method", "ru")).click()
    wait_for_idle(page)
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["ru"]
    back_to_map = page.locator("[data-testid='stMain'] a", has_text=i18n.translate("The map", "ru"))
    assert parse_qs(urlsplit(back_to_map.get_attribute("href") or "").query) == {"lang": ["ru"]}


def test_switching_language_on_the_page_changes_it_and_the_link(app_server, page) -> None:
    open_app(page, app_server.url, "city=almaty&panel=figures")
    page.get_by_text("Русский", exact=True).click()
    page.wait_for_function("() => new URL(location.href).searchParams.get('lang') === 'ru'")
    wait_for_idle(page)
    params = parse_qs(urlsplit(page.url).query)
    assert params["city"] == ["almaty"] and params["panel"] == ["figures"]
    assert page.get_by_role("tab", name="Цифры", selected=True).count() == 1
    chronology = i18n.translate("{place}: chronology", "ru").format(place="Алматы")
    assert chronology in page.locator("h3").all_inner_texts()
