"""The browser assets folium's map loads from public CDNs, and where this server has them.

folium (0.20) makes every map load Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers from jsDelivr, code.jquery.com, cdnjs and netdna. The same files come from
the npm packages of ``dashboard/static/vendor/package.json``, at the versions its
``package-lock.json`` (written by npm) pins, installed by ``make assets`` (``npm ci
--ignore-scripts``) into ``dashboard/static/vendor/node_modules/`` (git-ignored), which Streamlit's
static serving exposes at ``/app/static/vendor/node_modules/``. This module maps each CDN URL to
its file there and checks the installation against the lockfile (``python -m dashboard.assets``).
Each package keeps its own layout, so a stylesheet's relative ``url(...)`` (fonts, images) works
both when it is served from here and when a browser test answers the CDN URL with the same file.

Not the CDN's file: Bootstrap 3.0.0's stand-alone ``bootstrap-glyphicons.css`` (netdna) is in no
npm package; ``@neos21/bootstrap3-glyphicons`` is the glyphicons part of Bootstrap 3.3.7 (the same
``.glyphicon-*`` classes plus a few newer ones, with its own fonts). Leaflet.awesome-markers 2.0.2
is the author's release as repackaged by ``drmonty-leaflet-awesome-markers`` (the npm package
``leaflet.awesome-markers`` has no 2.0.2). folium's ``leaflet.awesome.rotate.min.css`` comes from
folium's GitHub repository, in no npm package and not in the folium wheel: it is not self-hosted
(``MISSING_ASSETS``); it only styles rotated awesome-markers icons (``folium.Icon(angle=...)``).

Nothing here imports streamlit (or folium, except lazily in ``folium_default_urls``).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import posixpath
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent / "static" / "vendor"
LOCK_FILE = PACKAGE_DIR / "package-lock.json"
DEFAULT_VENDOR_DIR = PACKAGE_DIR / "node_modules"
# Where Streamlit's static serving (server.enableStaticServing) exposes DEFAULT_VENDOR_DIR.
STATIC_URL_BASE = "/app/static/vendor/node_modules"
# The one setting for self-hosting: QANTAR_ASSETS=local serves the map's scripts from the app's
# own origin (installed packages + Streamlit static serving); "cdn" (the default) uses folium's.
ASSETS_ENV = "QANTAR_ASSETS"
INSTALL_HINT = "install them with `make assets`"

_JSD = "https://cdn.jsdelivr.net/npm"
_LEAFLET = f"{_JSD}/leaflet@1.9.3"
_BOOTSTRAP = f"{_JSD}/bootstrap@5.2.2"
_FA = f"{_JSD}/@fortawesome/fontawesome-free@6.2.0"
_FA_NPM = "@fortawesome/fontawesome-free"
_AM = "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2"
_AM_NPM = "drmonty-leaflet-awesome-markers"
_GLYPH = "https://netdna.bootstrapcdn.com/bootstrap/3.0.0"
_GLYPH_NPM = "@neos21/bootstrap3-glyphicons"

# Every URL folium's Map puts in its HTML -> its file, relative to the installed packages folder.
ASSET_URLS: dict[str, str] = {
    f"{_LEAFLET}/dist/leaflet.js": "leaflet/dist/leaflet.js",
    f"{_LEAFLET}/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    f"{_BOOTSTRAP}/dist/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    f"{_BOOTSTRAP}/dist/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    f"{_FA}/css/all.min.css": f"{_FA_NPM}/css/all.min.css",
    f"{_AM}/leaflet.awesome-markers.js": f"{_AM_NPM}/js/leaflet.awesome-markers.js",
    f"{_AM}/leaflet.awesome-markers.css": f"{_AM_NPM}/css/leaflet.awesome-markers.css",
    f"{_GLYPH}/css/bootstrap-glyphicons.css": f"{_GLYPH_NPM}/dist/css/bootstrap3-glyphicons.css",
}
# CDN folder (none inside another) -> its folder in the installed packages: how each CDN lays a
# package out, so that the fonts and images a stylesheet refers to map to the package's files.
CDN_FOLDERS: dict[str, str] = {
    f"{_LEAFLET}/": "leaflet/",
    f"{_BOOTSTRAP}/": "bootstrap/",
    f"{_FA}/": f"{_FA_NPM}/",
    f"{_AM}/": f"{_AM_NPM}/css/",
    f"{_GLYPH}/": f"{_GLYPH_NPM}/dist/",
}
# CDN URL -> why it is not self-hosted.
MISSING_ASSETS: dict[str, str] = {
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css": "served by jsDelivr from folium's GitHub repository; in no"
    " npm package and not in the folium wheel. Only styles rotated awesome-markers icons.",
}
# Every host an asset (or a file its CSS refers to) may be requested from.
CDN_HOSTS: frozenset[str] = frozenset(
    urlsplit(url).hostname or "" for url in [*ASSET_URLS, *CDN_FOLDERS, *MISSING_ASSETS]
)

# Types Python's mimetypes may not know (or gives without a charset); the rest it knows.
CONTENT_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}


class AssetError(RuntimeError):
    """The lockfile cannot be read."""


def content_type_for(path: str | Path) -> str:
    """The Content-Type to serve an installed file with."""
    known = CONTENT_TYPES.get(Path(path).suffix.lower())
    return known or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def local_path_for(cdn_url: str) -> str | None:
    """Path relative to the installed packages folder for a CDN URL (query and fragment ignored):
    an asset, or a file a stylesheet refers to (by ``CDN_FOLDERS``; it may not exist), or None."""
    parts = urlsplit(cdn_url)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if bare in ASSET_URLS:
        return ASSET_URLS[bare]
    folder = next((f for f in CDN_FOLDERS if bare.startswith(f)), None)
    if folder is None:
        return None
    rest = posixpath.normpath(bare[len(folder) :])
    if rest.startswith(("..", "/")) or rest == ".":
        return None
    return CDN_FOLDERS[folder] + rest


def local_url_for(cdn_url: str, base: str = STATIC_URL_BASE) -> str | None:
    """The self-hosted URL for a CDN URL (under ``/app/static/vendor/`` by default), or None."""
    rel = local_path_for(cdn_url)
    return None if rel is None else f"{base.rstrip('/')}/{rel}"


def locked_versions(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Package folder (relative to node_modules) -> version, as ``package-lock.json`` pins them."""
    try:
        packages = json.loads(Path(lock_file).read_text(encoding="utf-8"))["packages"]
        return {
            key.removeprefix("node_modules/"): str(entry["version"])
            for key, entry in packages.items()
            if key.startswith("node_modules/")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssetError(f"{lock_file}: not a readable npm lockfile ({exc!r:.120})") from exc


def missing_packages(vendor_dir: Path, lock_file: Path | None = None) -> list[str]:
    """``name@version`` of each locked package that npm did not install in ``vendor_dir`` at that
    version (by npm's record there, ``.package-lock.json``) or that lacks one of its assets."""
    locked = locked_versions(LOCK_FILE if lock_file is None else lock_file)
    try:
        installed = locked_versions(vendor_dir / ".package-lock.json")
    except AssetError:
        installed = {}
    missing = [f"{n}@{v}" for n, v in locked.items() if installed.get(n) != v]
    for rel in ASSET_URLS.values():
        if not (vendor_dir / rel).is_file():
            owner = next((f"{n}@{v}" for n, v in locked.items() if rel.startswith(f"{n}/")), rel)
            missing += [] if owner in missing else [owner]
    return missing


def self_hosted_urls(
    mode: str | None = None,
    vendor_dir: Path | None = None,
    base: str = STATIC_URL_BASE,
    static_serving: bool = True,
) -> tuple[dict[str, str] | None, str | None]:
    """(CDN URL -> self-hosted URL, or None for folium's own CDN links; a notice or None) for the
    ``QANTAR_ASSETS`` setting ``mode`` (default: the environment variable) and the installed
    packages (default: DEFAULT_VENDOR_DIR, served at ``base``). ``local`` falls back to the CDNs,
    with a notice, when a locked package is missing or the server does not serve static files.
    """
    value = (os.environ.get(ASSETS_ENV, "") if mode is None else mode).strip().lower()
    if value in ("", "cdn"):
        return None, None
    if value != "local":
        return None, (
            f"{ASSETS_ENV}={value[:40]!r} is neither 'local' nor 'cdn'; the map loads its scripts"
            " from public CDNs."
        )
    fallback = " The map loads its scripts from public CDNs instead."
    if not static_serving:
        return None, (
            f"{ASSETS_ENV}=local needs server.enableStaticServing = true (.streamlit/config.toml)."
            + fallback
        )
    vendor_dir = DEFAULT_VENDOR_DIR if vendor_dir is None else Path(vendor_dir)
    try:
        missing = missing_packages(vendor_dir)
    except AssetError as exc:
        return None, f"{ASSETS_ENV}=local, but {exc}." + fallback
    if missing:
        return None, (
            f"{ASSETS_ENV}=local, but {', '.join(missing)} are not installed in {vendor_dir}"
            f" ({INSTALL_HINT})." + fallback
        )
    return {url: f"{base.rstrip('/')}/{rel}" for url, rel in ASSET_URLS.items()}, None


def unmapped_urls(urls: Iterable[str]) -> list[str]:
    """The URLs (e.g. folium's current defaults) this module knows nothing about."""
    return [u for u in urls if u not in ASSET_URLS and u not in MISSING_ASSETS]


def folium_default_urls() -> list[str]:
    """The CDN URLs of the installed folium's ``Map.default_js`` and ``Map.default_css``."""
    import folium  # lazy: only this helper needs folium

    return [url for _, url in [*folium.Map.default_js, *folium.Map.default_css]]


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m dashboard.assets [DIR]``: exit 0 when the map can be served from DIR."""
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.assets",
        description="Check the installed map assets against package-lock.json.",
    )
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_VENDOR_DIR)
    vendor_dir: Path = parser.parse_args(argv).dir
    try:
        missing = missing_packages(vendor_dir)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if missing:
        print(f"error: not installed in {vendor_dir}: {', '.join(missing)}", file=sys.stderr)
        print(f"({INSTALL_HINT}: npm ci --ignore-scripts in {PACKAGE_DIR})", file=sys.stderr)
        return 1
    print(f"{len(ASSET_URLS)} map assets installed in {vendor_dir}")
    for url, reason in MISSING_ASSETS.items():
        print(f"not self-hosted: {url}\n  ({reason})")
    for url in unmapped_urls(folium_default_urls()):
        print(f"warning: folium loads {url}, which this module does not map", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
