"""Run SPARQL against the store and format results for the terminal (`kg query`)."""

from __future__ import annotations

import json

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

from kg.ontology import PREFIXES

Result = QuerySolutions | QueryBoolean | QueryTriples


class QueryError(ValueError):
    """The query does not parse or cannot be evaluated."""


def run_query(store: Store, query: str) -> Result:
    """Evaluate with the union of article graphs as default graph and our prefixes known."""
    try:
        return store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (ValueError, OSError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def _table(result: QuerySolutions) -> str:
    names = [v.value for v in result.variables]
    rows = [["" if row[n] is None else row[n].value for n in names] for row in result]
    widths = [max([len(n), *(min(len(r[i]), 60) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(v[:60].ljust(w) for v, w in zip(r, widths, strict=True)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def format_result(result: Result, fmt: str) -> str:
    """Render a result as table, json, csv (SELECT/ASK) or ttl (CONSTRUCT/DESCRIBE)."""
    if isinstance(result, QueryBoolean):
        return json.dumps({"boolean": bool(result)}) + "\n" if fmt == "json" \
            else f"{bool(result)}\n"
    if isinstance(result, QueryTriples):
        return serialize(result, format=RdfFormat.TURTLE, prefixes=PREFIXES).decode()
    if fmt == "json":
        return result.serialize(format=QueryResultsFormat.JSON).decode() + "\n"
    if fmt == "csv":
        return result.serialize(format=QueryResultsFormat.CSV).decode()
    if fmt == "ttl":
        raise QueryError("--format ttl needs a CONSTRUCT or DESCRIBE query")
    return _table(result)
