"""The index directory: generations swapped in atomically, readers' locks and
the one writer's ``write.lock`` (``lock``), ``meta.json``.

May import the format only."""
