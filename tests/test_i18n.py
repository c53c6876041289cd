"""Every interface string in all three languages: the strings are extracted from the code as
``make messages`` extracts them (Babel, keywords ``tr``, ``N_`` and ``trn`` for counted
messages), and each must have a Russian and a Kazakh translation (every plural form) with the
same placeholders; no catalog keeps unused ones."""

from __future__ import annotations

import re
import string
import tokenize
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from dashboard import i18n

DASHBOARD = Path(i18n.__file__).resolve().parent
KEYWORDS = {"tr": None, "N_": None, "trn": (1, 2)}
Message = str | tuple[str, ...]


def extracted() -> set[Message]:
    found = extract_from_dir(
        str(DASHBOARD), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    )
    return {message for _file, _line, message, _comments, _context in found}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def forms(text: object) -> list[str]:
    """A translation's forms: one, or one per plural form."""
    return [str(t) for t in text] if isinstance(text, tuple) else [str(text)]


MESSAGES = extracted()


def test_no_string_is_translated_inside_an_f_string() -> None:
    """Babel does not read inside f-strings: a ``tr`` there would never be extracted."""
    call = re.compile(r"\{\s*(i18n\.)?(tr|trn)\(")
    found = []
    for path in sorted(DASHBOARD.glob("*.py")):
        with path.open("rb") as handle:
            for token in tokenize.tokenize(handle.readline):
                prefix = re.match(r"[A-Za-z]*", token.string).group(0).lower()  # type: ignore[union-attr]
                if token.type == tokenize.STRING and "f" in prefix and call.search(token.string):
                    found.append(f"{path.name}:{token.start[0]}")
    assert found == []


@pytest.mark.parametrize("language", i18n.TRANSLATED)
def test_every_string_has_a_translation_with_the_same_placeholders(language: str) -> None:
    catalog = i18n.catalog(language)
    untranslated = [
        m for m in MESSAGES if (e := catalog.get(m)) is None or not all(forms(e.string)) or e.fuzzy
    ]
    assert untranslated == []
    differ = [
        (m, form)
        for m in MESSAGES
        for form in forms(catalog.get(m).string)
        if placeholders(forms(m)[-1]) != placeholders(form)
    ]
    assert differ == []
    plural = [m for m in MESSAGES if isinstance(m, tuple)]
    assert plural, "counted messages are checked too"
    assert all(len(forms(catalog.get(m).string)) == catalog.num_plurals for m in plural)
    unused = [e.id for e in catalog if e.id and e.id not in MESSAGES]
    assert unused == [], "run `make messages`"


@pytest.mark.parametrize("language", i18n.TRANSLATED)
def test_translations_are_in_cyrillic(language: str) -> None:
    """Every translation with words has Cyrillic ones (a template of placeholders alone, such
    as "{category}: {n}", has none to check)."""
    catalog = i18n.catalog(language)
    latin_only = []
    for entry in catalog:
        for form in forms(entry.string) if entry.id else []:
            words = re.sub(r"\{[^}]*\}", "", form)
            if re.search("[A-Za-z]", words) and not re.search("[\u0400-\u04ff]", words):
                latin_only.append(entry.id)
    assert latin_only == []


def test_tr_translates_fills_and_falls_back() -> None:
    try:
        i18n.use("ru")
        assert i18n.tr("Dates") == "Даты"
        assert i18n.tr("Record folder: {folder}", folder="x") == "Папка с данными: x"
        assert i18n.tr("not in any catalog") == "not in any catalog"
        i18n.use("xx")  # not a language: English
        assert i18n.current() == "en" and i18n.tr("Dates") == "Dates"
    finally:
        i18n.use(i18n.DEFAULT)


def test_dates_are_written_the_languages_way() -> None:
    day = date(2022, 1, 5)
    assert i18n.day(day, "en") == "5 Jan 2022"
    assert "янв" in i18n.day(day, "ru")
    assert "қаң" in i18n.day(day, "kk")
    assert i18n.day(None, "ru") == ""


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("ru-RU", "ru"),
        ("kk-KZ", "kk"),
        ("kk", "kk"),
        ("en-GB", "en"),
        ("de-DE", None),
        ("", None),
        (None, None),
        ("not a locale!", None),
    ],
)
def test_the_browsers_locale_picks_a_language(tag: str | None, language: str | None) -> None:
    assert i18n.from_locale(tag) == language


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 outlet"),
        ("en", 5, "5 outlets"),
        ("ru", 1, "1 издание"),
        ("ru", 3, "3 издания"),
        ("ru", 5, "5 изданий"),
        ("ru", 21, "21 издание"),
        ("kk", 5, "5 басылым"),
    ],
)
def test_counted_messages_follow_each_languages_plural_rules(
    language: str, n: int, expected: str
) -> None:
    try:
        i18n.use(language)
        assert i18n.trn("{n} outlet", "{n} outlets", n) == expected
    finally:
        i18n.use(i18n.DEFAULT)


def test_a_label_turns_into_another_languages_label() -> None:
    assert i18n.translate("Timeline", "ru") == "Хронология"
    assert i18n.translate("Timeline", "en") == "Timeline"
