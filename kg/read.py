"""Read articles from plain text, JSON Lines, CSV and HTML files (or directories of them).

A malformed record must never cost the rest of a batch: every problem becomes a
`ReadError` naming the file, line and article id, handed to the caller's `on_error`, and
reading goes on with the next record. JSON Lines and CSV files are streamed line by line
and decoded per line, so one line of invalid UTF-8 costs that line only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from kg.records import Article

SUFFIXES = {".txt", ".jsonl", ".html", ".htm", ".csv"}
# Long texts are extracted in chunks (kg.longtext); beyond this it is a data error, not news.
MAX_TEXT_CHARS = 20_000_000
BINARY_PROBE = 8192  # bytes looked at for NUL bytes to tell a binary file


@dataclass(frozen=True)
class ReadError:
    """Why one record could not be read, and where it is."""

    path: str
    line: int | None
    article_id: str | None
    reason: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        who = f" (article {self.article_id})" if self.article_id else ""
        return f"{where}{who}: {self.reason}"


class ArticleError(ValueError):
    """Raised for a record that cannot become an Article."""


def check_date(value: object, *, what: str = "date") -> str | None:
    """Return an ISO date string or None; reject impossible dates such as 2016-02-30."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ArticleError(f"{what} must be a string like 2016-05-08, got {value!r}")
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError as exc:
        raise ArticleError(f"invalid {what} {value!r}: {exc}") from None


def make_article(record: dict, *, origin: str, default_id: str | None = None) -> Article:
    """Validate one JSON record (id, title, date, source, url, text) into an Article."""
    if not isinstance(record, dict):
        raise ArticleError("record is not a JSON object")
    art_id = record.get("id", default_id)
    if art_id is None or str(art_id).strip() == "":
        raise ArticleError("record has no id")
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleError("record has no text")
    if not text.strip():
        raise ArticleError("text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ArticleError(f"text is {len(text)} characters, more than {MAX_TEXT_CHARS}")
    if "\x00" in text:
        raise ArticleError("text contains NUL bytes (binary data?)")
    return Article(
        id=str(art_id).strip(),
        text=text,
        date=check_date(record.get("date")),
        title=record.get("title") or None,
        source=record.get("source") or None,
        url=record.get("url") or None,
        origin=origin,
    )


class _TextExtractor(HTMLParser):
    """Collect visible paragraph text and the <title> of an HTML page."""

    _SKIP: ClassVar[set[str]] = {"script", "style", "nav", "header", "footer", "aside", "noscript"}
    _BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "article",
                                  "section", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            a = dict(attrs)
            name = (a.get("property") or a.get("name") or "").lower()
            if name and a.get("content"):
                self.meta[name] = a["content"] or ""
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_record(html: str) -> dict:
    """Turn an HTML page into a record: visible text, title, date and URL from meta tags."""
    parser = _TextExtractor()
    parser.feed(html)
    raw = "".join(parser.parts).split("\n")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in raw)
    text = "\n".join(line for line in lines if line)
    meta = parser.meta
    date = meta.get("article:published_time") or meta.get("date") or meta.get("pubdate")
    return {
        "title": (meta.get("og:title") or parser.title).strip() or None,
        "date": date[:10] if date else None,
        "url": meta.get("og:url"),
        "source": meta.get("og:site_name"),
        "text": text,
    }


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not valid UTF-8 at byte {exc.start}") from None


def _check_not_binary(path: Path) -> None:
    with path.open("rb") as fh:
        if b"\x00" in fh.read(BINARY_PROBE):
            raise ArticleError("binary file (contains NUL bytes)")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand directories recursively (sorted, for reproducible runs) into article files."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES)
        elif p.exists():
            yield p
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")


def _jsonl_records(path: Path, on_error: Callable[[ReadError], None]
                   ) -> Iterator[tuple[int, dict]]:
    """(line number, record) for each JSON line; bad lines go to `on_error`."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(_decode(raw))
            except ArticleError as exc:
                on_error(ReadError(str(path), lineno, None, str(exc)))
                continue
            except json.JSONDecodeError as exc:
                on_error(ReadError(str(path), lineno, None, f"not valid JSON: {exc.msg}"))
                continue
            yield lineno, record


def _csv_records(path: Path, on_error: Callable[[ReadError], None]
                 ) -> Iterator[tuple[int, dict]]:
    """(line number, record) per CSV row; the header names the fields (id, text, date...)."""
    with path.open("rb") as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.DictReader(text)
        try:
            if reader.fieldnames is None or "text" not in reader.fieldnames:
                on_error(ReadError(str(path), 1, None, "CSV header has no 'text' column"))
                return
            for row in reader:
                yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        except UnicodeDecodeError as exc:
            on_error(ReadError(str(path), reader.line_num + 1, None,
                               f"not valid UTF-8 ({exc.reason}); rest of the file skipped"))
        except csv.Error as exc:
            on_error(ReadError(str(path), reader.line_num, None, f"bad CSV: {exc}"))


def read_file(path: Path, *, date: str | None = None,
              on_error: Callable[[ReadError], None]) -> Iterator[Article]:
    """Yield the articles of one file; report each bad record through `on_error`."""
    suffix = path.suffix.lower()
    try:
        _check_not_binary(path)
    except (ArticleError, OSError) as exc:
        on_error(ReadError(str(path), None, None, str(exc)))
        return
    if suffix in {".jsonl", ".csv"}:
        records = _jsonl_records if suffix == ".jsonl" else _csv_records
        for lineno, record in records(path, on_error):
            art_id = record.get("id") if isinstance(record, dict) else None
            try:
                yield make_article(record, origin=f"{path}:{lineno}")
            except ArticleError as exc:
                on_error(ReadError(str(path), lineno, art_id, str(exc)))
        return
    try:
        content = _decode(path.read_bytes())
        if suffix in {".html", ".htm"}:
            record = html_to_record(content)
            record["date"] = record["date"] or date
        else:
            record = {"text": content, "date": date}
        yield make_article(record, origin=str(path), default_id=path.stem)
    except ArticleError as exc:
        on_error(ReadError(str(path), None, path.stem, str(exc)))
    except OSError as exc:
        on_error(ReadError(str(path), None, path.stem, f"cannot read: {exc}"))


def count_records(paths: Iterable[str | Path]) -> int:
    """Records the inputs hold, by counting lines (JSONL, CSV) and files: for progress bars.

    An estimate for CSV with multi-line quoted fields; never raises on bad content.
    """
    total = 0
    for path in iter_files(paths):
        if path.suffix.lower() not in {".jsonl", ".csv"}:
            total += 1
            continue
        try:
            with path.open("rb") as fh:
                lines = sum(1 for raw in fh if raw.strip())
        except OSError:
            lines = 1
        total += max(lines - (path.suffix.lower() == ".csv"), 0)
    return total


def read_articles(paths: Iterable[str | Path], *, date: str | None = None,
                  on_error: Callable[[ReadError], None] | None = None) -> Iterator[Article]:
    """Yield Articles from files and directories; `date` applies to .txt/.html without one.

    Args:
        paths: files (.txt, .jsonl, .html) or directories searched recursively.
        date: article date (ISO) for inputs that carry none.
        on_error: called with a ReadError for every bad record; by default errors raise.
    """
    date = check_date(date, what="--date")

    def _raise(err: ReadError) -> None:
        raise ArticleError(str(err))

    handler = on_error or _raise
    for path in iter_files(paths):
        yield from read_file(path, date=date, on_error=handler)
