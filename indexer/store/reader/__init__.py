"""Reading an index: a generation (no Whoosh), its segments in global order, reused reports.

May import the format and the directory, never the writer."""
