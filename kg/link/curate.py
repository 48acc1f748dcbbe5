"""Propose Wikidata QIDs for gazetteer actors, for a person to confirm before they are written.

Why a review step: a wrong QID in `kg/data/actors.jsonl` poisons every join researchers make
with Wikidata, and QIDs recalled from memory proved wrong often (see `kg/data/SOURCES.md`).
So nothing here writes a QID on its own. `propose` asks Wikidata (through the same
`WikidataClient` as `kg link --online`: cache, rate limit, User-Agent) for items whose label
or alias equals one of the actor's names and whose class fits ours, and writes a review
table; a person opens each proposed item, marks the rows they checked `yes`, and `apply`
copies exactly those rows into the actors file with a citation in `qid_source`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.gazetteer import fold
from kg.link.online import WikidataClient

REVIEW_FIELDS = ("key", "label", "class", "country", "qid", "wikidata_label",
                 "wikidata_description", "matched_name", "item_country", "confirmed")
QID = re.compile(r"Q[1-9]\d*")
NAMES_PER_ACTOR = 3  # label and the first aliases: more requests rarely find another item


@dataclass(frozen=True)
class Proposal:
    """One candidate item for one actor, with what a reviewer needs to judge it."""

    key: str
    label: str
    cls: str
    country: str | None
    qid: str
    wikidata_label: str
    wikidata_description: str
    matched_name: str
    item_country: str | None


def propose(actors: Iterable[dict], client: WikidataClient) -> list[Proposal]:
    """Candidates for every actor without a QID: exact name match and a compatible class.

    Items of an incompatible class (a film named "Hezbollah", a town named like a militia)
    are dropped; an actor with several fitting items gets one row each, so the reviewer sees
    the ambiguity instead of a silent choice.
    """
    out: list[Proposal] = []
    for actor in actors:
        if actor.get("qid") or actor.get("class") == "Weapon":
            continue
        names = [actor["label"], *actor.get("aliases", [])][:NAMES_PER_ACTOR]
        wanted = {fold(n) for n in names}
        hits: dict[str, tuple[dict, str]] = {}
        for name in names:
            for hit in client.search(name):
                matched = hit.get("match", {}).get("text", "")
                if fold(matched) in wanted and hit["id"] not in hits:
                    hits[hit["id"]] = (hit, matched)
        facts = client.facts(list(hits))
        for qid, (hit, matched) in sorted(hits.items()):
            info = facts.get(qid)
            if info is None or actor["class"] not in info["classes"]:
                continue
            out.append(Proposal(actor["key"], actor["label"], actor["class"],
                                actor.get("country"), qid, hit.get("label", ""),
                                hit.get("description", ""), matched, info["country"]))
    return out


def write_review(proposals: Iterable[Proposal], path: Path) -> int:
    """The review table (TSV, `confirmed` left empty for the reviewer); returns its rows."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(REVIEW_FIELDS)
        for p in proposals:
            w.writerow([p.key, p.label, p.cls, p.country or "", p.qid, p.wikidata_label,
                        p.wikidata_description, p.matched_name, p.item_country or "", ""])
            n += 1
    return n


class ReviewError(ValueError):
    """The review table cannot be applied as it stands (the message says which row)."""


def apply_review(review: Path, actors_path: Path, reviewer: str, date: str) -> list[str]:
    """Write the QIDs of rows marked `yes` into the actors file; return the keys changed.

    Refuses the whole table (nothing written) when a confirmed row names an unknown key, a
    malformed QID, an actor that already has a different QID, or a QID another actor holds,
    or when one actor is confirmed twice: each of these means the review needs another look.
    """
    if not reviewer.strip():
        raise ReviewError("say who reviewed the table (--reviewer)")
    lines = actors_path.read_text(encoding="utf-8").splitlines()
    actors = [json.loads(line) for line in lines if line.strip()]
    by_key = {a["key"]: a for a in actors}
    held = {a["qid"]: a["key"] for a in actors if a.get("qid")}
    chosen: dict[str, str] = {}
    with review.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2):
            if (row.get("confirmed") or "").strip().lower() != "yes":
                continue
            key, qid = row.get("key", ""), (row.get("qid") or "").strip()
            where = f"{review}:{n} ({key})"
            if key not in by_key:
                raise ReviewError(f"{where}: no actor with this key")
            if not QID.fullmatch(qid):
                raise ReviewError(f"{where}: {qid!r} is not a QID")
            if key in chosen:
                raise ReviewError(f"{where}: a second confirmed row for the same actor")
            current = by_key[key].get("qid")
            if current and current != qid:
                raise ReviewError(f"{where}: the actor already has {current}")
            if held.get(qid, key) != key:
                raise ReviewError(f"{where}: {qid} already belongs to {held[qid]}")
            chosen[key] = qid
            held[qid] = key
    for key, qid in chosen.items():
        by_key[key]["qid"] = qid
        by_key[key]["qid_source"] = (f"Wikidata item {qid} checked by {reviewer} on {date} "
                                     "(kg.link.curate review table)")
    actors_path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in actors),
                           encoding="utf-8")
    return sorted(chosen)
