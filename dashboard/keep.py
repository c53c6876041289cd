"""One self-contained HTML file of a view's map, to keep and to open offline.

The file holds the view's layer (circles with their popups, or regions), the legend, the date
range, the credits and a link back to the view. Leaflet's script and stylesheet are inlined from
the installed map assets (``assets.ASSET_URLS``); folium's other assets (jQuery, Bootstrap, Font
Awesome, awesome-markers) are left out, as the map uses none of them. Tiles load when the file is
opened online; offline, the base map's fallback names the busiest places instead.

Nothing here imports streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import folium

from dashboard import assets
from dashboard.i18n import tr
from dashboard.text import escape_html

# folium's Map assets the file needs, by folium's own names for them.
_KEPT_JS = ("leaflet",)
_KEPT_CSS = ("leaflet_css",)


class AssetsMissing(RuntimeError):
    """The map assets to inline are not installed (``make assets``)."""


def _inline(html: str, tag: str, content: str) -> str:
    if tag not in html:
        raise AssetsMissing(f"folium's page no longer holds {tag!r}")
    return html.replace(tag, content, 1)


def _read(url: str, vendor_dir: Path) -> str:
    local = assets.local_path_for(url)
    path = vendor_dir / local if local else None
    if path is None or not path.is_file():
        raise AssetsMissing(f"{url} is not installed in {vendor_dir} ({assets.INSTALL_HINT})")
    return path.read_text("utf-8")


def _header(title: str, lines: Iterable[str], legend: Iterable[tuple[str, str]], link: str) -> str:
    items = "".join(
        f"<span><span style='color:{escape_html(colour)}'>●</span> {escape_html(label)}</span> "
        for colour, label in legend
    )
    rows = "".join(f"<div>{escape_html(line)}</div>" for line in lines)
    back = (
        f"<div><a class='qm-back' href='{escape_html(link)}'>"
        f"{escape_html(tr('Open this view in Qantar Map'))}</a></div>"
        if link
        else ""
    )
    return (
        "<div class='qm-keep' style='position:fixed;z-index:1000;top:8px;left:54px;right:8px;"
        "max-width:46em;background:rgba(255,255,255,.93);padding:6px 10px;border-radius:4px;"
        "font:13px/1.4 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)'>"
        f"<h1 style='font-size:15px;margin:0 0 2px'>{escape_html(title)}</h1>"
        f"{rows}<div class='qm-legend'>{items}</div>{back}</div>"
    )


def standalone_html(
    fmap: folium.Map,
    layer: folium.FeatureGroup,
    *,
    vendor_dir: Path,
    title: str,
    lines: Iterable[str],
    legend: Iterable[tuple[str, str]],
    link: str,
) -> str:
    """The page of ``fmap`` (a fresh base map, built with folium's CDN URLs) with ``layer``
    added, Leaflet inlined and a header (``title``, ``lines``, ``legend``, a link back to
    ``link``, which relative links then lead to): every text escaped. Raises ``AssetsMissing``
    when Leaflet is not installed."""
    layer.add_to(fmap)
    js = [(name, url) for name, url in fmap.default_js if name in _KEPT_JS]
    css = [(name, url) for name, url in fmap.default_css if name in _KEPT_CSS]
    if len(js) != len(_KEPT_JS) or len(css) != len(_KEPT_CSS):
        raise AssetsMissing("the base map does not load Leaflet from folium's CDN URLs")
    scripts = {url: _read(url, vendor_dir) for _, url in js}
    styles = {url: _read(url, vendor_dir) for _, url in css}
    # instance attributes: the rendered page then names only Leaflet, which is inlined below
    fmap.default_js, fmap.default_css = js, css
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    root.html.add_child(folium.Element(_header(title, lines, legend, link)))
    if link:
        # the popups' relative links (an event's sources) lead to the app the file came from
        root.header.add_child(folium.Element(f"<base href='{escape_html(link)}' target='_top'>"))
    html = root.render()
    for url, code in scripts.items():
        code = _safe(code, "script")
        html = _inline(html, f'<script src="{url}"></script>', f"<script>{code}</script>")
    for url, sheet in styles.items():
        sheet = _safe(sheet, "style")
        html = _inline(html, f'<link rel="stylesheet" href="{url}"/>', f"<style>{sheet}</style>")
    return html


def _safe(code: str, element: str) -> str:
    """Inlined code cannot end its own element early."""
    return re.sub(f"</({element})", r"<\\/\1", code, flags=re.IGNORECASE)


def available(vendor_dir: Path) -> bool:
    """Whether Leaflet's files to inline are installed."""
    wanted = [
        url
        for name, url in folium.Map.default_js + folium.Map.default_css
        if name in _KEPT_JS + _KEPT_CSS
    ]
    return all((vendor_dir / (assets.local_path_for(url) or "")).is_file() for url in wanted)
