"""The store's hooks inside Whoosh (``indexer.store.writer.whoosh_hooks``) against the
installed Whoosh: a Whoosh release that renames what they reach fails here."""
from __future__ import annotations

import multiprocessing

import pytest
from whoosh import fields, index

from indexer.store.writer import whoosh_hooks


@pytest.fixture
def ix(tmp_path):
    return index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True), content=fields.TEXT))


def test_field_lengths_are_read_and_set_where_whoosh_keeps_them(ix):
    writer = ix.writer()
    writer.add_document(id="a", content="one two three")
    assert whoosh_hooks.field_length_total(writer, "content") == 3
    whoosh_hooks.set_field_length_total(writer, "content", 5)
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.reader().field_length("content") == 5
        segment = ix._segments()[0]                      # noqa: SLF001  (the test looks at what the hook reads)
        assert whoosh_hooks.segment_field_length(segment, "content") == 5
        assert whoosh_hooks.segment_field_length(segment, "no such field") == 0


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="Whoosh's workers are forked")
def test_workers_start_before_the_first_document(ix):
    writer = ix.writer(procs=2, multisegment=True)
    try:
        whoosh_hooks.start_workers(writer, 2)
        assert len(writer.tasks) == 2 and all(task.is_alive() for task in writer.tasks)
    finally:
        # cancel() leaves the forked workers waiting for jobs (a test run would
        # never exit): they are ended here, as a failed build's abort does.
        for task in writer.tasks:
            task.terminate()
            task.join(5)
        writer.cancel()
    assert not any(task.is_alive() for task in writer.tasks)


def test_the_private_methods_the_writer_speedups_replace_are_there():
    """Each speed-up replaces a Whoosh method by name and calls others: a release
    that renames or reshapes one must fail here, not write a different index."""
    import inspect

    from whoosh.codec import whoosh3
    from whoosh.codec.base import FieldWriter
    from whoosh.writing import PostingPool

    import indexer.store.writer.documents  # noqa: F401  (applies the speed-ups)

    assert all(callable(getattr(PostingPool, name, None))
               for name in ("_write_run", "_read_run", "_open_run", "_remove_run"))
    assert PostingPool._fazhi_chunked and FieldWriter._fazhi_lengths_once            # noqa: SLF001
    assert list(inspect.signature(FieldWriter._fazhi_add_postings).parameters) == [   # noqa: SLF001
        "self", "schema", "lengths", "items"]
    assert whoosh3.W3PerDocReader._fazhi_patched                                      # noqa: SLF001
    assert list(inspect.signature(whoosh3.W3PerDocReader.doc_field_length).parameters)[:3] == [
        "self", "docnum", "fieldname"]
