"""Write the municipal boundaries for the monitor's map: `uv run python scripts/simplify_boundaries.py`.

Reads the CBS boundaries shipped with the places app (`src/kansrijk/places/data/gemeenten-2025.geojson`,
CBS Gebiedsindelingen 2025 generalised, via PDOK / cartomap, CC BY 4.0; 5 decimals) and writes
`src/kansrijk/monitoring/static/monitoring/gemeenten-2025.geojson` for a national choropleth:

- coordinates rounded to 3 decimals (about 70 m east-west and 110 m north-south at 52° N: less
  than a pixel on a map of the Netherlands 1,000 pixels high). Neighbouring municipalities share
  their border vertices, so both round to the same points: no gaps or overlaps appear;
- repeated points that rounding creates are dropped, and rings left with fewer than 4 points
  (slivers smaller than the rounding) are left out;
- only the property the map needs (`code`) is kept; the feature `id` is the CBS code.

The result is served by whitenoise as a static file: with a hashed name (cached for a year) and
compressed (gzip, and brotli when installed). docs/monitoring.md gives the sizes.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "kansrijk" / "places" / "data" / "gemeenten-2025.geojson"
TARGET = (
    ROOT / "src" / "kansrijk" / "monitoring" / "static" / "monitoring" / "gemeenten-2025.geojson"
)
DECIMALS = 3


def _ring(ring: list[list[float]]) -> list[list[float]] | None:
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def _polygon(rings: list[list[list[float]]]) -> list[list[list[float]]] | None:
    kept = [r for r in (_ring(ring) for ring in rings) if r is not None]
    return kept if kept and kept[0] is not None else None


def simplify(data: dict) -> dict:
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        else:
            polygons = geometry["coordinates"]
        kept = [p for p in (_polygon(polygon) for polygon in polygons) if p is not None]
        code = feature["properties"]["gemeentecode"]
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    result = simplify(data)
    TARGET.write_text(json.dumps(result, separators=(",", ":")), encoding="utf-8")
    print(f"{len(result['features'])} municipalities, {TARGET.stat().st_size:,} bytes -> {TARGET}")


if __name__ == "__main__":
    main()
