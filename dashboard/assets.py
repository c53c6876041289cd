"""Pinned copies of the browser assets folium's map HTML loads from public CDNs.

folium (0.20) makes every map load Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers from jsDelivr, code.jquery.com, cdnjs and netdna. Those hosts are
unreachable offline (and in tests we want no network at all), so this module pins each CDN URL to
a file inside an npm package at an exact version, and ``fetch_assets`` fetches those packages with
``npm pack`` (the npm registry is the one source we rely on) and copies the needed files, plus the
fonts and images their CSS refers to, into a vendor folder::

    python -m dashboard.assets [DEST]      # default DEST: dashboard/static/vendor/

Layout: ``DEST/<package>-<version>/<path inside the package>``, e.g.
``leaflet-1.9.3/dist/leaflet.css`` next to ``leaflet-1.9.3/dist/images/``, so a stylesheet's
relative ``url(...)`` references work both when the file is served from the vendor folder and when
a browser test answers the CDN URL with it. Each package folder has a ``.qantar-vendor.json``
marker (spec, integrity, files); a package whose marker matches is not fetched again.

Two assets are not byte-for-byte the CDN file, see ``Asset.exact`` and ``MISSING_ASSETS``:

* ``bootstrap/3.0.0/css/bootstrap-glyphicons.css`` (netdna): Bootstrap 3.0.0 is not on npm, and
  that stand-alone glyphicons stylesheet was never part of any Bootstrap npm release. We use
  ``@neos21/bootstrap3-glyphicons@1.0.7`` (the glyphicons part of Bootstrap 3.3.7: the same
  ``.glyphicon-*`` classes plus a few newer ones, with its own font files).
* folium's ``leaflet.awesome.rotate.min.css`` is served by jsDelivr straight from folium's GitHub
  repository; it is in no npm package and not in the folium wheel. It is not vendored. It only
  styles rotated awesome-markers icons (``folium.Icon(angle=...)``).

Nothing here imports streamlit (or folium, except lazily in ``folium_default_urls``).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from base64 import b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

DEFAULT_VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
# Where Streamlit's static serving (server.enableStaticServing) exposes dashboard/static/vendor/.
STATIC_URL_BASE = "/app/static/vendor"
# The one setting for self-hosting: QANTAR_ASSETS=local serves the map's scripts from the app's
# own origin (vendor folder + Streamlit static serving); "cdn" (the default) uses folium's CDNs.
ASSETS_ENV = "QANTAR_ASSETS"
MARKER_NAME = ".qantar-vendor.json"
MARKER_FORMAT = 1


class AssetError(RuntimeError):
    """The assets could not be fetched: npm is missing, a package failed, a file is missing."""


@dataclass(frozen=True)
class Package:
    """An npm package pinned to an exact version and its sha512 integrity (from the registry)."""

    name: str
    version: str
    integrity: str
    # CDN URL prefix -> folder inside the package: how the CDN lays the package out, so that
    # files a stylesheet refers to (fonts, images) map to the right file in the package.
    cdn_prefixes: tuple[tuple[str, str], ...] = ()
    # Files needed besides the assets and what their CSS refers to (e.g. Leaflet's marker icons,
    # which leaflet.js requests by itself).
    extra_files: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        """The ``npm pack`` argument, e.g. ``leaflet@1.9.3``."""
        return f"{self.name}@{self.version}"

    @property
    def dirname(self) -> str:
        """The package's folder under the vendor folder, e.g. ``fontawesome-free-6.2.0``."""
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}"


@dataclass(frozen=True)
class Asset:
    """One URL folium puts in a map's HTML and where its pinned copy comes from."""

    cdn_url: str
    kind: Literal["js", "css"]
    package: Package | None  # None: no npm source, not vendored (see MISSING_ASSETS)
    path: str | None  # path inside the package
    exact: bool  # True when the package file is the same release the CDN serves
    note: str = ""

    @property
    def local_path(self) -> str | None:
        """Path relative to the vendor folder, or None when the asset is not vendored."""
        if self.package is None or self.path is None:
            return None
        return f"{self.package.dirname}/{self.path}"


