"""Finding a place by any spelling: English, Kazakh, Russian, Latin transliterations, old names."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
        "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l",
        "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "iu", "я": "ia",
    }
)  # fmt: skip

# Latin spellings that name the same sound differently (Qyzylorda/Kyzylorda, Janaozen/Zhanaozen).
_LATIN_FOLDS = (("q", "k"), ("j", "zh"), ("gh", "g"), ("y", "i"), ("w", "u"), ("x", "kh"))


def normalise(text: str) -> str:
    """A spelling-insensitive key: lower case, no accents, Latin letters, no punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CYRILLIC_TO_LATIN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for a, b in _LATIN_FOLDS:
        text = text.replace(a, b)
    text = text.replace("zhzh", "zh")
    return re.sub(r"[^a-z0-9]+", "", text)


def spellings(city: pd.Series) -> list[str]:
    """Every name a place is known by, the page's name first (then the English one, when the
    page shows another: see ``localise``)."""
    names = [
        city["name"],
        city.get("name_en", ""),
        city.get("name_kk", ""),
        city.get("name_ru", ""),
        *city["aliases"],
    ]
    return list(dict.fromkeys(n for n in names if n))


def label(city: pd.Series) -> str:
    """A selectbox label that contains every spelling, so typing any of them finds the place."""
    names = spellings(city)
    return names[0] + (f" ({', '.join(names[1:])})" if len(names) > 1 else "")


def find_place(query: str, cities: pd.DataFrame) -> str | None:
    """The city_id whose name or alias matches ``query`` in any spelling, or None."""
    key = normalise(query)
    if not key:
        return None
    for city_id, city in cities.iterrows():
        if any(normalise(name) == key for name in spellings(city)):
            return str(city_id)
    return None
