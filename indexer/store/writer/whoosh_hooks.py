"""The few places the store reaches inside Whoosh 2.7, where it has no public hook.

Each is wrapped here, once, and ``tests/test_whoosh_hooks.py`` checks them
against the installed Whoosh: a release that renames or drops one fails that
test instead of a build.  Everything else uses Whoosh's public API.
"""
from __future__ import annotations

import itertools
import marshal

_RUN_CHUNK = 8_192  # postings per marshal record of a spilled run


def start_workers(writer, procs: int) -> None:
    """Fork a multiprocessing writer's ``procs`` workers now.  Whoosh forks them
    at its first batch of documents, after the reports are read: forked early,
    they are small copies of the process."""
    for _ in range(procs):
        writer._new_task()                                   # noqa: SLF001


def field_length_total(writer, field: str) -> int:
    """The total length of ``field`` the writer will record for its new segment."""
    return writer.perdocwriter._fieldlengths[field]           # noqa: SLF001


def set_field_length_total(writer, field: str, total: int) -> None:
    """Record ``total`` as the writer's total length of ``field`` (a merge copies
    each document's length quantized to one byte; the exact total is known)."""
    writer.perdocwriter._fieldlengths[field] = total          # noqa: SLF001


def segment_field_length(segment, field: str) -> int:
    """A segment's recorded total length of ``field`` (0 when it has none)."""
    return getattr(segment, "_fieldlengths", {}).get(field, 0)   # noqa: SLF001


# The writer's speed-ups: each replaces one of Whoosh's private methods with one
# that writes the same index, applied once, at import of the module that needs it.

def spill_runs_in_chunks() -> None:
    """Whoosh's posting pool spills its sorted runs with one ``pickle.dump``
    per posting and reads them back with one ``pickle.load`` each: with words,
    every posting of a large build goes through both, a sixth of the Whoosh
    writer's time.  Written as lists of postings with ``marshal`` instead, the
    same postings in the same order, at a fraction of the cost (Whoosh's own
    comment names marshal as the intended format; a Python 3.2 bug kept it off)."""
    from whoosh.writing import PostingPool

    if getattr(PostingPool, "_fazhi_chunked", False):
        return

    def write_run(self, f, items):
        items = iter(items)
        while chunk := list(itertools.islice(items, _RUN_CHUNK)):
            data = marshal.dumps(chunk)
            f.write(len(data).to_bytes(8, "little") + data)
        f.close()

    def read_run(self, path):
        f = self._open_run(path)
        try:
            # Length-prefixed records read whole: ``marshal.load`` on a file
            # reads it a few bytes at a time.
            while size := f.read(8):
                yield from marshal.loads(f.read(int.from_bytes(size, "little")))
        finally:
            f.close()
            self._remove_run(path)

    PostingPool._write_run, PostingPool._read_run = write_run, read_run
    PostingPool._fazhi_chunked = True



class _LengthsReadOnce:
    """A segment's per-document reader whose field lengths are read whole, once
    per field, the first time the postings writer asks for one."""

    def __init__(self, lengths):
        self._lengths, self._by_field = lengths, {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        found = self._by_field.get(fieldname)
        if found is None:
            ask = self._lengths.doc_field_length
            found = self._by_field[fieldname] = [ask(doc, fieldname) for doc in range(self._lengths.doc_count_all())]
        return found[docnum] if docnum < len(found) else default

    def __getattr__(self, name):
        return getattr(self._lengths, name)


def read_lengths_once() -> None:
    """Whoosh's postings writer asks the new segment's length column for the
    document of every posting it writes (a column read each: a sixth of the
    words writer's time); asked per document instead, once per field, the
    same lengths come from a list (``tests/test_build_speed.py`` compares)."""
    from whoosh.codec.base import FieldWriter

    if getattr(FieldWriter, "_fazhi_lengths_once", False):
        return
    add_postings = FieldWriter.add_postings

    def add_postings_lengths_once(self, schema, lengths, items):
        return add_postings(self, schema, _LengthsReadOnce(lengths) if lengths else lengths, items)

    FieldWriter.add_postings = add_postings_lengths_once
    FieldWriter._fazhi_lengths_once = True
    FieldWriter._fazhi_add_postings = add_postings      # Whoosh's own, for the test that compares


def cache_missing_columns() -> None:
    """Whoosh 2.7 looks up a field's length column once per posting while
    writing, and when a field has none (ID fields) it asks the file system every
    time, uncached: a third of a build's commit went to ``stat``.  Remember the
    miss."""
    from whoosh.codec import whoosh3

    reader_class = whoosh3.W3PerDocReader
    if getattr(reader_class, "_fazhi_patched", False):
        return
    original = reader_class._cached_reader

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_fazhi_missing", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    reader_class._cached_reader = cached_reader
    reader_class._fazhi_patched = True
