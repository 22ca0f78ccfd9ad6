"""Writing an index: the Whoosh schema and documents, deleted words, the merge policy.

May import the format and the directory, never the reader."""
