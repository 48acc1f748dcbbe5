"""Events as a flat table, one row per event: what researchers load into a spreadsheet, R or
pandas next to ACLED data.

The graph keeps each report's events with full provenance; a table is how event data is
usually analysed. Column names follow ACLED's where the meaning is the same (event_date,
time_precision, event_type, sub_event_type, geo_precision, latitude, longitude, fatalities,
source, notes), so scripts written for ACLED exports need few changes. Actors and targets
are several per event: they are joined with "; " (labels) and, for linked entities, their
Wikidata QIDs in the same order. Every row carries its event IRI and source article, so a
row can be traced back to the sentence it came from (`notes` is that sentence).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TextIO

from pyoxigraph import Store

from kg.ontology import PREFIXES

COLUMNS = ["event_id", "event_date", "time_precision", "date_earliest", "date_latest",
           "event_type", "sub_event_type", "actors", "actor_qids", "targets", "target_qids",
           "location", "location_qid", "latitude", "longitude", "geo_precision", "country",
           "fatalities", "injuries", "reported_by", "source", "article_id", "article_title",
           "article_date", "article_url", "notes", "confidence"]
FORMATS = ("csv", "tsv", "jsonl")

_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

_EVENTS = _PREFIXES + """
SELECT ?event ?type ?sub ?article WHERE {
  ?event kgo:subEventType ?sub ; kgo:eventType ?type ; kgo:sourceArticle ?article }"""

# Single-valued facts are read one property at a time and joined here by subject: a scan of
# each property is linear, where one query with a dozen OPTIONALs looks each fact up again
# for every event (minutes on a million facts instead of seconds).
_VALUES = _PREFIXES + "SELECT ?s ?o WHERE { ?s %s ?o }"
_EVENT_FACTS = {"event_date": "kgo:date", "time_precision": "kgo:timePrecision",
                "date_earliest": "kgo:dateEarliest", "date_latest": "kgo:dateLatest",
                "geo_precision": "kgo:geoPrecision", "fatalities": "kgo:fatalities",
                "injuries": "kgo:injuries", "notes": "kgo:evidence",
                "confidence": "kgo:confidence", "place": "kgo:hasPlace"}
_PLACE_FACTS = {"location_qid": "kgo:wikidataId", "latitude": "wgs:lat",
                "longitude": "wgs:long", "country": "kgo:countryName"}
_ARTICLE_FACTS = {"article_id": "kgo:articleId", "article_title": "dcterms:title",
                  "article_date": "dcterms:date", "article_url": "schema:url",
                  "source": "dcterms:source"}

# Entities an event relates to by `prop`, each with one label (an entity described with
# two labels, as a state named also by its government, is listed once).
_PARTIES = _PREFIXES + """
SELECT ?event ?entity (MIN(STR(?label)) AS ?name) (SAMPLE(?qid) AS ?q) WHERE {
  ?event kgo:%s ?entity .
  OPTIONAL { ?entity rdfs:label ?label }
  OPTIONAL { ?entity kgo:wikidataId ?qid }
} GROUP BY ?event ?entity"""

_LABELS = _PREFIXES + """
SELECT ?place (MIN(STR(?label)) AS ?name) WHERE {
  ?event kgo:hasPlace ?place . ?place rdfs:label ?label } GROUP BY ?place"""


def _value(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def _parties(store: Store, prop: str) -> dict[str, list[tuple[str, str]]]:
    """event IRI -> [(label, QID or "")], sorted by label for a stable order."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.query(_PARTIES % prop, use_default_graph_as_union=True):
        out[r["event"].value].append((_value(r["name"]) or r["entity"].value, _value(r["q"])))
    for parties in out.values():
        parties.sort()
    return out


def _values(store: Store, prop: str) -> dict[str, str]:
    """subject IRI -> the value of `prop` (one, if the data states several)."""
    out: dict[str, str] = {}
    for r in store.query(_VALUES % prop, use_default_graph_as_union=True):
        out.setdefault(r["s"].value, _value(r["o"]))
    return out


def event_rows(store: Store) -> Iterator[dict[str, str]]:
    """Every event of the store as a row of COLUMNS (all values strings, "" when unknown),
    ordered by date (undated last), then event IRI."""
    actors, targets = _parties(store, "hasActor"), _parties(store, "hasTarget")
    reporters = _parties(store, "reportedBy")
    places = {r["place"].value: _value(r["name"])
              for r in store.query(_LABELS, use_default_graph_as_union=True)}
    facts = {col: _values(store, prop) for col, prop in _EVENT_FACTS.items()}
    place_facts = {col: _values(store, prop) for col, prop in _PLACE_FACTS.items()}
    article_facts = {col: _values(store, prop) for col, prop in _ARTICLE_FACTS.items()}
    rows: dict[str, dict[str, str]] = {}
    for r in store.query(_EVENTS, use_default_graph_as_union=True):
        iri = r["event"].value
        if iri in rows:  # an event stated in two graphs (a copied article): one row
            continue
        place, article = facts["place"].get(iri, ""), r["article"].value
        acts, tgts = actors.get(iri, []), targets.get(iri, [])
        row = dict.fromkeys(COLUMNS, "")
        row.update({col: facts[col].get(iri, "") for col in _EVENT_FACTS if col != "place"})
        row.update({col: values.get(place, "") for col, values in place_facts.items()})
        row.update({col: values.get(article, "") for col, values in article_facts.items()})
        row.update({
            "event_id": iri, "event_type": _value(r["type"]), "sub_event_type": _value(r["sub"]),
            "actors": "; ".join(a for a, _ in acts), "actor_qids": "; ".join(q for _, q in acts),
            "targets": "; ".join(t for t, _ in tgts),
            "target_qids": "; ".join(q for _, q in tgts),
            "location": places.get(place, ""),
            "reported_by": "; ".join(n for n, _ in reporters.get(iri, [])),
            "notes": row["notes"].strip()})
        rows[iri] = row
    yield from sorted(rows.values(), key=lambda row: (row["event_date"] == "",
                                                      row["event_date"], row["event_id"]))


def write_table(rows: Iterable[dict[str, str]], out: TextIO, fmt: str = "csv") -> int:
    """Write rows as CSV, TSV (both with a header) or JSON Lines; returns the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS)}")
    n = 0
    writer = None
    if fmt != "jsonl":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n",
                                delimiter="," if fmt == "csv" else "\t")
        writer.writeheader()
    for row in rows:
        if writer is None:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer.writerow(row)
        n += 1
    return n


def table_text(store: Store, fmt: str = "csv") -> str:
    """The whole table as one string (the HTTP endpoint's body)."""
    buf = io.StringIO()
    write_table(event_rows(store), buf, fmt)
    return buf.getvalue()
