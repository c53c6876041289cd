"""Where public CDNs and tile servers are blocked: with QANTAR_ASSETS=local the map loads its
scripts from the app's own origin, and with no tiles it still shows Kazakhstan's outline and the
names of the places."""

from __future__ import annotations

from harness import map_frame, net_log, open_app, slider, wait_for_circle_count, wait_for_idle

from dashboard import assets, basemap, data, query

RECORD = data.load_record(data.DEFAULT_DATA_DIR)
INDEX = query.EventIndex(RECORD)
LO, HI = RECORD.settings.period


def test_map_works_with_every_outside_request_blocked(start_app, new_context, vendor_dir) -> None:
    assert vendor_dir == assets.DEFAULT_VENDOR_DIR  # what /app/static/vendor/node_modules/ serves
    server = start_app(env={assets.ASSETS_ENV: "local"})
    page = open_app(new_context(local_only=True).new_page(), server.url)
    log = net_log(page)
    frame = map_frame(page)
    wait_for_circle_count(frame, len(INDEX.city_totals(query.View(LO, HI))))

    # every script and stylesheet of the map's iframe came from the app's own server
    scripts = frame.evaluate("() => [...document.scripts].map(s => s.src).filter(Boolean)")
    sheets = frame.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    assert all(url.startswith(f"{server.url}/") for url in scripts + sheets), scripts + sheets
    vendored = {f"{server.url}{url}" for url in assets.self_hosted_urls("local")[0].values()}
    assert f"{server.url}/app/static/vendor/node_modules/leaflet/dist/leaflet.js" in scripts
    assert vendored >= {url for url in scripts + sheets if "/app/static/" in url}
    asked = log.blocked_requests + log.blocked_tiles
    assert not [u for u in asked if any(host in u for host in assets.CDN_HOSTS)], asked
    assert log.blocked_tiles  # the tiles were asked for, and blocked

    # no tiles: the outline (not clickable) and the busiest places' names
    assert frame.locator(".leaflet-overlay-pane path:not(.leaflet-interactive)").count() == 1
    labels = frame.locator(".qm-no-tiles .leaflet-tooltip.qm-label")
    labels.first.wait_for()
    names = [name for name, _, _ in basemap.label_places(RECORD)]
    assert labels.all_text_contents() == names  # some hidden where they would overlap
    assert (
        frame.evaluate(
            "() => getComputedStyle(document.querySelector('.leaflet-tile-pane')).display"
        )
        == "none"
    )

    # and it still follows the slider
    end = LO + (HI - LO) // 4
    thumb = slider(page, "Dates").nth(1)
    thumb.focus()
    for _ in range((HI - end).days):
        thumb.press("ArrowLeft")
    page.get_by_text(f"Events, {LO:%-d %b %Y} to {end:%-d %b %Y}").wait_for()
    wait_for_idle(page)
    wait_for_circle_count(frame, len(INDEX.city_totals(query.View(LO, end))))
    assert log.errors == [] and log.failed_requests == []
    assert page.locator("[data-testid='stAlert']").count() == 0  # no "fell back to CDN" notice
