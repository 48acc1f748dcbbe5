"""Dumps over HTTP: /export with the parameters of `kg export`, streamed.

GET /export?format=nq&since=2016-01-01&until=2016-12-31&event_class=AirDroneStrike
    &article=ID&graph=IRI&construct=QUERY&gzip=1
GET /export/events?format=csv|tsv|jsonl    every event as one table row (`kg events`)

The dump is produced by `kg.export.export` in a worker thread that writes into a small
bounded queue the response body reads from, so the server holds a few chunks, not the dump.
A client that goes away stops the worker at its next write. With gzip=1 the body is a
.gz file (application/gzip), like `kg export -o dump.nq.gz`. The licence in the
description comes from $KG_LICENSE.
"""

from __future__ import annotations

import gzip
import os
import queue
import threading
from collections.abc import Iterator

from flask import Blueprint, Response, request

from kg.event_table import FORMATS, table_text
from kg.export import ExportError, check_selection, export, make_selection, rdf_format
from kg.serve import get_store
from kg.serve.sparql import BadRequest

bp = Blueprint("export", __name__)
CHUNK = 64 * 1024
_SUFFIX = {"text/turtle": "ttl", "application/n-triples": "nt", "application/n-quads": "nq",
           "application/trig": "trig", "application/ld+json": "jsonld",
           "application/rdf+xml": "rdf"}


class _Closed(Exception):
    """The client stopped reading."""


class _QueueWriter:
    """A binary file object whose writes go, in chunks, into a bounded queue."""

    def __init__(self, q: queue.Queue[bytes | BaseException | None]) -> None:
        self.q, self.buf, self.closed_by_client = q, bytearray(), threading.Event()

    def write(self, data: bytes) -> int:
        if self.closed_by_client.is_set():
            raise _Closed
        self.buf += data
        if len(self.buf) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buf:
            while not self.closed_by_client.is_set():
                try:
                    self.q.put(bytes(self.buf), timeout=0.5)
                    break
                except queue.Full:
                    continue
            self.buf.clear()


def _stream(run, writer: _QueueWriter, q: queue.Queue) -> Iterator[bytes]:
    def work() -> None:
        try:
            run()
            writer.flush()
            q.put(None)
        except _Closed:
            pass
        except BaseException as exc:
            q.put(exc)

    threading.Thread(target=work, daemon=True, name="kg-export").start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        writer.closed_by_client.set()


@bp.route("/export")
def export_dump() -> Response:
    """The whole store, or a selection, in the requested RDF format (streamed)."""
    args = request.args
    fmt = args.get("format", "turtle")
    try:
        media = rdf_format(fmt).media_type
        selection = make_selection(
            graphs=args.getlist("graph"), articles=args.getlist("article"),
            since=args.get("since"), until=args.get("until"),
            event_classes=args.getlist("event_class"), construct=args.get("construct"))
        store = get_store()
        check_selection(store, selection)  # a bad query or graph is a 400, not a cut stream
    except ExportError as exc:
        raise BadRequest(str(exc)) from None
    gz = args.get("gzip", "").lower() in {"1", "true", "yes"}
    license_ = os.environ.get("KG_LICENSE", "")
    q: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    writer = _QueueWriter(q)

    def run() -> None:
        if gz:
            with gzip.GzipFile(fileobj=writer, mode="wb") as out:  # type: ignore[arg-type]
                export(store, out, fmt, selection=selection, license=license_)
        else:
            export(store, writer, fmt, selection=selection, license=license_)  # type: ignore[arg-type]

    name = f"kg-dump.{_SUFFIX.get(media, 'rdf')}" + (".gz" if gz else "")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(_stream(run, writer, q), headers=headers,
                    mimetype="application/gzip" if gz else media)



_TABLE_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values",
                "jsonl": "application/jsonl"}


@bp.route("/export/events")
def events_table() -> Response:
    """The event table of `kg events`, as a download."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        raise BadRequest(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS)}")
    return Response(table_text(get_store()), mimetype=_TABLE_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="events.{fmt}"'})
