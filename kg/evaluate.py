"""Score extraction records against hand-annotated gold files.

Implements the matching rules of the team's shared evaluation (`../shared/eval/README.md`)
so that `kg eval` prints the same figures as the reference scorer without depending on it:

- a predicted entity stands for the gold entity one of whose aliases equals its label or a
  mention text (case, accents, punctuation, possessive "'s" and a leading "the"/"al"/"el"
  ignored); a second prediction for the same gold entity is a split, not a hit;
- a predicted event matches a gold event when its event type is accepted and its location
  entity stands for one of the gold locations; required gold events choose first (the
  prediction agreeing on more of sub-type and date wins), optional ones may absorb a
  prediction but count neither way;
- sub-type, date and actor figures are computed on matched pairs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SCORED_CLASSES = {"ArmedGroup", "StateActor", "Location", "Organization", "Person", "Weapon"}


class GoldError(ValueError):
    """A gold file that cannot be read or lacks required fields."""


def normalise(name: str | None) -> str:
    """The comparison form of a name (see the module docstring)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’'`]s\b", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(?:the|al|el) ", "", text)


def _accepted(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass
class Counts:
    """Raw counts summed over articles; `figures()` turns them into ratios."""

    entity_tp: int = 0
    entity_fp: int = 0
    entity_fn: int = 0
    entity_split: int = 0
    class_ok: int = 0
    class_n: int = 0
    qid_ok: int = 0
    qid_n: int = 0
    qid_wrong: int = 0
    event_tp: int = 0
    event_fp: int = 0
    event_fn: int = 0
    subtype_ok: int = 0
    date_ok: int = 0
    actor_hit: int = 0
    actor_n: int = 0
    missed_entities: list[str] = field(default_factory=list)
    spurious_entities: list[str] = field(default_factory=list)
    missed_events: list[str] = field(default_factory=list)

    def __iadd__(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def figures(self) -> dict[str, float | int]:
        """Precision/recall/F1 and accuracies, in the reference scorer's order and names."""
        ep, er, ef = _prf(self.entity_tp, self.entity_fp, self.entity_fn)
        vp, vr, vf = _prf(self.event_tp, self.event_fp, self.event_fn)
        return {
            "entity_precision": ep, "entity_recall": er, "entity_f1": ef,
            "entity_split": self.entity_split,
            "class_accuracy": _ratio(self.class_ok, self.class_n),
            "qid_accuracy": _ratio(self.qid_ok, self.qid_n), "qid_wrong": self.qid_wrong,
            "event_precision": vp, "event_recall": vr, "event_f1": vf,
            "subtype_accuracy": _ratio(self.subtype_ok, self.event_tp),
            "date_accuracy": _ratio(self.date_ok, self.event_tp),
            "actor_accuracy": _ratio(self.actor_hit, self.actor_n),
        }


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


class GoldArticle:
    """One gold annotation with an alias index over its entities."""

    def __init__(self, doc: Mapping[str, Any], origin: str = "") -> None:
        for key in ("article_id", "entities", "events"):
            if key not in doc:
                raise GoldError(f"{origin or 'gold'}: missing field {key!r}")
        self.doc = doc
        self.article_id: str = doc["article_id"]
        self.entities: list[dict[str, Any]] = list(doc["entities"])
        self.events: list[dict[str, Any]] = list(doc["events"])
        self._alias: dict[str, dict[str, Any]] = {}
        for ent in self.entities:
            for alias in [ent["label"], *ent.get("aliases", [])]:
                self._alias.setdefault(normalise(alias), ent)

    def find(self, pred: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The gold entity a predicted entity stands for, by label then mention texts."""
        if not pred:
            return None
        names = [pred.get("label", ""), *(m.get("text", "") for m in pred.get("mentions", []))]
        for name in names:
            hit = self._alias.get(normalise(name))
            if hit is not None:
                return hit
        return None


def load_gold(path: Path) -> GoldArticle:
    """Read one gold file, with a clear error for a missing or malformed file."""
    try:
        return GoldArticle(json.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path}: {exc}") from None


def score_article(gold: GoldArticle, pred: Mapping[str, Any]) -> Counts:
    """Counts for one article; `pred` is one extraction record (scoring JSON format)."""
    out = Counts()
    by_id = {e.get("id"): e for e in pred.get("entities", [])}
    seen: set[str] = set()
    for ent in (e for e in pred.get("entities", []) if e.get("class") in SCORED_CLASSES):
        g = gold.find(ent)
        if g is None:
            out.entity_fp += 1
            out.spurious_entities.append(f'{ent.get("label")} ({ent.get("class")})')
            continue
        if g["label"] in seen:
            out.entity_split += 1
            continue
        seen.add(g["label"])
        if g.get("optional"):
            continue
        out.entity_tp += 1
        out.class_n += 1
        out.class_ok += ent.get("class") in _accepted(g["class"])
        if g.get("qid"):
            out.qid_n += 1
            out.qid_ok += ent.get("wikidata") == g["qid"]
            out.qid_wrong += bool(ent.get("wikidata")) and ent.get("wikidata") != g["qid"]
    for g in gold.entities:
        if not g.get("optional") and g["label"] not in seen:
            out.entity_fn += 1
            out.missed_entities.append(g["label"])
    _score_events(gold, pred, by_id, out)
    return out


def _score_events(gold: GoldArticle, pred: Mapping[str, Any],
                  by_id: Mapping[str, Mapping[str, Any]], out: Counts) -> None:
    def labels(ids: Iterable[str] | None) -> set[str]:
        return {g["label"] for g in (gold.find(by_id.get(i)) for i in ids or []) if g}

    def agreement(gev: Mapping[str, Any], pev: Mapping[str, Any]) -> int | None:
        if pev.get("event_type") not in _accepted(gev["event_type"]):
            return None
        loc = gold.find(by_id.get(pev.get("location")))
        if loc is None or loc["label"] not in gev["location"]:
            return None
        return (int(pev.get("sub_event_type") in gev["sub_event_type"])
                + int(pev.get("date") in gev["date"]))

    preds = list(pred.get("events", []))
    used: set[int] = set()
    for gev in sorted(gold.events, key=lambda e: bool(e.get("optional"))):
        best, best_score = None, -1
        for i, pev in enumerate(preds):
            score = None if i in used else agreement(gev, pev)
            if score is not None and score > best_score:
                best, best_score = i, score
        if best is None:
            if not gev.get("optional"):
                out.event_fn += 1
                out.missed_events.append(f'{gev["id"]}: {gev.get("summary", "")}')
            continue
        used.add(best)
        if gev.get("optional"):
            continue
        pev = preds[best]
        out.event_tp += 1
        out.subtype_ok += pev.get("sub_event_type") in gev["sub_event_type"]
        out.date_ok += pev.get("date") in gev["date"]
        wanted = set(gev.get("actors", [])) | set(gev.get("targets", []))
        if wanted:
            out.actor_n += 1
            out.actor_hit += bool(wanted & (labels(pev.get("actors"))
                                            | labels(pev.get("targets"))))
    out.event_fp += len(preds) - len(used)


def score(golds: Iterable[GoldArticle], preds: Mapping[str, Mapping[str, Any]]) -> Counts:
    """Sum the counts over gold articles; a gold article without a prediction scores empty."""
    total = Counts()
    for gold in golds:
        total += score_article(gold, preds.get(gold.article_id, {}))
    return total


def format_report(counts: Counts) -> str:
    """The report printed by `kg eval`: misses, one figure per line, then the headline."""
    lines = [f"{name}: " + "; ".join(getattr(counts, name))
             for name in ("missed_entities", "spurious_entities", "missed_events")
             if getattr(counts, name)]
    figures = counts.figures()
    for key, value in figures.items():
        lines.append(f"{key:18} {value:.3f}" if isinstance(value, float) else f"{key:18} {value}")
    lines.append(f"entity_f1={figures['entity_f1']:.3f} "
                 f"class_acc={figures['class_accuracy']:.3f} "
                 f"qid_acc={figures['qid_accuracy']:.3f} event_f1={figures['event_f1']:.3f}")
    return "\n".join(lines)


def read_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """Extraction records from a JSONL file (`kg extract --format json`), by article id."""
    preds: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not a JSON record: {exc}") from None
            preds[record.get("article_id")] = record
    return preds


def extract_predictions(records: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Scoring records, by article id, from `Extraction`s (as `Extractor.extract` yields)."""
    return {r.article.id: r.to_json() for r in records}
