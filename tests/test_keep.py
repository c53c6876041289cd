"""The kept (downloaded) map's page, without a browser: escaped text, inlined Leaflet, and a
clear error when Leaflet is not installed."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest

from dashboard import assets, keep

HOSTILE = "<img src=x onerror=alert(1)>"


def page(vendor_dir: Path, link: str = "http://example.test/?from=2022-01-04") -> str:
    return keep.standalone_html(
        folium.Map(),
        folium.FeatureGroup(),
        vendor_dir=vendor_dir,
        title=HOSTILE,
        lines=[f"line {HOSTILE}"],
        legend=[("#123456", HOSTILE)],
        link=link,
    )


@pytest.mark.skipif(
    not keep.available(assets.DEFAULT_VENDOR_DIR), reason="map assets not installed"
)
def test_leaflet_is_inlined_and_every_text_escaped() -> None:
    html = page(assets.DEFAULT_VENDOR_DIR)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "L.Map" in html or "Leaflet" in html
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<base href='http://example.test/?from=2022-01-04' target='_top'>" in html


def test_without_leaflet_installed_it_says_so(tmp_path: Path) -> None:
    assert not keep.available(tmp_path)
    with pytest.raises(keep.AssetsMissing, match="make assets"):
        page(tmp_path)
