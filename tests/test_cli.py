"""The CLI through click's runner: commands, messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    result = CliRunner().invoke(main, ["ingest", "--samples", "--store", str(store), "-q"])
    assert result.exit_code == 0, result.output
    assert "20 article(s) stored" in result.output
    return store


def test_extract_json(tmp_path: Path) -> None:
    src = tmp_path / "r.txt"
    src.write_text("Rebels shelled government positions in Hama on Monday.")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(src), "--date", "2020-01-08", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rec = json.loads(out.read_text())
    assert rec["article_id"] == "r" and rec["events"][0]["date"] == "2020-01-06"


def test_query_formats(ingested: Path) -> None:
    runner = CliRunner()
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?e a kgo:Article }"
    table = runner.invoke(main, ["query", q, "--store", str(ingested)])
    assert table.exit_code == 0 and "(1 row)" in table.output and "20" in table.output
    csv = runner.invoke(main, ["query", q, "--store", str(ingested), "--format", "csv"])
    assert csv.output.splitlines() == ["n", "20"]


def test_stats(ingested: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(ingested)])
    assert result.exit_code == 0 and "articles  20" in result.output


def test_export_turtle(ingested: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.ttl"
    result = CliRunner().invoke(main, ["export", "--store", str(ingested), "-o", str(out)])
    assert result.exit_code == 0 and "@prefix kgo:" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "SELEC x"], "syntax error"),
        (["query"], "exactly one"),
        (["extract", "/no/such/file.jsonl"], "no such file"),
        (["ingest"], "--samples"),
        (["export", "--format", "bogus"], "bogus"),
        (["extract", "x.txt", "--date", "2016-02-30"], "invalid --date"),
    ],
)
def test_clear_errors_and_nonzero_exit(ingested: Path, args: list[str], message: str,
                                       tmp_path: Path) -> None:
    if args[0] in {"query", "export"}:
        args = [*args, "--store", str(ingested)]
    if args[-1] == "2016-02-30":
        (tmp_path / "x.txt").write_text("x")
        args[1] = str(tmp_path / "x.txt")
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert message.lower() in result.output.lower()
    assert "Traceback" not in result.output


def test_unreadable_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "no store" in result.output


def test_extract_long_article_in_chunks(tmp_path: Path) -> None:
    """Regression: `kg extract` went straight to spaCy and failed past nlp.max_length;
    it now shares ingest's chunking, and offsets point into the whole text."""
    from kg.longtext import CHUNK_CHARS

    para = "Rebels shelled government positions in Hama on Monday, killing two soldiers.\n\n"
    text = para * (CHUNK_CHARS // len(para) + 5)
    src = tmp_path / "long.txt"
    src.write_text(text)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(src), "--date", "2020-01-08", "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    rec = json.loads(out.read_text())
    starts = [m["start"] for e in rec["entities"] for m in e["mentions"]]
    assert max(starts) > CHUNK_CHARS
    for e in rec["entities"]:
        for m in e["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]


@pytest.mark.parametrize(("days", "events"), [(None, 1), ("0", 2)])
def test_background_days_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              days: str | None, events: int) -> None:
    """KG_BACKGROUND_DAYS=0 keeps the 2012 massacre a 2016 report recalls."""
    if days is not None:
        monkeypatch.setenv("KG_BACKGROUND_DAYS", days)
    src = tmp_path / "r.txt"
    src.write_text("Gunmen killed 108 people in the Houla massacre on May 25 2012. Air strikes "
                   "hit the town of Kafr Nabl on Tuesday, killing four civilians.")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(src), "--date", "2016-11-30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["events"]) == events
