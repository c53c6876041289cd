"""The interface in English, Russian and Kazakh.

Interface strings are written in English in the code, wrapped in ``tr("...")`` (placeholders as
``{name}``, filled by ``tr``'s keyword arguments). Their Russian and Kazakh versions live in
gettext catalogs, ``dashboard/locales/{ru,kk}.po``, read with Babel when first needed (no compiled
``.mo`` files). ``make messages`` extracts the strings (``pybabel extract -k tr``) and updates the
catalogs; ``tests/test_i18n.py`` fails on any string without both translations. Dates are written
the way each language writes them (Babel's CLDR data).

The language of a run is set once, at its start (``use``), in a context variable: each
Streamlit session runs its script in its own thread, so sessions never see each other's language.

Nothing here imports streamlit.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import io
from datetime import date
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT = "en"
TRANSLATED = ("ru", "kk")
# The record's own text exists in English and Russian; the Kazakh page shows the Russian.
RECORD_TEXT_LANGUAGE = {"en": "en", "ru": "ru", "kk": "ru"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("qantar_language", default=DEFAULT)


@functools.cache
def catalog(language: str) -> Catalog:
    """The gettext catalog of ``language`` (one of TRANSLATED)."""
    with (LOCALES_DIR / f"{language}.po").open("rb") as handle:
        return read_po(handle, locale=language)


@functools.cache
def _translations(language: str) -> gettext.GNUTranslations:
    """``language``'s catalog as gettext reads it (plural rules included; fuzzy entries left
    out), compiled in memory."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def use(language: str) -> None:
    """The language of this run's interface (one of LANGUAGES)."""
    _current.set(language if language in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def tr(message: str, /, **values: object) -> str:
    """``message`` in this run's language (English when it has no translation yet), with
    ``values`` filled in."""
    language = _current.get()
    text = _translations(language).gettext(message) if language in TRANSLATED else message
    return text.format(**values) if values else text


def translate(message: str, language: str) -> str:
    """``message`` in ``language`` (not this run's: for turning one language's label into
    another's)."""
    return _translations(language).gettext(message) if language in TRANSLATED else message


def trn(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a message for the count ``n`` (``{n}`` in it is filled with ``n``), by the
    plural rules of this run's language."""
    language = _current.get()
    if language in TRANSLATED:
        text = _translations(language).ngettext(singular, plural, n)
    else:
        text = singular if n == 1 else plural
    return text.format(n=n, **values)


def day(value: date | None, language: str | None = None) -> str:
    """A date as the language writes it, month abbreviated (5 Jan 2022, 5 янв. 2022 г.); ""
    for no date."""
    if value is None:
        return ""
    return format_date(value, "d MMM y", locale=language or _current.get())


def from_locale(tag: str | None) -> str | None:
    """The interface language for a browser's locale (``ru-RU`` -> ``ru``), if we have it."""
    if not tag:
        return None
    try:
        language = Locale.parse(tag.replace("-", "_")).language
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    return language if language in LANGUAGES else None


def N_(message: str) -> str:  # noqa: N802  (gettext's name for it)
    """Marks a string for translation where it is defined (a table of labels); ``tr`` translates
    it where it is shown."""
    return message
