"""Every palette stays distinguishable for colour-blind readers: each pair of colours is simulated
with colorspacious (Machado et al. 2009, full severity) for deuteranopia, protanopia and
tritanopia, and their distance measured in CAM02-UCS (about 1 is a just-noticeable difference)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from dashboard import mapview
from dashboard.text import CATEGORY_COLOURS, PERIOD_COLOURS

# categorical colours name different things: well apart; a sequential scale's neighbours closer
CATEGORICAL_MIN = 15.0
SEQUENTIAL_MIN = 10.0
VISIONS = [None, "deuteranomaly", "protanomaly", "tritanomaly"]


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def seen(colour: str, vision: str | None) -> np.ndarray:
    if vision is None:
        return _rgb(colour)
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(_rgb(colour), cvd, "sRGB1"), 0, 1)


def distance(a: str, b: str, vision: str | None) -> float:
    return float(deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1"))


CATEGORICAL = {
    "categories (charts, legend)": CATEGORY_COLOURS,
    "circles": mapview.COLOURS,
    "periods": PERIOD_COLOURS,
}


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", CATEGORICAL)
def test_categorical_colours_stay_apart(name: str, vision: str | None) -> None:
    palette = CATEGORICAL[name]
    close = [
        (a, b, round(distance(ca, cb, vision), 1))
        for (a, ca), (b, cb) in itertools.combinations(palette.items(), 2)
        if distance(ca, cb, vision) < CATEGORICAL_MIN
    ]
    assert close == [], f"{name} under {vision or 'normal vision'}"


@pytest.mark.parametrize("vision", VISIONS)
def test_region_shades_step_apart(vision: str | None) -> None:
    shades = [mapview.REGION_NONE, *mapview.REGION_SHADES]
    steps = [round(distance(a, b, vision), 1) for a, b in itertools.pairwise(shades)]
    assert min(steps) >= SEQUENTIAL_MIN, steps


def test_the_check_tells_a_confusable_pair() -> None:
    # red and green, apart for normal vision, nearly merge for deuteranopia
    assert distance("#d62728", "#2ca02c", None) > CATEGORICAL_MIN
    assert distance("#d62728", "#2ca02c", "deuteranomaly") < CATEGORICAL_MIN
