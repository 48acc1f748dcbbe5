"""Extraction throughput against bare spaCy: `python -m bench.run [--limit N] [--rounds R]`.

The target (issue 3) is a ratio, not a time: our full extraction (model + gazetteer, typer,
actors, events, relations, records) must keep >= 0.7x the throughput of bare `nlp.pipe`
with the same model on the same texts. Both are measured in this process, alternating
rounds and keeping each side's best, so machine load affects both alike.
Texts: ../shared/corpus/fakes-articles.jsonl when present, else the bundled samples repeated.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from kg.extract.pipeline import Extractor, build_nlp, resolve_model
from kg.ingest import sample_paths
from kg.read import read_articles
from kg.records import Article

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / \
    "fakes-articles.jsonl"
TARGET = 0.7


def corpus(limit: int) -> tuple[list[Article], str]:
    """The benchmark articles and where they come from."""
    if SHARED_CORPUS.exists():
        with SHARED_CORPUS.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()][:limit]
        return [Article(id=r["id"], text=r["text"], date=r.get("date")) for r in rows], \
            str(SHARED_CORPUS)
    samples = list(read_articles(sample_paths()))
    repeated = (samples * (limit // max(len(samples), 1) + 1))[:limit]
    return [Article(id=f"{a.id}#{n}", text=a.text, date=a.date)
            for n, a in enumerate(repeated)], "bundled samples (repeated)"


def _timed(fn: Callable[[], object], times: list[float]) -> None:
    t0 = time.perf_counter()
    fn()
    times.append(time.perf_counter() - t0)


def run(limit: int = 200, rounds: int = 2, batch_size: int = 32) -> dict[str, float]:
    """Measure both pipelines; returns chars/s of each and their ratio."""
    articles, source = corpus(limit)
    texts = [a.text for a in articles]
    model = resolve_model()
    bare = spacy.load(model)
    extractor = Extractor(nlp=build_nlp(model), batch_size=batch_size)
    list(bare.pipe(texts[:5]))  # warm-up: first calls allocate
    list(extractor.extract(articles[:5]))
    bare_t: list[float] = []
    full_t: list[float] = []
    for _ in range(rounds):  # alternate so load drifts hit both sides
        _timed(lambda: list(bare.pipe(texts, batch_size=batch_size)), bare_t)
        _timed(lambda: list(extractor.extract(articles)), full_t)
    chars = sum(len(t) for t in texts)
    result = {"articles": len(texts), "chars": chars, "bare_chars_per_s": chars / min(bare_t),
              "kg_chars_per_s": chars / min(full_t), "ratio": min(bare_t) / min(full_t)}
    print(f"corpus: {source} ({len(texts)} articles, {chars} chars), model {model}")
    print(f"bare nlp.pipe     {result['bare_chars_per_s']:>10.0f} chars/s")
    print(f"kg extraction     {result['kg_chars_per_s']:>10.0f} chars/s")
    verdict = "ok" if result["ratio"] >= TARGET else f"BELOW target {TARGET}"
    print(f"throughput ratio  {result['ratio']:.2f}x bare ({verdict})")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=200, help="number of articles")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per side")
    ap.add_argument("--skip-endpoint", action="store_true",
                    help="skip the SPARQL endpoint bench (bench/bench_endpoint.py)")
    args = ap.parse_args()
    run(args.limit, args.rounds)
    if not args.skip_endpoint:
        from bench import bench_endpoint

        bench_endpoint.main([])


if __name__ == "__main__":
    main()
