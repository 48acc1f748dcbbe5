"""Dump memory and write speed: `python -m bench.bench_dumps [--articles N]`.

1. Export memory. A synthetic store shaped like ours (per article: an article node,
   mentions, events; entities shared across articles) is dumped by several methods, each in
   a fresh child process so its peak RSS (VmHWM) is its own. Baseline: Oxigraph's
   native N-Quads `Store.dump`. Reported as ratios against that baseline, measured in the
   same run. The old union export (`CONSTRUCT ... GRAPH ?g`) is included for comparison:
   Oxigraph deduplicates CONSTRUCT output in a hash set, so its memory grows with the store.
2. Article writes: `Store.extend` (new graph) against one `DROP; INSERT DATA` SPARQL update
   per article, same quads, same process, alternating rounds, best of each.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from kg.ontology import GRAPH, ID, KGO

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
METHODS = ("native-nquads", "kg-nquads", "kg-turtle-union", "construct-union")


def synthetic_quads(articles: int) -> Iterator[Quad]:
    """~100 quads per article; 10 entity references per article into 500 shared entities."""
    for a in range(articles):
        g = NamedNode(f"{GRAPH}a{a}")
        art = NamedNode(f"{ID}article/a{a}")
        yield Quad(art, RDF_TYPE, NamedNode(KGO + "Article"), g)
        for e in range(10):
            ent = NamedNode(f"{ID}entity/location/place{(a * 7 + e) % 500}")
            yield Quad(ent, RDF_TYPE, NamedNode(KGO + "Location"), g)
            yield Quad(ent, NamedNode(KGO + "mentionedIn"), art, g)
        for m in range(40):
            node = NamedNode(f"{ID}mention/a{a}/{m}")
            yield Quad(node, NamedNode(KGO + "anchorOf"), Literal(f"mention {m} of {a}"), g)
            yield Quad(node, NamedNode(KGO + "sourceArticle"), art, g)
        for v in range(3):
            ev = NamedNode(f"{ID}event/a{a}/{v}")
            yield Quad(ev, RDF_TYPE, NamedNode(KGO + "AirDroneStrike"), g)


def child(path: str, method: str) -> None:
    """Run one export method into /dev/null and print seconds and peak RSS (MiB)."""
    from pyoxigraph import serialize

    from kg.export import export

    store = Store.read_only(path)
    start = time.perf_counter()
    with open("/dev/null", "wb") as out:
        if method == "native-nquads":
            store.dump(out, RdfFormat.N_QUADS)
        elif method == "kg-nquads":
            export(store, out, "nq")
        elif method == "kg-turtle-union":
            export(store, out, "turtle")
        else:
            serialize(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"),
                      out, RdfFormat.N_TRIPLES)
    seconds = time.perf_counter() - start
    print(f"{seconds:.2f} {peak_rss_mib():.0f}")


def peak_rss_mib() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec,
    so a child started from the (large) parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_memory(articles: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "store")
        store = Store(path)
        store.bulk_extend(synthetic_quads(articles))
        store.flush()
        size = len(store)
        del store
        print(f"export of a synthetic store: {articles} articles, {size} quads")
        results = {}
        for method in METHODS:
            out = subprocess.run([sys.executable, "-m", "bench.bench_dumps", "--child", path,
                                  method], capture_output=True, text=True, check=True)
            seconds, rss = map(float, out.stdout.split())
            results[method] = (seconds, rss)
        base_s, base_rss = results["native-nquads"]
        for method, (seconds, rss) in results.items():
            print(f"  {method:<18} {seconds:7.1f} s ({seconds / base_s:4.1f}x)  "
                  f"peak RSS {rss:6.0f} MiB ({rss / base_rss:4.2f}x)")


def write_speed(articles: int, rounds: int = 3) -> None:
    from kg.store import _insert_data

    per_article: list[list[Quad]] = [[] for _ in range(articles)]
    for q in synthetic_quads(articles):
        per_article[int(q.graph_name.value.rsplit("a", 1)[1])].append(q)
    best = {"extend": float("inf"), "sparql-update": float("inf")}
    for _ in range(rounds):
        for method in best:
            store = Store()
            start = time.perf_counter()
            for quads in per_article:
                if method == "extend":
                    store.extend(quads)
                else:
                    store.update(_insert_data(quads[0].graph_name.value, quads))
            best[method] = min(best[method], time.perf_counter() - start)
    print(f"article writes ({articles} graphs of ~100 quads), best of {rounds}:")
    for method, seconds in best.items():
        print(f"  {method:<14} {articles / seconds:8.0f} articles/s "
              f"({seconds / best['extend']:.1f}x the time of extend)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    export_memory(args.articles)
    write_speed(min(args.articles, 2000))


if __name__ == "__main__":
    main()
