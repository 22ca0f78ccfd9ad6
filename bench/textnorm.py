"""The matching rule the ground truth uses: the engine's own, one definition.

A phrase "matches" a passage when ``norm(phrase) in norm(passage text)``; that is
what the substring scan computes and what every peer is compared against.
``norm`` is ``indexer.analysis.normalize`` (width, script, case and whitespace
folded), so the truth is the rule the index promises, not a second copy of it.
"""
from __future__ import annotations

from indexer.api import normalize as norm
from indexer.api import to_simplified

__all__ = ["is_traditional", "norm"]


def is_traditional(text: str) -> bool:
    """True when converting to Simplified script changes the text."""
    return to_simplified(text) != text
