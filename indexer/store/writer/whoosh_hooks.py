"""The few places the store reaches inside Whoosh 2.7, where it has no public hook.

Each is wrapped here, once, and ``tests/test_whoosh_hooks.py`` checks them
against the installed Whoosh: a release that renames or drops one fails that
test instead of a build.  Everything else uses Whoosh's public API.
"""
from __future__ import annotations


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
