"""The index directory: generations swapped in atomically, locks, ``meta.json``.

May import the format only."""
