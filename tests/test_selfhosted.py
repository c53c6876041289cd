"""Self-hosted map assets (QANTAR_ASSETS=local), the country outline and the tile-less labels,
and the Markdown escaping of data text. (tests/e2e/test_offline.py checks them in a browser.)"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import folium
import pytest
from shapely.geometry import Point, shape

from dashboard import assets, basemap, data
from dashboard.data import KAZAKHSTAN_BBOX as KZ_BBOX
from dashboard.session import OUTLINE_NAME
from dashboard.text import escape_markdown
from tests.hostile import PAYLOADS
from tests.test_app import folium_args, run_app

CDN_HOSTS = tuple(sorted(assets.CDN_HOSTS))
LOCKED = assets.locked_versions()
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def install_stand_in(root: Path, versions: dict[str, str]) -> Path:
    """A packages folder as ``npm ci`` leaves it (npm's record of what it installed, and the
    asset files), with ``versions`` installed; the files are stand-ins."""
    packages = {f"node_modules/{name}": {"version": v} for name, v in versions.items()}
    root.mkdir(parents=True, exist_ok=True)
    (root / ".package-lock.json").write_text(json.dumps({"packages": packages}))
    for rel in assets.ASSET_URLS.values():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("/* test stand-in */\n")
    return root


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    return install_stand_in(tmp_path / "node_modules", LOCKED)


def test_the_lockfile_pins_what_package_json_asks_for_and_folium_names() -> None:
    manifest = json.loads((assets.PACKAGE_DIR / "package.json").read_text("utf-8"))
    wanted = manifest["dependencies"]
    assert {name: LOCKED[name] for name in wanted} == wanted  # exact versions, npm-resolved
    lock = json.loads(assets.LOCK_FILE.read_text("utf-8"))
    assert lock["packages"][""]["dependencies"] == wanted  # the lock is package.json's
    for url, rel in assets.ASSET_URLS.items():
        name = next(n for n in wanted if rel.startswith(f"{n}/"))
        if name != "@neos21/bootstrap3-glyphicons":  # the substitute (see the module docstring)
            assert f"{LOCKED[name]}/" in url or f"-{LOCKED[name]}." in url, (url, LOCKED[name])
    assert assets.unmapped_urls(assets.folium_default_urls()) == []
    assert assets.unmapped_urls(["https://cdn.example/x.js"]) == ["https://cdn.example/x.js"]


def test_cdn_urls_map_to_files_in_their_package() -> None:
    leaflet_css = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
    assert assets.local_path_for(leaflet_css + "?v=1#x") == "leaflet/dist/leaflet.css"
    assert assets.local_path_for(leaflet_css.replace("leaflet.css", "images/layers.png")) == (
        "leaflet/dist/images/layers.png"
    )
    awesome = "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2"
    assert assets.local_path_for(f"{awesome}/images/markers-soft.png") == (
        "drmonty-leaflet-awesome-markers/css/images/markers-soft.png"
    )
    assert assets.local_url_for(leaflet_css) == "/app/static/vendor/node_modules/" + (
        "leaflet/dist/leaflet.css"
    )
    for outside in (
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/../jquery/x.js",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.2/dist/leaflet.js",
        "https://evil.example/npm/leaflet@1.9.3/dist/leaflet.js",
    ):
        assert assets.local_path_for(outside) is None, outside
        assert assets.local_url_for(outside) is None
    assert assets.content_type_for("a/b.WOFF2") == "font/woff2"
    assert assets.content_type_for("a/b.png") == "image/png"
    assert assets.content_type_for("a/b") == "application/octet-stream"


def test_every_file_a_stylesheet_refers_to_is_installed_where_the_cdn_url_maps() -> None:
    """The real install: a stylesheet's fonts and images, asked for at the CDN (answered by the
    browser tests) or relative to the self-hosted stylesheet, are the same installed file."""
    vendor = assets.DEFAULT_VENDOR_DIR
    if missing := assets.missing_packages(vendor):
        pytest.fail(f"not installed in {vendor}: {missing} (run `make assets`)", pytrace=False)
    checked = 0
    for url, rel in assets.ASSET_URLS.items():
        if not rel.endswith(".css"):
            continue
        for ref in _CSS_URL.findall((vendor / rel).read_text("utf-8")):
            if ref.startswith(("data:", "#")):
                continue
            path = urlsplit(ref).path
            local = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            assert assets.local_path_for(urljoin(url, ref)) == local, (url, ref)
            assert (vendor / local).is_file(), local
            checked += 1
    assert checked > 20  # Font Awesome's and the glyphicons' fonts, Leaflet's images...


def test_cdn_is_the_default(monkeypatch, vendor: Path) -> None:
    monkeypatch.delenv(assets.ASSETS_ENV, raising=False)
    assert assets.self_hosted_urls(vendor_dir=vendor) == (None, None)
    assert assets.self_hosted_urls("cdn", vendor_dir=vendor) == (None, None)


def test_local_maps_every_asset_to_this_server(vendor: Path) -> None:
    urls, notice = assets.self_hosted_urls(" Local ", vendor_dir=vendor)
    assert notice is None and urls is not None
    assert set(urls) == set(assets.ASSET_URLS)
    assert urls == {url: assets.local_url_for(url) for url in urls}
    assert urls["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"] == (
        "/app/static/vendor/node_modules/leaflet/dist/leaflet.js"
    )


def test_local_falls_back_to_cdn_with_a_notice(vendor: Path, tmp_path: Path) -> None:
    urls, notice = assets.self_hosted_urls("local", vendor_dir=tmp_path / "empty")
    assert urls is None and "make assets" in notice and f"leaflet@{LOCKED['leaflet']}" in notice
    urls, notice = assets.self_hosted_urls("local", vendor_dir=vendor, static_serving=False)
    assert urls is None and "enableStaticServing" in notice
    urls, notice = assets.self_hosted_urls("<script>" * 20, vendor_dir=vendor)
    assert urls is None and "neither 'local' nor 'cdn'" in notice and len(notice) < 200


def test_a_stale_or_damaged_install_names_the_packages_to_reinstall(tmp_path: Path) -> None:
    stale = install_stand_in(tmp_path / "stale", {**LOCKED, "jquery": "3.6.0"})
    assert assets.missing_packages(stale) == [f"jquery@{LOCKED['jquery']}"]
    damaged = install_stand_in(tmp_path / "damaged", LOCKED)
    (damaged / assets.ASSET_URLS["https://code.jquery.com/jquery-3.7.1.min.js"]).unlink()
    (damaged / "@fortawesome/fontawesome-free/css/all.min.css").unlink()
    assert assets.missing_packages(damaged) == [
        f"jquery@{LOCKED['jquery']}",
        f"@fortawesome/fontawesome-free@{LOCKED['@fortawesome/fontawesome-free']}",
    ]
    urls, notice = assets.self_hosted_urls("local", vendor_dir=damaged)
    assert urls is None and "jquery@" in notice and "leaflet@" not in notice


def test_an_unreadable_lockfile_is_a_notice_not_a_traceback(
    vendor: Path, tmp_path: Path, monkeypatch
) -> None:
    bad = tmp_path / "package-lock.json"
    bad.write_text('{"packages": [1, 2]')
    with pytest.raises(assets.AssetError, match="package-lock.json: not a readable npm lockfile"):
        assets.missing_packages(vendor, bad)
    monkeypatch.setattr(assets, "LOCK_FILE", bad)
    urls, notice = assets.self_hosted_urls("local", vendor_dir=vendor)
    assert urls is None and str(bad) in notice and "public CDNs instead" in notice


def test_the_command_checks_the_install(vendor: Path, tmp_path: Path, capsys) -> None:
    assert assets.main([str(vendor)]) == 0
    out = capsys.readouterr()
    assert f"{len(assets.ASSET_URLS)} map assets installed" in out.out and out.err == ""
    assert assets.main([str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "not installed" in err and "make assets" in err and "npm ci --ignore-scripts" in err


def test_base_map_with_local_assets_loads_nothing_from_a_cdn(vendor: Path) -> None:
    urls, _ = assets.self_hosted_urls("local", vendor_dir=vendor)
    fmap = basemap.base_map(KZ_BBOX, urls)
    html = fmap.get_root().render()
    assert not [host for host in CDN_HOSTS if host in html]
    assert [n for n, _ in fmap.default_js] == [n for n, _ in folium.Map.default_js]
    assert all(u.startswith("/app/static/vendor/") for _, u in fmap.default_js)
    # the rotated-icon stylesheet has no npm source and is not needed: left out, not loaded
    assert len(fmap.default_css) == len(folium.Map.default_css) - len(assets.MISSING_ASSETS)
    assert folium.Map.default_js[0][1].startswith("https://")  # the class is left alone
    assert "https://cdn.jsdelivr.net" in basemap.base_map(KZ_BBOX).get_root().render()


def test_app_serves_map_assets_from_its_origin_when_asked(
    record_dir: Path, vendor: Path, monkeypatch
) -> None:
    monkeypatch.setattr(assets, "DEFAULT_VENDOR_DIR", vendor)
    monkeypatch.setenv(assets.ASSETS_ENV, "local")
    at = run_app(record_dir, monkeypatch)
    args = folium_args(at)
    assert args["js_links"] and args["css_links"]
    assert all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])
    assert not at.warning

    monkeypatch.setattr(assets, "DEFAULT_VENDOR_DIR", vendor.parent / "missing")
    at = run_app(record_dir, monkeypatch)
    assert "make assets" in at.warning[0].value
    assert all(u.startswith("https://") for u in folium_args(at)["js_links"])


def test_the_outline_is_small_valid_and_holds_every_place() -> None:
    path = data.DEFAULT_DATA_DIR / OUTLINE_NAME
    assert path.stat().st_size < 100_000
    outline = json.loads(path.read_text("utf-8"))
    (feature,) = outline["features"]
    border = shape(feature["geometry"])
    assert border.is_valid and border.geom_type in ("Polygon", "MultiPolygon")
    w, s, e, n = data.KAZAKHSTAN_BBOX
    bw, bs, be, bn = border.bounds
    assert w <= bw < be <= e and s <= bs < bn <= n
    record = data.load_record(data.DEFAULT_DATA_DIR)
    outside = [c for c, r in record.cities.iterrows() if not border.contains(Point(r.lon, r.lat))]
    assert outside == []


def test_the_base_map_draws_the_outline_without_catching_clicks() -> None:
    fmap = basemap.base_map(KZ_BBOX, outline=data.DEFAULT_DATA_DIR / OUTLINE_NAME)
    layers = [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1 and layers[0].options["interactive"] is False
    rendered = fmap.get_root().render()
    assert '"interactive": false' in rendered or "interactive: false" in rendered


def test_labels_name_the_busiest_places_escaped(record_dir: Path) -> None:
    record = data.load_record(record_dir)
    labels = basemap.label_places(record, limit=2)
    assert [name for name, _, _ in labels] == ["Almaty", "Zhanaozen"]  # 4 and 2 events
    assert labels[0][1:] == (43.2389, 76.8897)
    fallback = basemap.TileFallback([(PAYLOADS[0] + PAYLOADS[1], 43.0, 76.0)])
    ((name, lat, lon),) = fallback.labels
    assert "<" not in name and "&lt;img src=x" in name and (lat, lon) == (43.0, 76.0)


def test_escape_markdown_leaves_no_markdown_syntax() -> None:
    value = " ".join(PAYLOADS) + " see https://evil.example www.evil.example a@evil.example\nx"
    out = escape_markdown(value)
    assert "\n" not in out
    # every ASCII punctuation mark Markdown reads is escaped; no bare address is left whole
    assert not re.search(r"(?<!\\)[\[\]()<>`*_$:!|~{}]", out)
    assert not re.search(r"https?\\?:|www\\?\.|@\w", out)
    assert out.replace("\\", "").replace("\u2060", "") == " ".join(value.replace("\\", "").split())
    assert escape_markdown(None) == "" and escape_markdown(float("nan")) == ""
