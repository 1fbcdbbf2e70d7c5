"""Rows for several tables made in one pass over a source, kept on disk until each table is loaded.

A source that holds several tables in one nested file (a CIN census XML) is read once; the rows of
the tables that load later wait in compressed Arrow files in a temporary folder, each read back
once and then deleted, so neither the file nor its rows have to fit in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa


class BatchSpool:
    """Arrow record batches by name, written to temporary files and read back once each."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="los-spool-")
        self._writers: dict[str, pa.ipc.RecordBatchStreamWriter] = {}
        self._sinks: dict[str, pa.OSFile] = {}
        self._paths: dict[str, Path] = {}

    def write(self, name: str, batch: pa.RecordBatch) -> None:
        if name not in self._writers:
            path = Path(self._folder.name) / f"{len(self._paths)}.arrows"
            self._paths[name] = path
            self._sinks[name] = pa.OSFile(str(path), "wb")
            options = pa.ipc.IpcWriteOptions(compression="zstd")
            self._writers[name] = pa.ipc.new_stream(self._sinks[name], batch.schema, options=options)
        self._writers[name].write_batch(batch)

    def finish(self) -> None:
        """Close every file: after this the batches can be read."""
        for name, writer in self._writers.items():
            writer.close()
            self._sinks[name].close()
        self._writers.clear()
        self._sinks.clear()

    def holds(self, name: str) -> bool:
        return name in self._paths

    def read_once(self, name: str) -> Iterator[pa.RecordBatch]:
        """The batches written under `name`, then the file is deleted."""
        path = self._paths.pop(name)
        try:
            with pa.OSFile(str(path), "rb") as source:
                yield from pa.ipc.open_stream(source)
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self.finish()
        self._paths.clear()
        self._folder.cleanup()
