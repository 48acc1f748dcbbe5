"""Cost of offline linking and of loading its data: `python -m bench.bench_link [--limit N]`.

Why: linking runs on every extracted article and the gazetteer/index load on every process
start; both once cost more than all our spaCy components together. Figures are ratios
against bare `nlp.pipe` over the same texts, measured in this process (as in bench.run):
the share of a bare spaCy pass that linking adds. Linking is timed on a fresh index (empty
name memo, as in a new process) and again on the warm one; start-up is timed with the
disk cache disabled and from a warm cache in a temporary directory.
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from bench.run import corpus
from kg.extract.pipeline import build_nlp, doc_to_extraction, resolve_model
from kg.gazetteer import CACHE_ENV, cached_build, data_paths, load_gazetteer
from kg.link.index import CandidateIndex, name_keys
from kg.link.linker import Linker


def _cpu(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def run(limit: int = 100) -> dict[str, float]:
    """Measure start-up and per-article linking; returns the figures printed."""
    articles, source = corpus(limit)
    texts = [a.text for a in articles]
    model = resolve_model()
    bare = spacy.load(model)
    list(bare.pipe(texts[:5]))
    bare_s = _cpu(lambda: list(bare.pipe(texts)))
    nlp = build_nlp(model)
    gaz = load_gazetteer()
    pre = [doc_to_extraction(doc, a, gaz)
           for doc, a in nlp.pipe(((a.text, a) for a in articles), as_tuples=True)]

    cold_s = _cpu(lambda: name_keys(load_gazetteer()))
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get(CACHE_ENV)
        os.environ[CACHE_ENV] = tmp
        try:
            inputs = data_paths()

            def load() -> None:
                g = cached_build("gazetteer", inputs, load_gazetteer)
                cached_build("name-keys", (*inputs, Path(__file__)), lambda: name_keys(g))

            load()  # fills the cache
            warm_s = _cpu(load)
        finally:
            if old is None:
                os.environ.pop(CACHE_ENV)
            else:
                os.environ[CACHE_ENV] = old

    linker = Linker(gaz)
    linker.index = CandidateIndex(gaz)  # fresh: nothing memoised yet
    work = copy.deepcopy(pre)
    first_s = _cpu(lambda: [linker.link(ex) for ex in work])
    work = copy.deepcopy(pre)
    again_s = _cpu(lambda: [linker.link(ex) for ex in work])
    n = len(articles)
    result = {"articles": n, "bare_ms_per_article": 1000 * bare_s / n,
              "link_ms_per_article_first": 1000 * first_s / n,
              "link_ms_per_article_warm": 1000 * again_s / n,
              "link_share_of_bare_first": first_s / bare_s,
              "link_share_of_bare_warm": again_s / bare_s,
              "startup_cold_s": cold_s, "startup_cached_s": warm_s}
    print(f"corpus: {source} ({n} articles), model {model}; CPU seconds")
    print(f"bare nlp.pipe            {result['bare_ms_per_article']:8.1f} ms/article")
    print(f"linking, fresh index     {result['link_ms_per_article_first']:8.1f} ms/article "
          f"({result['link_share_of_bare_first']:.1%} of bare)")
    print(f"linking, warm index      {result['link_ms_per_article_warm']:8.1f} ms/article "
          f"({result['link_share_of_bare_warm']:.1%} of bare)")
    print(f"gazetteer + name keys    {cold_s:8.2f} s built, {warm_s:.2f} s from the disk cache")
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=100, help="number of articles")
    args = ap.parse_args(argv)
    run(args.limit)


if __name__ == "__main__":
    main()
