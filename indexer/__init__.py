"""fazhi-search indexer: read → clean → structure → analyze → index → search."""

__version__ = "0.1.0"