LEAFLET = Package(
    "leaflet",
    "1.9.3",
    "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
    cdn_prefixes=(("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/", ""),),
    extra_files=(
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
    ),
)
JQUERY = Package(
    "jquery",
    "3.7.1",
    "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
)
BOOTSTRAP = Package(
    "bootstrap",
    "5.2.2",
    "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
    cdn_prefixes=(("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/", ""),),
)
FONTAWESOME = Package(
    "@fortawesome/fontawesome-free",
    "6.2.0",
    "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
    cdn_prefixes=(("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/", ""),),
)
# Leaflet.awesome-markers 2.0.2 as published by its author; the npm package
# "leaflet.awesome-markers" only has 2.0.0, 2.0.4 and 2.0.5. cdnjs serves the CSS and its
# images/ folder flat under .../2.0.2/, the package keeps them under css/.
AWESOME_MARKERS = Package(
    "drmonty-leaflet-awesome-markers",
    "2.0.2",
    "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
    cdn_prefixes=(
        ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/", "css/"),
    ),
)
GLYPHICONS = Package(
    "@neos21/bootstrap3-glyphicons",
    "1.0.7",
    "sha512-JfvPdx8W2+kVhW+8fj2kIJNS0tesU21hrWF7TBHtYDHpVfcFGU/yn3Eh02sJiNfZABkutP3oU0Ftw8LGF43Jng==",
    cdn_prefixes=(("https://netdna.bootstrapcdn.com/bootstrap/3.0.0/", "dist/"),),
)

PACKAGES: tuple[Package, ...] = (
    LEAFLET,
    JQUERY,
    BOOTSTRAP,
    FONTAWESOME,
    AWESOME_MARKERS,
    GLYPHICONS,
)

_JSD = "https://cdn.jsdelivr.net"
_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2"

ASSETS: tuple[Asset, ...] = (
    Asset(f"{_JSD}/npm/leaflet@1.9.3/dist/leaflet.js", "js", LEAFLET, "dist/leaflet.js", True),
    Asset(f"{_JSD}/npm/leaflet@1.9.3/dist/leaflet.css", "css", LEAFLET, "dist/leaflet.css", True),
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "js", JQUERY, "dist/jquery.min.js", True),
    Asset(
        f"{_JSD}/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        "js",
        BOOTSTRAP,
        "dist/js/bootstrap.bundle.min.js",
        True,
    ),
    Asset(
        f"{_JSD}/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
        "css",
        BOOTSTRAP,
        "dist/css/bootstrap.min.css",
        True,
    ),
    Asset(
        f"{_JSD}/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
        "css",
        FONTAWESOME,
        "css/all.min.css",
        True,
    ),
    Asset(
        f"{_AWESOME}/leaflet.awesome-markers.js",
        "js",
        AWESOME_MARKERS,
        "js/leaflet.awesome-markers.js",
        True,
        "2.0.2 repackaged on npm by a third party (drmonty); same release as cdnjs 2.0.2",
    ),
    Asset(
        f"{_AWESOME}/leaflet.awesome-markers.css",
        "css",
        AWESOME_MARKERS,
        "css/leaflet.awesome-markers.css",
        True,
        "2.0.2 repackaged on npm by a third party (drmonty); same release as cdnjs 2.0.2",
    ),
    Asset(
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "css",
        GLYPHICONS,
        "dist/css/bootstrap3-glyphicons.css",
        False,
        "substitute: Bootstrap 3.0.0's stand-alone glyphicons CSS is in no npm package; this is"
        " the glyphicons part of Bootstrap 3.3.7 (same class names)",
    ),
    Asset(
        f"{_JSD}/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
        "css",
        None,
        None,
        False,
        "not vendored: served by jsDelivr from folium's GitHub repository; in no npm package"
        " and not in the folium wheel. Only styles rotated awesome-markers icons.",
    ),
)

ASSETS_BY_URL: dict[str, Asset] = {a.cdn_url: a for a in ASSETS}
# CDN URL -> path relative to the vendor folder, for every vendored asset.
ASSET_URLS: dict[str, str] = {
    a.cdn_url: f"{a.package.dirname}/{a.path}" for a in ASSETS if a.package and a.path
}
# CDN URL -> why it is not vendored.
MISSING_ASSETS: dict[str, str] = {a.cdn_url: a.note for a in ASSETS if a.local_path is None}
# Every host a vendored asset (or a file its CSS refers to) may be requested from.
CDN_HOSTS: frozenset[str] = frozenset(urlsplit(a.cdn_url).hostname or "" for a in ASSETS)

CONTENT_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""")
_LICENSE = re.compile(r"^(LICEN[CS]E|COPYING)(\.[A-Za-z]+)?$", re.IGNORECASE)


def content_type_for(path: str | Path) -> str:
    """The Content-Type to serve a vendored file with."""
    suffix = Path(path).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "application/octet-stream"


def _package_path_for(url: str) -> tuple[Package, str] | None:
    """(package, path inside it) for a CDN URL, by exact asset or by the packages' CDN layouts."""
    parts = urlsplit(url)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    asset = ASSETS_BY_URL.get(bare)
    if asset is not None:
        if asset.package is None or asset.path is None:
            return None
        return asset.package, asset.path
    best: tuple[Package, str, str] | None = None
    for package in PACKAGES:
        for cdn_prefix, inner in package.cdn_prefixes:
            if bare.startswith(cdn_prefix) and (best is None or len(cdn_prefix) > len(best[2])):
                best = (package, inner, cdn_prefix)
    if best is None:
        return None
    package, inner, cdn_prefix = best
    rest = posixpath.normpath(inner + bare[len(cdn_prefix) :])
    if rest.startswith(("..", "/")) or rest == ".":
        return None
    return package, rest


