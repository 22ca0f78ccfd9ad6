"""Is the best passage first?  nDCG@10, P@10, MRR@10 and judged@10 on the judged
collection in ``../shared/relevance`` for the project and for the peers that rank.

``python -m bench.relevance [--relevance DIR] [--write] [--only project]`` builds
the collection's index once (cached under ``bench/data/relevance/``, with the
peers' indexes beside it), checks the passage fingerprint the collection's
README gives, runs every topic through ``Index.search`` (the library, no HTTP),
through SQLite FTS5 (trigram, ``bm25()``; a word under 3 characters is a LIKE
whose term frequency breaks ties; every word must occur) and through Whoosh +
jieba's ``ChineseAnalyzer`` (default QueryParser, AND, BM25F), as the README
configures them, and scores the README's stored peer runs too (the reference
the live peers are checked against).  ``--write`` puts the table in BENCHMARKS.md.

The measures are ir-measures' (pytrec_eval's trec_eval code): nDCG@10 with the
README's gains 2^grade − 1, P@10 and RR@10 with grade ≥ 1 relevant, Judged@10.
A topic with no results scores 0; unjudged passages count as not relevant.
Judgments are keyed by passage id and text sha1: a passage whose id is judged
for other text, or whose id is not judged, takes the judgment of a judged
passage with the same text (the reader may have renumbered).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COLLECTION = ROOT.parent / "shared" / "relevance"
SOURCES = ("realworld", "real/reports", "corpus")
CACHE = ROOT / "bench" / "data" / "relevance"
FINGERPRINT = "a02e88586296138c660770c09b4daacca8489b7c"
DEPTH = 10
KINDS = ("rule_of_law", "policy", "figure", "ambiguous")
SYSTEMS = ("project", "fts5", "whoosh")
BENCH_HEADING = "## Ranking quality (issue 23)"


@dataclass
class Collection:
    topics: list[dict]                                   # id, query, narrative, kind
    qrels: dict[str, dict[str, int]]                     # topic → judged passage id → grade
    judged_sha1: dict[str, str] = field(default_factory=dict)    # judged passage id → text sha1
    by_sha1: dict[str, list[str]] = field(default_factory=dict)  # text sha1 → judged passage ids


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _rows(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_collection(folder: Path) -> Collection:
    topics = _rows(folder / "topics.tsv")
    qrels: dict[str, dict[str, int]] = {}
    for row in _rows(folder / "qrels.tsv"):
        qrels.setdefault(row["topic"], {})[row["passage_id"]] = int(row["grade"])
    collection = Collection(topics, qrels)
    for row in _rows(folder / "judged_passages.tsv"):
        collection.judged_sha1[row["passage_id"]] = row["text_sha1"]
        collection.by_sha1.setdefault(row["text_sha1"], []).append(row["passage_id"])
    return collection


def read_run(path: Path) -> dict[str, list[str]]:
    """``topic passage_id rank …`` (or TREC's ``topic Q0 id rank score tag``) → ranked ids."""
    run: dict[str, list[tuple[int, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "Q0":
            parts = [parts[0], parts[2], parts[3]]
        if len(parts) >= 3:
            run.setdefault(parts[0], []).append((int(parts[2]), parts[1]))
    return {topic: [pid for _, pid in sorted(ranked)] for topic, ranked in run.items()}


# ---------------------------------------------------------------- the index


def build_index(sources: list[Path], index_dir: Path) -> None:
    from indexer.api import build_index as build

    build([str(p) for p in sources], index_dir=index_dir)


def passages(index_dir: Path) -> list[dict]:
    """Every passage of the index in index order: id, text and the peers' facet fields."""
    from indexer.api import open_index

    index = open_index(index_dir)
    try:
        gen = index.generation
        reports = gen.reports
        rows = []
        for seq in range(len(gen.columns["report"])):
            report = reports[int(gen.columns["report"][seq])]
            rows.append({"id": gen.passage_id(seq), "text": gen.texts[seq], "agency": report["agency"],
                         "province": report["province"], "year": report["year"],
                         "section": gen.vocab["section"][gen.columns["section"][seq]]})
        return rows
    finally:
        index.close()


def fingerprint(rows: list[dict]) -> str:
    digest = hashlib.sha1()
    for row in rows:
        digest.update(row["id"].encode("utf-8") + b"\0" + row["text"].encode("utf-8") + b"\0")
    return digest.hexdigest()


class TextKeys:
    """Index passage id → the judged id that stands for it in ``topic``'s qrels."""

    def __init__(self, collection: Collection, rows: list[dict]):
        self.collection = collection
        self.sha = {row["id"]: sha1(row["text"]) for row in rows}

    def judged_id(self, topic: str, passage_id: str) -> str:
        text_sha = self.sha.get(passage_id)
        judged = self.collection.qrels.get(topic, {})
        if text_sha is None or self.collection.judged_sha1.get(passage_id) == text_sha:
            return passage_id
        same_text = [pid for pid in self.collection.by_sha1.get(text_sha, []) if pid in judged]
        return same_text[0] if same_text else passage_id

    def translate(self, topic: str, ranked: list[str]) -> list[str]:
        out, seen = [], set()
        for pid in ranked:
            key = self.judged_id(topic, pid)
            key = pid if key in seen else key       # two passages of one judged text: the second stays itself
            seen.add(key)
            out.append(key)
        return out


# ---------------------------------------------------------------- systems


def project_run(index_dir: Path, topics: list[dict], depth: int = DEPTH) -> dict[str, list[str]]:
    from indexer.api import open_index

    index = open_index(index_dir)
    try:
        return {t["id"]: [hit["passage_id"] for hit in index.search(t["query"], per_page=depth)["hits"]]
                for t in topics}
    finally:
        index.close()


def fts5_run(rows: list[dict], workdir: Path, topics: list[dict], depth: int = DEPTH) -> dict[str, list[str]]:
    """FTS5 trigram, ranked by ``bm25()``; words under 3 characters are LIKE
    conditions, and their term frequency breaks bm25's ties (alone, it ranks)."""
    from .peers.fts5 import DB, Fts5Peer
    from .textnorm import norm

    peer = Fts5Peer()
    if not (workdir / DB).exists():
        peer.build(rows, workdir)
    peer.open(workdir, None)
    run = {}
    try:
        for topic in topics:
            words = topic["query"].split()
            where, params = peer.where({"terms": words})
            ranked = "p MATCH ?" in where
            short = [norm(w) for w in words if len(norm(w)) < 3]
            found = peer.con.execute(f"SELECT rowid, {'rank' if ranked else '0'}, text FROM p WHERE {where}",
                                     params).fetchall()
            found.sort(key=lambda r: (r[1], -sum(_count(r[2], w) for w in short), r[0]))
            run[topic["id"]] = [rows[rowid - 1]["id"] for rowid, _, _ in found[:depth]]
    finally:
        peer.close()
    return run


def _count(text: str, word: str) -> int:
    return len(re.findall(f"(?={re.escape(word)})", text))


def whoosh_run(rows: list[dict], workdir: Path, topics: list[dict], depth: int = DEPTH) -> dict[str, list[str]]:
    """Whoosh + jieba ``ChineseAnalyzer``, the default QueryParser (AND) and BM25F."""
    from .peers.whoosh_naive import WhooshNaivePeer

    peer = WhooshNaivePeer()
    if not (workdir / "_MAIN_WRITELOCK").exists() and not any(workdir.glob("*.toc")):
        peer.build(rows, workdir)
    peer.open(workdir, None)
    run = {}
    try:
        for topic in topics:
            results = peer.searcher.search(peer.parser.parse(topic["query"]), limit=depth)
            run[topic["id"]] = [rows[int(hit["row"])]["id"] for hit in results]
    finally:
        peer.close()
    return run


# ---------------------------------------------------------------- measures


MEASURE_NAMES = ("nDCG@10", "P@10", "MRR@10", "judged@10")


def evaluate(collection: Collection, keys: TextKeys | None, run: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Per topic id: the four measures (a topic without results: all 0)."""
    import ir_measures
    from ir_measures import P, RR, Judged, nDCG

    measures = {nDCG(gains={0: 0, 1: 1, 2: 3}) @ DEPTH: "nDCG@10", P(rel=1) @ DEPTH: "P@10",
                RR(rel=1) @ DEPTH: "MRR@10", Judged @ DEPTH: "judged@10"}
    qrels = [ir_measures.Qrel(t, pid, g) for t, judged in collection.qrels.items() for pid, g in judged.items()]
    scored = []
    for topic, ranked in run.items():
        ranked = keys.translate(topic, ranked[:DEPTH]) if keys else ranked[:DEPTH]
        # The score is the rank reversed: trec_eval sorts by score (ties by id, which must not decide).
        scored += [ir_measures.ScoredDoc(topic, pid, float(DEPTH - n)) for n, pid in enumerate(ranked)]
    out = {t["id"]: dict.fromkeys(MEASURE_NAMES, 0.0) for t in collection.topics}
    for metric in ir_measures.iter_calc(list(measures), qrels, scored):
        if metric.query_id in out:
            out[metric.query_id][measures[metric.measure]] = metric.value
    return out


def summary(collection: Collection, per_topic: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Means over all topics (``all``) and over each kind."""
    groups = {"all": [t["id"] for t in collection.topics]}
    for kind in KINDS:
        groups[kind] = [t["id"] for t in collection.topics if t["kind"] == kind]
    return {name: {m: sum(per_topic[t][m] for t in ids) / len(ids) for m in MEASURE_NAMES}
            for name, ids in groups.items() if ids}


# ---------------------------------------------------------------- report


def tables(collection: Collection, results: dict[str, dict], stored: dict[str, dict]) -> str:
    """Markdown: the average per system, nDCG@10 per kind, per topic."""
    sums = {name: summary(collection, per_topic) for name, per_topic in results.items()}
    lines = ["| system | nDCG@10 | P@10 | MRR@10 | judged@10 | " + " | ".join(f"nDCG {k}" for k in KINDS) + " |",
             "|---|---|---|---|---|" + "---|" * len(KINDS)]
    for name, s in sums.items():
        lines.append(f"| {name} | " + " | ".join(f"{s['all'][m]:.3f}" for m in MEASURE_NAMES) + " | "
                     + " | ".join(f"{s[k]['nDCG@10']:.3f}" if k in s else "-" for k in KINDS) + " |")
    best_peer = max((s["all"]["nDCG@10"] for n, s in sums.items() if n != "project"), default=0)
    if "project" in sums and best_peer:
        lines.append("")
        lines.append(f"project / best peer (nDCG@10): **{sums['project']['all']['nDCG@10'] / best_peer:.2f}×**")
    if stored:
        lines += ["", "Stored runs of `runs/` (the collection's reference, commit 5cbf241):", "",
                  "| stored run | nDCG@10 | P@10 | MRR@10 | judged@10 |", "|---|---|---|---|---|"]
        for name, per_topic in stored.items():
            s = summary(collection, per_topic)["all"]
            lines.append(f"| {name} | " + " | ".join(f"{s[m]:.3f}" for m in MEASURE_NAMES) + " |")
    lines += ["", "Per topic (nDCG@10 / P@10 / MRR@10 / judged@10):", "",
              "| topic | kind | query | " + " | ".join(results) + " |", "|---|---|---|" + "---|" * len(results)]
    for topic in collection.topics:
        cells = [" / ".join(f"{results[n][topic['id']][m]:.2f}" for m in MEASURE_NAMES) for n in results]
        lines.append(f"| {topic['id']} | {topic['kind']} | {topic['query']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_benchmarks(text: str, command: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace (or append) this section's tables in BENCHMARKS.md; its ``###``
    subsections (the mutants, the count queries) are kept."""
    body = path.read_text(encoding="utf-8")
    markdown = (f"{BENCH_HEADING}\n\n`{command}` on the judged collection of `../shared/relevance` "
               f"(30 topics, graded 0/1/2; the index of its README's build command).\n\n{text}\n")
    start = body.find(BENCH_HEADING)
    if start < 0:
        body = body.rstrip("\n") + "\n\n" + markdown
    else:
        ends = [body.find(mark, start + len(BENCH_HEADING)) for mark in ("\n## ", "\n### ")]
        end = min((e for e in ends if e >= 0), default=-1)
        body = body[:start] + markdown + ("\n" + body[end + 1:] if end >= 0 else "")
    path.write_text(body, encoding="utf-8")


def prepare(collection_dir: Path, cache: Path = CACHE) -> tuple[Path, list[dict]]:
    """The collection's index (built once) and its passages, fingerprint checked."""
    index_dir = cache / "index"
    if not any(index_dir.glob("gen-*")):
        shared = collection_dir.parent
        print(f"building the collection's index in {index_dir} …", file=sys.stderr)
        build_index([shared / s for s in SOURCES], index_dir)
    rows = passages(index_dir)
    found = fingerprint(rows)
    if found != FINGERPRINT:
        print(f"note: passage fingerprint {found} differs from the collection's {FINGERPRINT}: "
              "judgments are matched by text", file=sys.stderr)
    return index_dir, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--relevance", type=Path, default=DEFAULT_COLLECTION, help="the judged collection's folder")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the indexes are kept")
    parser.add_argument("--only", choices=SYSTEMS, action="append", help="run only these systems")
    parser.add_argument("--write", action="store_true", help="put the table in BENCHMARKS.md")
    parser.add_argument("--runs", type=Path, help="also write each system's run file into this folder")
    args = parser.parse_args(argv)
    if not (args.relevance / "qrels.tsv").exists():
        print(f"no judged collection at {args.relevance}", file=sys.stderr)
        return 2
    collection = load_collection(args.relevance)
    index_dir, rows = prepare(args.relevance, args.cache)
    keys = TextKeys(collection, rows)
    systems = args.only or list(SYSTEMS)
    runs = {}
    # The peers first: the project loads its domain dictionary into jieba's
    # shared tokenizer, which would change how Whoosh's ChineseAnalyzer cuts.
    if "fts5" in systems:
        runs["fts5"] = fts5_run(rows, args.cache / "fts5", collection.topics)
    if "whoosh" in systems:
        runs["whoosh"] = whoosh_run(rows, args.cache / "whoosh", collection.topics)
    if "project" in systems:
        runs["project"] = project_run(index_dir, collection.topics)
    runs = {name: runs[name] for name in SYSTEMS if name in runs}
    results = {name: evaluate(collection, keys, run) for name, run in runs.items()}
    stored = {}
    for name in SYSTEMS:
        path = args.relevance / "runs" / f"{name}.run"
        if path.exists() and name != "project" and name in systems:
            stored[f"{name} (stored)"] = evaluate(collection, None, read_run(path))
            agree = _agreement(read_run(path), runs[name])
            print(f"{name}: live top 10 equal the stored run's on {agree} of {len(collection.topics)} topics",
                  file=sys.stderr)
    if args.runs:
        args.runs.mkdir(parents=True, exist_ok=True)
        for name, run in runs.items():
            (args.runs / f"{name}.run").write_text("".join(
                f"{t}\t{pid}\t{n + 1}\n" for t, ranked in run.items() for n, pid in enumerate(ranked)), encoding="utf-8")
    text = tables(collection, results, stored)
    print(text)
    if args.write:
        write_benchmarks(text, "python -m bench.relevance --write")
    return 0


def _agreement(stored: dict[str, list[str]], live: dict[str, list[str]]) -> int:
    return sum(stored.get(t, [])[:DEPTH] == ranked[:DEPTH] for t, ranked in live.items())


if __name__ == "__main__":
    sys.exit(main())
