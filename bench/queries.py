"""The fixed query mix: seeded, every query different, the same for every size.

About a fifth single words (jieba words, common and rare), half quoted phrases of
1–6 characters (common and rare, cut from the real paragraphs), the rest
multi-word queries (two or three words of one paragraph); every other query
carries a facet filter (agency, year or section, taking turns).  Phrases are
quoted, so the engine must return exactly the passages containing them: those
are the queries exactness is measured on.

A query is a dict: ``q`` (the string a user types), ``kind`` (word, phrase,
multi), ``terms`` (what must occur), ``freq`` (common, rare), ``filters``
(``{"agency": [...]}``, possibly empty).
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from .corpus import SEED, YEARS, default_sources, paragraph_pool, plan_reports
from .textnorm import norm

FILTER_CATEGORIES = ("主要举措和成效", "存在的不足和原因", "第一责任人职责", "下一年度安排")
_PHRASE_CHARS = re.compile(r"^[\u4e00-\u9fff\d、]+$")
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
FILTER_KINDS = ("agency", "year", "section")


class _Sampler:
    """Candidates drawn from the paragraph pool, with their document frequency."""

    def __init__(self, pool: list[str], rng: random.Random, sample: int = 1500):
        self.paras = sorted({norm(p) for p in pool})
        self.rng = rng
        # frequencies and the word list come from a sample: ranks are what matter
        self.sample = rng.sample(self.paras, min(sample, len(self.paras)))
        self._words: list[str] | None = None
        self._df: dict[str, int] = {}

    def df(self, phrase: str) -> int:
        if phrase not in self._df:
            self._df[phrase] = sum(1 for p in self.sample if phrase in p)
        return self._df[phrase]

    def substring(self, length: int) -> str | None:
        for _ in range(50):
            para = self.rng.choice(self.paras)
            if len(para) <= length:
                continue
            start = self.rng.randrange(len(para) - length)
            piece = para[start:start + length]
            if _PHRASE_CHARS.match(piece) and not piece.startswith("、") and not piece.endswith("、"):
                return piece
        return None

    def words(self) -> list[str]:
        if self._words is None:
            import jieba

            jieba.setLogLevel(60)
            found = {w for p in self.sample for w in jieba.lcut(p) if _WORD.match(w)}
            self._words = sorted(found)
        return self._words

    def pick(self, candidates: list[str], freq: str, used: set[str]) -> str | None:
        """The most frequent (common) or least frequent (rare) unused candidate."""
        fresh = [c for c in dict.fromkeys(candidates) if c and c not in used]
        if not fresh:
            return None
        scored = sorted(fresh, key=lambda c: (self.df(c), c))
        return scored[-1] if freq == "common" else scored[0]


def make_queries(count: int = 200, seed: int = SEED, basis_passages: int = 10_000,
                 pool: list[str] | None = None) -> dict:
    """``{"queries": [...], "warmup": [...]}``: ``count`` measured queries and a
    few different ones to warm a server up with."""
    rng = random.Random(seed)
    pool = pool if pool is not None else paragraph_pool(default_sources())
    sampler = _Sampler(pool, rng)
    agencies = sorted({r.agency for r in plan_reports(pool, basis_passages, seed)})
    used: set[str] = set()
    kinds = ["word"] * 2 + ["phrase"] * 5 + ["multi"] * 3
    queries = []
    for n in range(count + 10):
        kind = kinds[n % len(kinds)]
        freq = "common" if (n // len(kinds)) % 2 == 0 else "rare"
        query = _make_one(sampler, kind, freq, n, used)
        if query is None:
            continue
        used.update([query["q"], " ".join(query["terms"])])
        query["filters"] = _filter(rng, n, agencies) if n % 2 else {}
        queries.append(query)
    for n, query in enumerate(queries):
        query["id"] = n
    return {"queries": queries[:count], "warmup": queries[count:]}


def _make_one(sampler: _Sampler, kind: str, freq: str, n: int, used: set[str]) -> dict | None:
    if kind == "phrase":
        length = n % 6 + 1
        phrase = sampler.pick([sampler.substring(length) for _ in range(40)], freq, used)
        return phrase and {"q": f'"{phrase}"', "kind": "phrase", "terms": [phrase], "freq": freq}
    words = sampler.words()
    if kind == "word":
        word = sampler.pick([sampler.rng.choice(words) for _ in range(40)], freq, used)
        return word and {"q": word, "kind": "word", "terms": [word], "freq": freq}
    return _multi(sampler, freq, used)


def _multi(sampler: _Sampler, freq: str, used: set[str]) -> dict | None:
    import jieba

    for _ in range(50):
        para = sampler.rng.choice(sampler.paras)
        words = sorted({w for w in jieba.lcut(para) if _WORD.match(w)}, key=sampler.df)
        if len(words) < 3:
            continue
        size = sampler.rng.choice((2, 3))
        chosen = words[-size:] if freq == "common" else words[:size]
        query = " ".join(chosen)
        if query not in used:
            return {"q": query, "kind": "multi", "terms": chosen, "freq": freq}
    return None


def _filter(rng: random.Random, n: int, agencies: list[str]) -> dict:
    kind = FILTER_KINDS[(n // 2) % len(FILTER_KINDS)]
    if kind == "agency":
        return {"agency": [rng.choice(agencies)]}
    if kind == "year":
        return {"year": [str(rng.choice(YEARS))]}
    return {"section": [rng.choice(FILTER_CATEGORIES)]}


def save(mix: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mix, ensure_ascii=False, indent=1), encoding="utf-8")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
