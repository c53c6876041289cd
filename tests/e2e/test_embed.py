""" "Embed this view": the snippet the app gives, pasted into a page of its own, in Chromium.
Expected numbers come from the core (``query.Answers``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from harness import APP_IDLE, CIRCLES, MAP_IFRAME, TIMEOUT_MS, open_app

from dashboard import data, query
from dashboard.index import EventIndex, View

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = EventIndex(RECORD)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_the_embed_snippet_shows_the_views_map_and_links_back(
    app_server, page, new_context
) -> None:
    start, end = date(2022, 1, 5), date(2022, 1, 7)
    open_app(page, app_server.url, f"from={start}&to={end}&city=almaty")
    page.get_by_text("Embed this view").click()
    snippet = page.locator("[data-testid='stCode'] code").filter(has_text="<iframe").inner_text()
    assert "embed=true" in snippet and snippet.startswith("<iframe")

    host = new_context()
    article = host.new_page()
    article.set_content(f"<html><body><h1>An article</h1>{snippet}</body></html>")
    app = article.frame_locator("iframe[title^='Qantar Map']")
    app.locator(APP_IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    answers = query.Answers(INDEX, View(start, end), "almaty")
    expected = len(answers.circles.places) + len(answers.circles.areas)
    circles = app.frame_locator(MAP_IFRAME).locator(CIRCLES)
    circles.nth(expected - 1).wait_for(state="attached", timeout=TIMEOUT_MS)
    assert circles.count() == expected
    # compact: the map and its controls, none of the page's other sections or its navigation
    assert app.get_by_text("Share this view").count() == 0
    assert app.get_by_text(f"Events, {start:%-d %b %Y}").count() == 0
    assert app.get_by_role("link", name="Sources", exact=True).count() == 0
    back = app.get_by_role("link", name="Open this view in Qantar Map, with its sources")
    params = parse_qs(urlsplit(back.get_attribute("href") or "").query)
    assert params["from"] == [str(start)] and params["to"] == [str(end)]
    assert params["city"] == ["almaty"] and "embed" not in params
    SHOTS.mkdir(exist_ok=True)
    article.screenshot(path=str(SHOTS / "embedded.png"), full_page=True)
    host.close()
