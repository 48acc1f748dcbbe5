"""An in-memory copy of the on-disk store, for `kg serve --in-memory`.

Why: on disk every triple pattern joined to a row is a RocksDB lookup (~4-5 us) plus the
decoding of its terms, which dominates small join-heavy queries (example 05 at 1M quads:
23-31 ms on disk, 10-15 ms on pyoxigraph's in-memory store). Peers offer the same trade
(Fuseki `--mem`, `oxigraph serve` without `--location`).

How: the server dumps one read-only snapshot of the store as N-Quads into an unnamed
temporary file, once; every query worker parses that file into its own in-memory Store.
Measured at 1M quads: the dump takes ~8 s (reading the store back decodes every term),
parsing it ~4.5 s, while loading a worker straight from the disk store (`bulk_extend`)
takes ~10.5 s. So the dump is paid once at start, a worker replaced after a timeout only
parses, and all workers serve the same snapshot. The file has no name (`TemporaryFile`), so
the operating system frees it when the last process holding it exits, even after SIGKILL;
it lives in TMPDIR (~240 bytes per quad; put TMPDIR on disk if /tmp is a RAM disk).
"""

from __future__ import annotations

import io
import os
import tempfile
from typing import IO

from pyoxigraph import RdfFormat, Store

READ_BUFFER = 1 << 20


def dump_snapshot(store: Store) -> IO[bytes]:
    """The store's quads as N-Quads in an unnamed temporary file (keep it open to keep it)."""
    out = tempfile.TemporaryFile(prefix="kg-snapshot-")  # noqa: SIM115 - the caller's now
    try:
        store.dump(out, format=RdfFormat.N_QUADS)
        out.flush()
    except BaseException:
        out.close()
        raise
    return out


class _PositionalReader(io.RawIOBase):
    """Reads an inherited descriptor from its start with pread.

    Workers inherit the same open file, whose offset is shared between processes; pread
    leaves it alone, so workers loading at the same time do not steal each other's bytes.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = os.preadv(self.fd, [buffer], self.pos)
        self.pos += n
        return n


def load_snapshot(fd: int) -> Store:
    """A new in-memory Store holding the snapshot dumped into file descriptor `fd`."""
    store = Store()
    reader = io.BufferedReader(_PositionalReader(fd), READ_BUFFER)
    # lenient: the file is our own dump of a valid store, so IRI and literal checks are
    # skipped (~10% of the parse time)
    store.bulk_load(reader, format=RdfFormat.N_QUADS, lenient=True)
    return store
