"""Ingest: read -> extract -> map -> store, one article graph at a time.

Atomic: each article graph is written in one transaction (`kg.store.replace_graph`), with
the descriptions of its entities added to the shared entities graph in the same transaction,
so a killed run leaves every article either absent, in its old version or in its new one.

Idempotent and resumable: the manifest is the article node inside each article graph (id,
content hash of the text, title, date, source, URL, extractor version), written in the same
transaction as the rest of the graph, so it can never disagree with the data. An article
whose node is already stored exactly is skipped; a changed text, changed metadata or a new
extractor version re-extracts and replaces the graph. An interrupted run is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pyoxigraph import Store

from kg.extract.pipeline import EXTRACTOR, Extractor
from kg.longtext import extract_long
from kg.mapping import extraction_to_quads
from kg.ontology import graph_iri
from kg.read import ArticleError, ReadError, count_records, read_articles
from kg.records import Article, Extraction
from kg.store import has_quads, replace_graph

STORED, UNCHANGED, FAILED = "stored", "unchanged", "failed"


@dataclass
class IngestReport:
    """What one ingest run did; `errors` name file, line, id and reason."""

    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    triples: int = 0
    events: int = 0
    entities: int = 0
    stopped: bool = False  # --strict stopped the run at the first error

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = (f"{len(self.stored)} article(s) stored ({self.triples} triples, "
                f"{self.entities} entities, {self.events} events), "
                f"{len(self.unchanged)} unchanged, {len(self.errors)} failed")
        return text + (" (stopped at the first error: --strict)" if self.stopped else "")


def sample_paths() -> list[Path]:
    """The demo articles shipped with the package (written by the kg team)."""
    base = Path(str(resources.files("kg") / "data" / "samples"))
    return sorted(base.glob("*.jsonl"))


def is_stored(store: Store, article: Article) -> bool:
    """True if this exact article (text, metadata, extractor version) is already stored.

    The expected article node comes from the mapping itself, so the check follows any
    change in what the mapping records about an article.
    """
    node = extraction_to_quads(Extraction(article=article, extractor=EXTRACTOR))
    return has_quads(store, node)


def count_articles(paths: Iterable[str | Path]) -> int:
    """How many records the inputs hold (a cheap first pass, for the progress bar)."""
    return count_records(paths)


def ingest(paths: Iterable[str | Path], store: Store, *, extractor: Extractor,
           date: str | None = None, strict: bool = False, force: bool = False,
           on_article: Callable[[str, str], None] | None = None,
           on_error: Callable[[ReadError], None] | None = None) -> IngestReport:
    """Ingest articles from files into `store`; bad records are reported, not fatal.

    Args:
        paths: article files or directories (.txt, .jsonl, .html, .csv).
        store: an open Oxigraph store.
        extractor: the loaded extraction pipeline.
        date: article date for inputs that carry none.
        strict: stop at the first bad record (the report says `stopped`).
        force: re-extract articles even when they are stored unchanged.
        on_article: called with (article id, "stored" | "unchanged") as each is done.
        on_error: called with each ReadError as it happens (also counts as progress).
    """
    report = IngestReport()

    def error(err: ReadError) -> None:
        report.errors.append(err)
        if on_error:
            on_error(err)
        if strict:
            raise ArticleError(str(err))

    def changed(articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            try:
                stored = not force and is_stored(store, article)
            except ValueError as exc:  # an id the mapping refuses (reserved graph name)
                error(ReadError(article.origin or "?", None, article.id, str(exc)))
                continue
            if stored:
                report.unchanged.append(article.id)
                if on_article:
                    on_article(article.id, UNCHANGED)
                continue
            yield article

    articles = changed(read_articles(paths, date=date, on_error=error))
    try:
        for extraction in extract_long(extractor, articles):
            aid = extraction.article.id
            try:
                quads = extraction_to_quads(extraction)
                replace_graph(store, graph_iri(aid), quads)
            except (ValueError, SyntaxError, OSError) as exc:
                error(ReadError(extraction.article.origin or "?", None, aid,
                                f"not stored: {exc}"))
                continue
            report.stored.append(aid)
            report.triples += len(quads)
            report.events += len(extraction.events)
            report.entities += len(extraction.entities)
            if on_article:
                on_article(aid, STORED)
    except ArticleError:
        if not strict:
            raise
        report.stopped = True
    return report
