"""The live map's popups, fetched when one opens (``GET /qm/popup``, a route of the App in
``app.py``). The map's update on every move then carries each place's counts, not its events:
the events are what made up most of it (about 100 of its 120 kB on the bundled record).

A popup's address holds the page's language and the record version it was drawn from
(``address``), the view as the page's link writes it (``viewstate.encode``: from, to, cat,
exact) and the place (``city``), both added by the map's script (``mapview``);
it is decoded by the same ``viewstate.decode`` as a link, so a hand-made address is checked the
same way. The answer is built by the same code as the kept map's popups (``mapview``), every
data string escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import i18n, mapview, query, viewstate
from dashboard.i18n import tr
from dashboard.index import EventIndex

PATH = "/qm/popup"
# Per language, the index the pages are drawn from (written by every run, ``session``).
_SERVED: dict[str, EventIndex] = {}


def serve(language: str, index: EventIndex) -> None:
    """Popups in ``language`` answer from ``index`` (the one the pages draw from)."""
    _SERVED[language] = index


def address(language: str, version: str) -> str:
    """The popups' address for a page in ``language`` drawn from record ``version``; the map
    adds the view (``mapview.POPUP_VIEW_KEYS`` of the page's link) and the place (``city``)."""
    return f"{PATH}?{urlencode({'lang': language, 'rv': version})}"


def answer(params: Mapping[str, Sequence[str]]) -> tuple[int, str]:
    """(HTTP status, body) for a popup's address: 200 and the popup's HTML, or an error status
    and a plain-text message saying what was wrong."""
    languages = params.get("lang", [])
    language = languages[0] if len(languages) == 1 else ""
    if language not in i18n.LANGUAGES:
        return 400, "lang must be one of " + ", ".join(i18n.LANGUAGES)
    i18n.use(language)
    index = _SERVED.get(language)
    if index is None:
        return 503, tr("No page of this record has been drawn yet: open the map first.")
    if list(params.get("rv", [])) != [index.record.version]:
        return 409, tr("The record has been updated since this page was drawn: reload the page.")
    decoded = viewstate.decode(
        {key: list(values) for key, values in params.items() if key != "rv"}, index.record
    )
    if decoded.notices:
        return 400, "\n".join(decoded.notices)
    place = decoded.state.place
    if place is None:
        return 400, tr("The address names no place.")
    popup = query.place_popup(index, decoded.state.view, place)
    if popup is None:
        return 404, tr("This place has no event in this view.")
    return 200, mapview.place_popup(*popup)


async def _endpoint(request: Request) -> Response:
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    status, body = await run_in_threadpool(answer, params)
    headers = {"X-Content-Type-Options": "nosniff"}
    # The same address is the same answer for as long as the record version it names is served.
    headers["Cache-Control"] = "private, max-age=3600" if status == 200 else "no-store"
    media = "text/html" if status == 200 else "text/plain"
    return Response(body, status, headers=headers, media_type=media)


ROUTE = Route(PATH, _endpoint, methods=["GET"])
