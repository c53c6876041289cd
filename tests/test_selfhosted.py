"""Self-hosted map assets (QANTAR_ASSETS=local), the country outline and the tile-less labels,
and the Markdown escaping of data text. (tests/e2e/test_offline.py checks them in a browser.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from shapely.geometry import Point, shape

from dashboard import assets, data, mapview
from tests.hostile import PAYLOADS
from tests.test_app import folium_args, run_app

CDN_HOSTS = tuple(sorted(assets.CDN_HOSTS))


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    """A vendor folder whose markers say every pinned package is there (files are stand-ins)."""
    root = tmp_path / "vendor"
    for package in assets.PACKAGES:
        folder = root / package.dirname
        folder.mkdir(parents=True)
        (folder / "stand-in.js").write_text("// test stand-in\n")
        marker = {
            "format": assets.MARKER_FORMAT,
            "spec": package.spec,
            "integrity": package.integrity,
            "files": ["stand-in.js"],
        }
        (folder / assets.MARKER_NAME).write_text(json.dumps(marker))
    return root


def test_cdn_is_the_default(monkeypatch, vendor: Path) -> None:
    monkeypatch.delenv(assets.ASSETS_ENV, raising=False)
    assert assets.self_hosted_urls(vendor_dir=vendor) == (None, None)
    assert assets.self_hosted_urls("cdn", vendor_dir=vendor) == (None, None)


def test_local_maps_every_vendored_asset_to_this_server(vendor: Path) -> None:
    urls, notice = assets.self_hosted_urls(" Local ", vendor_dir=vendor)
    assert notice is None and urls is not None
    assert set(urls) == set(assets.ASSET_URLS)
    assert all(u.startswith("/app/static/vendor/") for u in urls.values())
    assert urls["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"] == (
        "/app/static/vendor/leaflet-1.9.3/dist/leaflet.js"
    )


def test_local_falls_back_to_cdn_with_a_notice(vendor: Path, tmp_path: Path) -> None:
    urls, notice = assets.self_hosted_urls("local", vendor_dir=tmp_path / "empty")
    assert urls is None and "python -m dashboard.assets" in notice and "leaflet@1.9.3" in notice
    urls, notice = assets.self_hosted_urls("local", vendor_dir=vendor, static_serving=False)
    assert urls is None and "enableStaticServing" in notice
    urls, notice = assets.self_hosted_urls("<script>" * 20, vendor_dir=vendor)
    assert urls is None and "neither 'local' nor 'cdn'" in notice and len(notice) < 200


def test_base_map_with_local_assets_loads_nothing_from_a_cdn(vendor: Path) -> None:
    urls, _ = assets.self_hosted_urls("local", vendor_dir=vendor)
    fmap = mapview.base_map(urls)
    html = fmap.get_root().render()
    assert not [host for host in CDN_HOSTS if host in html]
    assert [n for n, _ in fmap.default_js] == [n for n, _ in folium.Map.default_js]
    assert all(u.startswith("/app/static/vendor/") for _, u in fmap.default_js)
    # the rotated-icon stylesheet has no npm source and is not needed: left out, not fetched
    assert len(fmap.default_css) == len(folium.Map.default_css) - len(assets.MISSING_ASSETS)
    assert folium.Map.default_js[0][1].startswith("https://")  # the class is left alone
    assert "https://cdn.jsdelivr.net" in mapview.base_map().get_root().render()


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
    assert "python -m dashboard.assets" in at.warning[0].value
    assert all(u.startswith("https://") for u in folium_args(at)["js_links"])


def test_the_outline_is_small_valid_and_holds_every_place() -> None:
    assert mapview.OUTLINE_FILE.stat().st_size < 100_000
    outline = json.loads(mapview.OUTLINE_FILE.read_text("utf-8"))
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
    fmap = mapview.base_map()
    layers = [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1 and layers[0].options["interactive"] is False
    rendered = fmap.get_root().render()
    assert '"interactive": false' in rendered or "interactive: false" in rendered


def test_labels_name_the_busiest_places_escaped(record_dir: Path) -> None:
    record = data.load_record(record_dir)
    labels = mapview.label_places(record, limit=2)
    assert [name for name, _, _ in labels] == ["Almaty", "Zhanaozen"]  # 4 and 2 events
    assert labels[0][1:] == (43.2389, 76.8897)
    fallback = mapview.TileFallback([(PAYLOADS[0] + PAYLOADS[1], 43.0, 76.0)])
    ((name, lat, lon),) = fallback.labels
    assert "<" not in name and "&lt;img src=x" in name and (lat, lon) == (43.0, 76.0)


def test_escape_markdown_leaves_no_markdown_syntax() -> None:
    text = " ".join(PAYLOADS) + " see https://evil.example www.evil.example a@evil.example\nx"
    out = text.escape_markdown(text)
    assert "\n" not in out
    # every ASCII punctuation mark Markdown reads is escaped; no bare address is left whole
    assert not re.search(r"(?<!\\)[\[\]()<>`*_$:!|~{}]", out)
    assert not re.search(r"https?\\?:|www\\?\.|@\w", out)
    assert out.replace("\\", "").replace("\u2060", "") == " ".join(text.replace("\\", "").split())
    assert text.escape_markdown(None) == "" and mapview.escape_markdown(float("nan")) == ""
