from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dashboard import text

HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\1 \"'&"


def test_escape_html_neutralises_markup_and_template_syntax() -> None:
    out = text.escape_html(HOSTILE)
    for raw in "<>`$\\\"'":
        assert raw not in out
    assert out.startswith("&lt;img src=x onerror=alert(1)&gt;&#96;&#36;&#123;x&#125;&#96;&#92;1")
    assert text.escape_html(None) == "" and text.escape_html(float("nan")) == ""
    assert text.escape_html("Алматы ‏") == "Алматы ‏"
    assert (
        text.escape_html("{{ 6*7 }} {% endif %}")
        == "&#123;&#123; 6*7 &#125;&#125; &#123;% endif %&#125;"
    )


@given(st.text())
def test_escaped_text_has_no_syntax_left(value: str) -> None:
    out = text.escape_html(value)
    assert not set(out) & set("<>`$\\\"'{}")
    # every & starts an entity
    assert all(
        part.split(";")[0].startswith("#") or part.split(";")[0] in {"amp", "lt", "gt"}
        for part in out.split("&")[1:]
    )


def test_formula_neutralised() -> None:
    assert text.neutralise_formula("=1+1") == "'=1+1"
    assert text.neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    assert text.neutralise_formula("plain") == "plain"


def test_precision_text() -> None:
    assert text.precision_text(1, 1) == "exact"
    assert text.precision_text(2, 1) == "date approximate"
    assert text.precision_text(2, 3) == "date approximate, place approximate"


def test_every_category_has_a_label_and_a_colour() -> None:
    from dashboard.data import CATEGORIES

    assert set(text.CATEGORY_LABELS) == set(CATEGORIES) == set(text.CATEGORY_COLOURS)
    assert len(set(text.CATEGORY_COLOURS.values())) == len(CATEGORIES)