def local_path_for(cdn_url: str) -> str | None:
    """Path relative to the vendor folder for a CDN URL (query and fragment ignored), or None.

    Covers the assets in ``ASSET_URLS`` and the files their stylesheets refer to (fonts,
    images), mapped through each package's CDN layout. A non-None answer for a URL that is not
    an asset does not promise the file was fetched: check the vendor folder.
    """
    found = _package_path_for(cdn_url)
    if found is None:
        return None
    package, path = found
    return f"{package.dirname}/{path}"


def local_url_for(cdn_url: str, base: str = STATIC_URL_BASE) -> str | None:
    """The self-hosted URL for a CDN URL (``/app/static/vendor/...`` by default), or None."""
    rel = local_path_for(cdn_url)
    return None if rel is None else f"{base.rstrip('/')}/{rel}"


def self_hosted_urls(
    mode: str | None = None,
    vendor_dir: Path | None = None,
    base: str = STATIC_URL_BASE,
    static_serving: bool = True,
) -> tuple[dict[str, str] | None, str | None]:
    """Where the map loads folium's assets from, for the ``QANTAR_ASSETS`` setting ``mode``
    (default: the environment variable) and the vendor folder (default: DEFAULT_VENDOR_DIR,
    which Streamlit serves at ``base``).

    Returns (CDN URL -> self-hosted URL, or None for folium's own CDN links; a notice for the
    page, or None). ``local`` falls back to the CDNs, with a notice, when a pinned package is
    missing from ``vendor_dir`` or the server does not serve static files.
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
    missing = [p.spec for p in PACKAGES if _is_current(vendor_dir / p.dirname, p) is None]
    if missing:
        return None, (
            f"{ASSETS_ENV}=local, but {', '.join(missing)} are not in {vendor_dir}"
            " (fetch them with `python -m dashboard.assets`)." + fallback
        )
    return {url: f"{base.rstrip('/')}/{rel}" for url, rel in ASSET_URLS.items()}, None


def unmapped_urls(urls: Iterable[str]) -> list[str]:
    """The URLs (e.g. folium's current defaults) this table knows nothing about."""
    return [u for u in urls if u not in ASSETS_BY_URL]


def folium_default_urls() -> list[str]:
    """The CDN URLs of the installed folium's ``Map.default_js`` and ``Map.default_css``."""
    import folium  # lazy: only this helper needs folium

    return [url for _, url in [*folium.Map.default_js, *folium.Map.default_css]]


def _css_refs(css: str) -> list[str]:
    """Relative file references in a stylesheet (url(...) and @import), without query/fragment."""
    refs: list[str] = []
    for match in (*_CSS_URL.finditer(css), *_CSS_IMPORT.finditer(css)):
        ref = next((g for g in match.groups() if g), "").strip()
        if not ref or ref.startswith(("data:", "#", "/")) or re.match(r"^[a-z][a-z0-9+.-]*:", ref):
            continue
        parts = urlsplit(ref)
        if parts.path and parts.path not in refs:
            refs.append(parts.path)
    return refs


def _sri(data: bytes) -> str:
    return "sha512-" + b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _read_marker(folder: Path) -> dict[str, object] | None:
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _is_current(folder: Path, package: Package) -> list[Path] | None:
    """The package's vendored files when its marker matches this pin and they all exist."""
    marker = _read_marker(folder)
    if not marker or marker.get("format") != MARKER_FORMAT:
        return None
    if marker.get("spec") != package.spec or marker.get("integrity") != package.integrity:
        return None
    files = marker.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    paths = [folder / f for f in files]
    return paths if all(p.is_file() for p in paths) else None


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not on PATH; it is needed to fetch the pinned map assets from the npm"
            " registry (e.g. `apt-get install npm`), or copy a vendor folder fetched elsewhere"
        )
    return npm


