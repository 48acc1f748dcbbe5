"""Online linking against Wikidata, for entities the offline linker left unlinked.

Only `kg link --online` uses this; extraction never touches the network. Wikidata asks
API clients for a descriptive User-Agent, modest request rates and caching, so every
request goes through one `WikidataClient` with an on-disk cache, a minimum interval
between requests and timeouts. The HTTP transport is injectable: tests replay recorded
responses (`ReplayTransport`) and never reach the network.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from kg import __version__
from kg.gazetteer import fold
from kg.records import Entity, Extraction

API_URL = "https://www.wikidata.org/w/api.php"
SPARQL_URL = "https://query.wikidata.org/sparql"
USER_AGENT = (f"kg-conflict-linker/{__version__} (entity linking for a conflict-news "
              "knowledge graph; https://w3id.org/kg-conflict) httpx")
ONLINE_THRESHOLD = 0.8
DEFAULT_CACHE = Path.home() / ".cache" / "kg" / "wikidata"
# Wikidata classes (reached through P31/P279*) that each of our classes may link to.
ROOTS: dict[str, tuple[str, ...]] = {
    "Q486972": ("Location",),  # human settlement
    "Q56061": ("Location",),  # administrative territorial entity
    "Q6256": ("Location", "StateActor"),  # country
    "Q5": ("Person",),  # human
    "Q17149090": ("ArmedGroup", "StateActor"),  # armed organization
    "Q43229": ("Organization", "ArmedGroup", "StateActor"),  # organization
    "Q728": ("Weapon",),  # weapon
}
POINT = re.compile(r"Point\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)")


class OnlineError(RuntimeError):
    """Wikidata could not be asked (network, HTTP status, unrecorded request)."""


class RateLimiter:
    """At most one request per `min_interval` seconds (clock and sleep injectable)."""

    def __init__(self, min_interval: float = 1.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval, self.clock, self.sleep = min_interval, clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.min_interval:
            self.sleep(self.min_interval - (now - self._last))
            now = self.clock()
        self._last = now


class DiskCache:
    """JSON responses by request, one file each: a re-run asks Wikidata nothing twice."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (hashlib.sha1(key.encode()).hexdigest() + ".json")

    def get(self, key: str) -> object | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def put(self, key: str, value: object) -> None:
        path = self._path(key)
        if path is not None:
            path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from recorded responses (JSON files) and refuses all others.

    Each file holds {"request": {"url": ..., "params": {...}}, "response": {...}}; a request
    matches when its URL is the recorded one and it carries every recorded parameter
    (for SPARQL, "query_contains" lists substrings the query must contain).
    """

    def __init__(self, directory: Path) -> None:
        self.records = [json.loads(p.read_text(encoding="utf-8"))
                        for p in sorted(directory.glob("*.json"))]
        self.requests: list[httpx.Request] = []

    def _matches(self, rec: dict, request: httpx.Request) -> bool:
        want = rec["request"]
        url = str(request.url.copy_with(query=None))
        if url != want["url"]:
            return False
        params = dict(request.url.params)
        if any(params.get(k) != v for k, v in want.get("params", {}).items()):
            return False
        return all(s in params.get("query", "") for s in want.get("query_contains", ()))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for rec in self.records:
            if self._matches(rec, request):
                return httpx.Response(rec.get("status", 200), json=rec["response"])
        raise OnlineError(f"no recorded response for {request.url}")


class WikidataClient:
    """wbsearchentities and SPARQL with cache, rate limit, timeout and a User-Agent."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None,
                 cache_dir: Path | None = None, min_interval: float = 1.0,
                 timeout: float = 10.0, limiter: RateLimiter | None = None) -> None:
        self.http = httpx.Client(transport=transport, timeout=timeout,
                                 headers={"User-Agent": USER_AGENT,
                                          "Accept": "application/json"})
        self.cache = DiskCache(cache_dir)
        self.limiter = limiter or RateLimiter(min_interval)

    def _get(self, url: str, params: dict[str, str]) -> dict:
        key = url + "?" + urlencode(sorted(params.items()))
        cached = self.cache.get(key)
        if isinstance(cached, dict):
            return cached
        self.limiter.wait()
        try:
            resp = self.http.get(url, params=params)
            resp.raise_for_status()
            data = resp.json()
        except httpx.HTTPError as exc:
            raise OnlineError(f"Wikidata request failed: {exc}") from None
        self.cache.put(key, data)
        return data

    def search(self, name: str, *, language: str = "en", limit: int = 7) -> list[dict]:
        """Items whose label or alias matches `name` (Wikidata's own ranking)."""
        data = self._get(API_URL, {"action": "wbsearchentities", "search": name,
                                   "language": language, "uselang": language,
                                   "type": "item", "limit": str(limit), "format": "json"})
        return list(data.get("search", []))

    def facts(self, qids: list[str]) -> dict[str, dict]:
        """Classes (our class names), country label and coordinates of each item."""
        if not qids:
            return {}
        values = " ".join(f"wd:{q}" for q in sorted(set(qids)))
        roots = " ".join(f"wd:{r}" for r in ROOTS)
        query = (
            "PREFIX wd: <http://www.wikidata.org/entity/>\n"
            "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?item ?root ?countryLabel ?coord WHERE {\n"
            f"  VALUES ?item {{ {values} }}\n"
            f"  OPTIONAL {{ VALUES ?root {{ {roots} }} ?item wdt:P31/wdt:P279* ?root }}\n"
            "  OPTIONAL { ?item wdt:P17 ?country . ?country rdfs:label ?countryLabel .\n"
            "             FILTER(LANG(?countryLabel) = \"en\") }\n"
            "  OPTIONAL { ?item wdt:P625 ?coord }\n}")
        data = self._get(SPARQL_URL, {"query": query, "format": "json"})
        out: dict[str, dict] = {}
        for row in data.get("results", {}).get("bindings", []):
            qid = row["item"]["value"].rsplit("/", 1)[1]
            info = out.setdefault(qid, {"classes": set(), "country": None, "coord": None})
            if "root" in row:
                info["classes"].update(ROOTS.get(row["root"]["value"].rsplit("/", 1)[1], ()))
            if "countryLabel" in row:
                info["country"] = row["countryLabel"]["value"]
            m = POINT.match(row.get("coord", {}).get("value", ""))
            if m:
                info["coord"] = (float(m.group(2)), float(m.group(1)))  # WKT is lon lat
        return out


