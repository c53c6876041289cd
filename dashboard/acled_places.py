"""Which place an ACLED row is at: matching by name, alias, spelling or distance; new ids.

The rules (first that applies; :mod:`dashboard.acled_import` makes a new place when none does):

1. name: the ACLED ``location`` is a place's English name (case-insensitive);
2. alias: it is one of the place's other names (Kazakh, Russian, aliases);
3. spelling: it matches a name in another spelling (``places.normalise``: Qyzylorda/Kyzylorda);
4. distance: the nearest place within ``max_km`` (great-circle) of the ACLED coordinates.

A name match counts only within :data:`SAME_NAME_MAX_KM` of the ACLED coordinates (or within
``max_km`` when that is larger): farther away it is another town of the same name.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from dashboard import places

SAME_NAME_MAX_KM = 100.0
EARTH_RADIUS_KM = 6371.0088

Method = Literal["name", "alias", "spelling", "distance", "new"]
Point3 = tuple[float, float, float]


def _unit_vector(lat: float, lon: float) -> Point3:
    phi, lmb = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi))


def _km(a: Point3, b: Point3) -> float:
    """Great-circle distance between two unit vectors (the haversine formula, via the chord)."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.dist(a, b) / 2))


@functools.lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    return places.normalise(text)


def slug(text: str) -> str:
    """An id made of lowercase Latin letters, digits and ``-`` (empty if nothing is left)."""
    latin = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^a-z0-9]+", "-", latin).strip("-") or places.normalise(text)
    return folded[:48].strip("-")


def unique_id(preferred: str, taken: set[str]) -> str:
    """``preferred``, or ``preferred-2``, ``-3``... : the first not in ``taken``."""
    candidate, n = preferred, 2
    while candidate in taken:
        candidate = f"{preferred}-{n}"
        n += 1
    return candidate


@dataclass
class Match:
    index: int
    method: Method
    spelling: str = ""
    distance_km: float = 0.0


class Places:
    """Known places (from the existing record, then new ones) and the matching rules.

    Nearest-place search uses a grid of cubes over points on the unit sphere, each cube as wide
    as the chord of ``max_km``: every place within ``max_km`` lies in the 27 cubes around a
    point, at any latitude and across the antimeridian. Places are added while rows are read
    (a new place is matched by later rows), which rules out the static trees of shapely's
    ``STRtree`` (planar, too) and geopandas' ``sjoin_nearest``."""

    def __init__(self, max_km: float) -> None:
        self.max_km = max_km
        self.same_name_km = max(SAME_NAME_MAX_KM, max_km)
        self.cell = max(2 * math.sin(min(max_km / (2 * EARTH_RADIUS_KM), math.pi / 2)), 1e-9)
        self.ids: list[str] = []
        self.taken: set[str] = set()
        self.names: list[str] = []
        self.points: list[Point3] = []
        self.grid: dict[tuple[int, ...], list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_alias: dict[str, list[tuple[int, str]]] = {}
        self.by_spelling: dict[str, list[tuple[int, str]]] = {}

    def _cube(self, point: Point3) -> tuple[int, ...]:
        return tuple(math.floor(c / self.cell) for c in point)

    def add(self, city_id: str, names: list[str], lat: float, lon: float) -> int:
        """Add a place known by ``names`` (English name first); its index."""
        i = len(self.ids)
        self.ids.append(city_id)
        self.taken.add(city_id)
        self.names.append(names[0])
        point = _unit_vector(lat, lon)
        self.points.append(point)
        self.grid.setdefault(self._cube(point), []).append(i)
        self.by_name.setdefault(names[0].casefold(), []).append(i)
        for alias in names[1:]:
            self.by_alias.setdefault(alias.casefold(), []).append((i, alias))
        for spelling in names:
            key = places.normalise(spelling)
            if key:
                self.by_spelling.setdefault(key, []).append((i, spelling))
        return i

    def new_id(self, name: str, region: str) -> str:
        """An id for a new place: its name as a slug; with its region's when that is taken;
        else numbered."""
        preferred = slug(name) or "place"
        if preferred in self.taken and slug(region):
            preferred = f"{preferred}-{slug(region)}"[:64]
        return unique_id(preferred, self.taken)

    def match(
        self, location: str, lat: float, lon: float
    ) -> tuple[Match | None, tuple[str, float] | None]:
        """The place for a row, and (name, km) of a same-named place too far away to count."""
        point = _unit_vector(lat, lon)
        too_far: tuple[str, float] | None = None
        key = location.casefold()
        tiers: list[tuple[Method, list[tuple[int, str]]]] = [
            ("name", [(i, self.names[i]) for i in self.by_name.get(key, [])]),
            ("alias", self.by_alias.get(key, [])),
            ("spelling", self.by_spelling.get(_normalised(location), [])),
        ]
        for method, candidates in tiers:
            if not candidates:
                continue
            km, i, spelling = min((_km(point, self.points[i]), i, s) for i, s in candidates)
            if km <= self.same_name_km:
                return Match(i, method, spelling, km), None
            too_far = too_far or (spelling, km)
        cube = self._cube(point)
        near = [
            (_km(point, self.points[i]), i)
            for step in itertools.product((-1, 0, 1), repeat=3)
            for i in self.grid.get(tuple(c + d for c, d in zip(cube, step, strict=True)), [])
        ]
        km, i = min(near, default=(math.inf, -1))
        if km <= self.max_km:
            return Match(i, "distance", distance_km=km), too_far
        return None, too_far
