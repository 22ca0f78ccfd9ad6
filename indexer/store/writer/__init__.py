"""Writing an index: a generation written from the reports a build hands in
(``generation_writer``), an update's plan, merges and near-identical pairs
(``update``), the Whoosh schema and documents, deleted words, the merge policy.

May import the format, the directory and the reader (an update plans against the
serving generation; a merge reads segments); never ``indexer.read`` or
``indexer.report``."""
