"""Ingest: read -> extract -> map -> store, one article graph at a time.

Each article is written whole or not at all (`kg.store.replace_graph`), and the stored
content hash is the manifest: re-running an ingest skips unchanged articles and replaces
changed ones, so an interrupted run is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pyoxigraph import Store

from kg.extract.pipeline import Extractor
from kg.mapping import content_hash, extraction_to_quads
from kg.ontology import graph_iri
from kg.read import ArticleError, ReadError, read_articles
from kg.records import Article
from kg.store import replace_graph, stored_hash


@dataclass
class IngestReport:
    """What one ingest run did; `errors` name file, line, id and reason."""

    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    triples: int = 0
    events: int = 0
    entities: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (f"{len(self.stored)} article(s) stored ({self.triples} triples, "
                f"{self.entities} entities, {self.events} events), "
                f"{len(self.unchanged)} unchanged, {len(self.errors)} failed")


def sample_paths() -> list[Path]:
    """The demo articles shipped with the package (written by the kg team)."""
    base = Path(str(resources.files("kg") / "data" / "samples"))
    return sorted(base.glob("*.jsonl"))


def _changed(articles: Iterable[Article], store: Store, report: IngestReport,
             force: bool) -> Iterator[Article]:
    for article in articles:
        if not force and stored_hash(store, article.id) == content_hash(article.text):
            report.unchanged.append(article.id)
            continue
        yield article


def ingest(paths: Iterable[str | Path], store: Store, *, extractor: Extractor,
           date: str | None = None, strict: bool = False, force: bool = False,
           on_article: Callable[[str], None] | None = None,
           on_error: Callable[[ReadError], None] | None = None) -> IngestReport:
    """Ingest articles from files into `store`; bad records are reported, not fatal.

    Args:
        paths: article files or directories (.txt, .jsonl, .html).
        store: an open Oxigraph store.
        extractor: the loaded extraction pipeline.
        date: article date for inputs that carry none.
        strict: stop at the first bad record (raise ArticleError).
        force: re-extract articles even when their content hash is unchanged.
        on_article: called with each article id once it is stored or skipped (progress).
        on_error: called with each ReadError as it happens.
    """
    report = IngestReport()

    def error(err: ReadError) -> None:
        report.errors.append(err)
        if on_error:
            on_error(err)
        if strict:
            raise ArticleError(str(err))

    articles = _changed(read_articles(paths, date=date, on_error=error), store, report, force)
    for extraction in extractor.extract(articles):
        aid = extraction.article.id
        try:
            quads = extraction_to_quads(extraction)
            replace_graph(store, graph_iri(aid), quads)
        except (ValueError, SyntaxError, OSError) as exc:
            error(ReadError(extraction.article.origin or "?", None, aid, f"not stored: {exc}"))
            continue
        report.stored.append(aid)
        report.triples += len(quads)
        report.events += len(extraction.events)
        report.entities += len(extraction.entities)
        if on_article:
            on_article(aid)
    for aid in report.unchanged:
        if on_article:
            on_article(aid)
    return report
