"""Reading articles: formats, metadata, and bad input reported with file, line and id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.read import ArticleError, ReadError, html_to_record, read_articles


def _collect(paths, **kw) -> tuple[list, list[ReadError]]:
    errors: list[ReadError] = []
    arts = list(read_articles(paths, on_error=errors.append, **kw))
    return arts, errors


def test_jsonl_with_metadata(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "x1", "title": "T", "date": "2016-05-08", "source": "S",
                             "url": "http://e.org/1", "text": "Rebels shelled Aleppo."}) + "\n")
    (a,), errors = _collect([p])
    assert not errors
    assert (a.id, a.title, a.date, a.source, a.url) == ("x1", "T", "2016-05-08", "S",
                                                        "http://e.org/1")


def test_txt_uses_stem_and_date(tmp_path: Path) -> None:
    p = tmp_path / "report-1.txt"
    p.write_text("Clashes in Idlib.")
    (a,), _ = _collect([p], date="2020-01-02")
    assert a.id == "report-1" and a.date == "2020-01-02" and a.text == "Clashes in Idlib."


def test_html_visible_text_and_meta() -> None:
    rec = html_to_record('<html><head><title>X</title><meta property="article:published_time" '
                         'content="2019-04-20T10:00"><script>var a=1;</script></head><body>'
                         '<p>Shelling hit Tripoli.</p><p>Two died.</p></body></html>')
    assert rec["date"] == "2019-04-20" and rec["title"] == "X"
    assert rec["text"] == "Shelling hit Tripoli.\nTwo died."


def test_directory_is_recursive(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("Text b.")
    (tmp_path / "a.txt").write_text("Text a.")
    (tmp_path / "ignore.bin").write_bytes(b"\x00\x01")
    arts, errors = _collect([tmp_path])
    assert [a.id for a in arts] == ["a", "b"] and not errors


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"id": "n1", "date": "2016-01-01"}), "no text"),
        (json.dumps({"id": "n2", "text": "   "}), "empty"),
        (json.dumps({"id": "n3", "text": "x", "date": "2016-02-30"}), "invalid date"),
        (json.dumps({"text": "no id"}), "no id"),
        (json.dumps([1, 2]), "not a JSON object"),
    ],
)
def test_bad_jsonl_line_is_reported_and_others_continue(tmp_path: Path, line: str,
                                                         reason: str) -> None:
    p = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "ok", "text": "Fighting in Homs."})
    p.write_text(good + "\n" + line + "\n" + good.replace('"ok"', '"ok2"') + "\n")
    arts, errors = _collect([p])
    assert [a.id for a in arts] == ["ok", "ok2"]
    assert len(errors) == 1 and errors[0].line == 2 and reason in errors[0].reason
    assert str(p) in str(errors[0])


def test_invalid_utf8_and_binary(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 attack")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x00\x00binary")
    arts, errors = _collect([tmp_path])
    assert arts == []
    reasons = sorted(e.reason for e in errors)
    assert "binary" in reasons[0] and "UTF-8" in reasons[1]


def test_missing_file_raises() -> None:
    with pytest.raises(FileNotFoundError):
        list(read_articles(["/nonexistent/file.jsonl"]))


def test_errors_raise_without_handler(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text("{oops\n")
    with pytest.raises(ArticleError, match=r"x\.jsonl:1"):
        list(read_articles([p]))
