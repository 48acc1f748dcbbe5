"""Example queries shipped in `queries/*.rq`, each with a title and description header.

Header format (comment lines at the top of the file):
    # title: Events by type
    # description: How many events of each ACLED sub-event type the graph holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.ontology import PROJECT_ROOT


@dataclass(frozen=True)
class ExampleQuery:
    """One example query file."""

    name: str
    title: str
    description: str
    query: str


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
    return [parse_example(p.stem, p.read_text(encoding="utf-8"))
            for p in sorted(directory.glob("*.rq"))]
