"""Building real indexes for tests, and the ground truth they are checked against."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import opencc

from indexer.build import build_index
from indexer.report.corpus import read_reports
from indexer.search import open_index


def build_and_open(folders: list[Path], index_dir: Path):
    build_index(folders, index_dir, procs=1)
    return open_index(index_dir)


_T2S = opencc.OpenCC("t2s")


def squash(text: str) -> str:
    """Ground-truth form, made independently of the index's per-character map:
    width folded (NFKC), OpenCC Traditional→Simplified over the whole string,
    lower case, whitespace removed."""
    return re.sub(r"\s+", "", _T2S.convert(unicodedata.normalize("NFKC", text))).lower()


def scan(folders: list[Path], phrase: str) -> set[str]:
    """Passage ids whose text contains ``phrase``: a plain substring scan."""
    needle = squash(phrase)
    return {p.id for r in read_reports(folders).reports for p in r.passages if needle in squash(p.text)}


def passages_by_id(folders: list[Path]) -> dict[str, tuple]:
    return {p.id: (r, p) for r in read_reports(folders).reports for p in r.passages}
