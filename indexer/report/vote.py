"""Choosing an issuer among the candidates a page's sources give.

Each source (the 发布机构 line, the title, an issuer line, the signature, the
opening's subject, a sentence naming the report …) proposes a name; short forms
are completed from the page (``complete``).  The name most independent sources
agree on wins; among equals, a name printed in full beats a completed one, then
the stronger source, then the earlier.  A candidate agrees with a name that ends
with it (``清波街道办事处`` with ``杭州市上城区清波街道办事处``) or that is a joint
issuer naming it (``X区人民政府`` with ``中共X区委员会、X区人民政府``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .complete import complete_issuer

# How much a source says about the issuer when it stands alone.
STRONG, PLAIN, WEAK = 3, 2, 1


@dataclass
class Candidate:
    """A proposed issuer: the name, the source proposing it, how strong that source is, and whether it was completed."""
    value: str
    source: str
    strength: int = PLAIN
    completed: bool = False


def gather(proposals: list[tuple[str, str, int]], text: str) -> list[Candidate]:
    """Candidates from (name, source, strength), each completed from ``text``."""
    out = []
    for value, source, strength in proposals:
        if not value:
            continue
        full = complete_issuer(value, text)
        out.append(Candidate(full, source + (" (completed)" if full != value else ""), strength, full != value))
    return out


def agrees(candidate: str, name: str) -> bool:
    """True when ``candidate`` is ``name``, the end of it, or one of the joint issuers it lists."""
    if candidate == name:
        return True
    if "、" in name and "、" not in candidate:
        return any(part == candidate or (len(candidate) >= 4 and part.endswith(candidate)) for part in name.split("、"))
    return len(candidate) >= 4 and name.endswith(candidate) and "、" not in name


def choose(candidates: list[Candidate]) -> tuple[str, str, list[str]]:
    """(name, its source, the other sources agreeing with it); empty when none."""
    if not candidates:
        return "", "", []
    scored = []
    for order, candidate in enumerate(candidates):
        support = {c.source for c in candidates if agrees(c.value, candidate.value)}
        # A name printed in full anywhere counts as printed, whoever completed it.
        printed = any(c.value == candidate.value and not c.completed for c in candidates)
        scored.append(((len(support), printed, candidate.strength, -order), candidate, support))
    _key, best, support = max(scored, key=lambda item: item[0])
    return best.value, best.source, sorted(support - {best.source})
