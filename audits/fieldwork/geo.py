"""Geography of a check-in: how far the phone's position is from the visit's location, and whether that
is far enough to flag the walk for its reviewer (never to refuse it: GPS indoors is poor)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two positions in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def checkin_flag_distance_m() -> float:
    """Farther than this from the location, a check-in is flagged (`CHECKIN_FLAG_DISTANCE_M`, 500 m)."""
    return float(getattr(settings, "CHECKIN_FLAG_DISTANCE_M", 500))


def checkin_distance_m(*, place: tuple[Decimal | float | None, Decimal | float | None],
                       position: tuple[float | None, float | None]) -> float | None:
    """Metres from a place (latitude, longitude) to a check-in position; None when either is unknown."""
    (place_lat, place_lon), (lat, lon) = place, position
    if place_lat is None or place_lon is None or lat is None or lon is None:
        return None
    return haversine_m(float(place_lat), float(place_lon), lat, lon)


def is_far(distance_m: float | None) -> bool:
    """Whether a check-in this far from its location is flagged for the reviewer."""
    return distance_m is not None and distance_m > checkin_flag_distance_m()
