"""fazhi-search indexer: read → clean → structure → analyze → index → search."""

__version__ = "0.1.0"

from pathlib import Path as _Path

# Where built indexes live unless told otherwise: ``index/`` in the project.
DEFAULT_INDEX = _Path(__file__).resolve().parents[1] / "index"