def _npm_pack(npm: str, package: Package, workdir: Path) -> Path:
    """``npm pack`` one pinned package into ``workdir``; check its integrity; return the tarball."""
    cmd = [npm, "pack", package.spec, "--json", "--ignore-scripts", "--pack-destination", "."]
    try:
        done = subprocess.run(
            cmd, cwd=workdir, capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssetError(f"`npm pack {package.spec}` failed to run: {exc}") from exc
    if done.returncode != 0:
        raise AssetError(
            f"`npm pack {package.spec}` failed (exit {done.returncode}):\n{done.stderr.strip()}"
        )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise AssetError(f"`npm pack {package.spec}` left {len(tarballs)} tarballs, expected 1")
    tarball = tarballs[0]
    actual = _sri(tarball.read_bytes())
    if actual != package.integrity:
        raise AssetError(
            f"{package.spec}: tarball integrity {actual} does not match the pinned"
            f" {package.integrity}"
        )
    return tarball


def _extract(package: Package, tarball: Path, staging: Path) -> list[str]:
    """Copy the package's assets, what their CSS refers to and its licence into ``staging``.

    Each file a stylesheet refers to is also checked to map back from the URL the browser will
    ask the CDN for to the same file (what lets a browser test answer the CDN's font and image
    requests from the vendor folder); a mismatch means the package's ``cdn_prefixes`` are wrong.
    """
    with tarfile.open(tarball, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        roots = {name.split("/", 1)[0] for name in members}
        if len(roots) != 1:
            raise AssetError(f"{package.spec}: unexpected tarball layout {sorted(roots)[:5]}")
        root = roots.pop()

        def read(path: str) -> bytes:
            member = members.get(f"{root}/{path}")
            if member is None:
                raise AssetError(f"{package.spec}: the package has no file {path!r}")
            handle = tar.extractfile(member)
            if handle is None:
                raise AssetError(f"{package.spec}: cannot read {path!r}")
            return handle.read()

        licences = [
            name.split("/", 1)[1]
            for name in members
            if name.count("/") == 1 and _LICENSE.match(name.split("/", 1)[1])
        ]
        # (path inside the package, the CDN URL the browser would request it at, if known)
        todo: list[tuple[str, str | None]] = [
            (a.path, a.cdn_url) for a in ASSETS if a.package == package and a.path
        ]
        todo += [(path, None) for path in (*package.extra_files, *licences)]
        done: list[str] = []
        while todo:
            path, cdn_url = todo.pop(0)
            if path in done:
                continue
            data = read(path)
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            done.append(path)
            if not path.endswith(".css"):
                continue
            for ref in _css_refs(data.decode("utf-8", errors="replace")):
                ref_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
                if ref_path.startswith(".."):
                    raise AssetError(f"{package.spec}: {path} refers outside the package: {ref}")
                ref_url = urljoin(cdn_url, ref) if cdn_url else None
                expected = f"{package.dirname}/{ref_path}"
                if ref_url is not None and local_path_for(ref_url) != expected:
                    raise AssetError(
                        f"{package.spec}: {ref_url} maps to {local_path_for(ref_url)}, not"
                        f" {expected}; fix the package's cdn_prefixes"
                    )
                todo.append((ref_path, ref_url))
    return done


def _fetch_package(npm: str, package: Package, dest: Path) -> list[Path]:
    folder = dest / package.dirname
    with tempfile.TemporaryDirectory(prefix="qantar-npm-") as tmp:
        workdir = Path(tmp) / "pack"
        workdir.mkdir()
        tarball = _npm_pack(npm, package, workdir)
        staging = Path(tempfile.mkdtemp(prefix=f".{package.dirname}.", dir=dest))
        try:
            files = _extract(package, tarball, staging)
            marker = {
                "format": MARKER_FORMAT,
                "spec": package.spec,
                "integrity": package.integrity,
                "files": files,
            }
            (staging / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", "utf-8")
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return [folder / f for f in files]


def fetch_assets(dest: Path = DEFAULT_VENDOR_DIR, *, quiet: bool = True) -> list[Path]:
    """Make sure every pinned package's files are in ``dest``; return all vendored file paths.

    Packages whose marker already matches their pin are left alone (no npm call). Others are
    fetched with ``npm pack`` (integrity checked against the pin) and replaced atomically.
    Raises ``AssetError`` with the reason when npm is missing or a package cannot be fetched.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    npm: str | None = None
    for package in PACKAGES:
        folder = dest / package.dirname
        current = _is_current(folder, package)
        if current is not None:
            paths.extend(current)
            continue
        if npm is None:
            npm = _npm()
        if not quiet:
            print(f"fetching {package.spec} -> {folder}", file=sys.stderr)
        paths.extend(_fetch_package(npm, package, dest))
    return paths


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m dashboard.assets [DEST]``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m dashboard.assets [DEST]  (default: dashboard/static/vendor/)")
        return 0 if args and args[0] in ("-h", "--help") else 2
    dest = Path(args[0]) if args else DEFAULT_VENDOR_DIR
    try:
        paths = fetch_assets(dest, quiet=False)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(paths)} files in {dest}")
    for url, reason in MISSING_ASSETS.items():
        print(f"not vendored: {url}\n  ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