@dataclass(frozen=True)
class OnlineDecision:
    qid: str | None
    confidence: float
    lat: float | None = None
    lon: float | None = None


class OnlineLinker:
    """Search Wikidata for an unlinked entity; keep a hit only if class and context agree."""

    def __init__(self, client: WikidataClient, *, threshold: float = ONLINE_THRESHOLD) -> None:
        self.client, self.threshold = client, threshold

    def decide(self, entity: Entity, countries: set[str]) -> OnlineDecision:
        hits = self.client.search(entity.label)
        names = {fold(entity.label), *(fold(m.text) for m in entity.mentions)}
        quality: dict[str, float] = {}
        for hit in hits:
            match = hit.get("match", {})
            if fold(match.get("text", "")) in names:
                quality[hit["id"]] = 1.0 if match.get("type") == "label" else 0.9
        facts = self.client.facts(list(quality))
        scores: dict[str, float] = {}
        for qid, q in quality.items():
            info = facts.get(qid)
            if info is None or entity.cls not in info["classes"]:
                continue
            ctx = 1.0 if info["country"] in countries else (0.5 if not countries else 0.0)
            scores[qid] = q * (0.6 + 0.3 * ctx + 0.1)
        if not scores:
            return OnlineDecision(None, 0.0)
        best = max(scores, key=lambda k: (scores[k], k))
        share = 1.0 / sum(math.exp((s - scores[best]) / 0.1) for s in scores.values())
        confidence = round(scores[best] * share, 3)
        if confidence < self.threshold:
            return OnlineDecision(None, confidence)
        coord = facts[best]["coord"]
        return OnlineDecision(best, confidence, *(coord or (None, None)))

    def link(self, extraction: Extraction) -> list[Entity]:
        """Link the still-unlinked entities in place; return those that got a QID."""
        countries = {e.country for e in extraction.entities if e.country and e.wikidata}
        linked = []
        for ent in extraction.entities:
            if ent.wikidata or (ent.cls == "Person" and len(ent.label.split()) < 2):
                continue
            decision = self.decide(ent, countries)
            if decision.qid is None:
                continue
            ent.wikidata, ent.link_confidence = decision.qid, decision.confidence
            ent.link_method = "online:wbsearchentities"
            if ent.lat is None and decision.lat is not None:
                ent.lat, ent.lon = decision.lat, decision.lon
            linked.append(ent)
        return linked
