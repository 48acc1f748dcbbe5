"""Example queries shipped in `queries/*.rq`, each with a title and description header.

Header format (comment lines at the top of the file):
    # title: Events by type
    # description: How many events of each ACLED sub-event type the graph holds.

An example written for speed (Oxigraph's planner steered with sub-SELECTs) keeps its readable
form in `queries/plain/` under the same file name: the tests check that both give the same
rows, and the endpoint benchmark times rdflib on both, so neither form is taken on trust.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from kg.ontology import PROJECT_ROOT


@dataclass(frozen=True)
class ExampleQuery:
    """One example query file."""

    name: str
    title: str
    description: str
    query: str
    plain: str | None = None  # the readable form with the same rows, when `query` is tuned


def queries_dir() -> Path:
    """The project's `queries/` folder (the package is installed editable from the repo)."""
    return PROJECT_ROOT / "queries"


def parse_example(name: str, text: str) -> ExampleQuery:
    """Read the `# title:` / `# description:` header of a query file."""
    meta: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        if sep and key.strip().lower() in {"title", "description"}:
            meta[key.strip().lower()] = value.strip()
    return ExampleQuery(name, meta.get("title", name), meta.get("description", ""), text)


def load_examples(directory: Path | None = None) -> list[ExampleQuery]:
    """All example queries, sorted by file name."""
    directory = directory or queries_dir()
    examples = []
    for path in sorted(directory.glob("*.rq")):
        example = parse_example(path.stem, path.read_text(encoding="utf-8"))
        plain = directory / "plain" / path.name
        if plain.exists():
            example = replace(example, plain=plain.read_text(encoding="utf-8"))
        examples.append(example)
    return examples
