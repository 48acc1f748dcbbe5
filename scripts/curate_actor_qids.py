#!/usr/bin/env python3
"""Propose Wikidata QIDs for gazetteer actors, then apply the ones a person confirmed.

Why: issue 5 asks for QIDs on many more armed groups, forces, media and monitors than the
team could verify offline, and a guessed QID is worse than none. With network access:

    python scripts/curate_actor_qids.py propose review.tsv [--class ArmedGroup] [--limit 50]
    # open each proposed item on wikidata.org, write "yes" in the `confirmed` column
    python scripts/curate_actor_qids.py apply review.tsv --reviewer "Name"

`propose` only reads the actors file; `apply` writes just the confirmed rows, each with a
`qid_source` naming the reviewer and the date (kg/link/curate.py has the rules).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from kg.link.curate import ReviewError, apply_review, propose, write_review
from kg.link.online import DEFAULT_CACHE, OnlineError, WikidataClient

ACTORS = Path(__file__).resolve().parents[1] / "kg" / "data" / "actors.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("propose", help="write a review table of candidate QIDs")
    p.add_argument("review", type=Path)
    p.add_argument("--class", dest="cls", help="only actors of this class (e.g. ArmedGroup)")
    p.add_argument("--limit", type=int, default=0, help="at most this many actors")
    a = sub.add_parser("apply", help="write the rows marked 'yes' into the actors file")
    a.add_argument("review", type=Path)
    a.add_argument("--reviewer", required=True)
    args = ap.parse_args(argv)
    try:
        if args.command == "propose":
            actors = [json.loads(line) for line in ACTORS.read_text(encoding="utf-8").splitlines()]
            todo = [x for x in actors if not x.get("qid") and args.cls in (None, x["class"])]
            todo = todo[: args.limit] if args.limit else todo
            rows = write_review(propose(todo, WikidataClient(cache_dir=DEFAULT_CACHE)),
                                args.review)
            print(f"{rows} candidate rows for {len(todo)} actors in {args.review}")
        else:
            keys = apply_review(args.review, ACTORS, args.reviewer, dt.date.today().isoformat())
            print(f"{len(keys)} QIDs written: {', '.join(keys) or '-'}")
    except (OnlineError, ReviewError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
