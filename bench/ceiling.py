"""``python -m bench.ceiling [--size 10k] [--runs 3]``: how close a build with
words can come to jieba alone, in CPU seconds rather than wall time (issue 27).

Issue 27 asks for a build with words at ≥ 80% of the speed of jieba alone on
the same processes.  On the same cores, a build's wall time is at least its CPU
time divided by the cores, and jieba alone's is jieba's CPU divided by the same
cores, so no scheduling can beat

    ceiling = jieba CPU / (jieba CPU + every other CPU second of the build).

This measures each part on one core, each in a process of its own (CPU time of
the process and its children, so a busy machine stretches the wall clock but
hardly these figures), on the same passages:

- ``jieba``: normalize and cut every passage, as the build does (HMM off, the
  domain dictionary loaded before the clock starts);
- ``whoosh``: Whoosh's writer alone, given the words already cut (a
  whitespace tokenizer on the words joined by spaces): ``add_document`` and
  ``commit`` with the project's schema;
- ``rest``: the build without words (``build --no-words --no-near-duplicates``,
  one process): reading, metadata, phrase postings, texts, columns.

and prints the ceiling with the words written by Whoosh, and the ceiling were
Whoosh's writer free.  Runs alternate part by part; the median of ``--runs``.
"""
from __future__ import annotations

import argparse
import json
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("jieba", "whoosh", "rest")


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _passages(reports: Path, cache: Path) -> tuple[list[dict], list[str]]:
    """Whoosh fields and texts of every passage, read once and kept in ``cache``."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from indexer.api import read_reports
    from indexer.store.writer.documents import document_fields

    rows = [(r, p) for r in read_reports([reports]).reports for p in r.passages]
    found = (document_fields(rows), [p.text for _, p in rows])
    cache.write_bytes(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
    return found


def _cut_all(texts: list[str]) -> list[list[str]]:
    from indexer.analysis.jieba_words import is_word, segmenter
    from indexer.api import normalize

    seg = segmenter()
    return [[w for w in seg.cut(normalize(t), HMM=False) if is_word(w)] for t in texts]


def part_jieba(reports: Path, work: Path) -> dict:
    _, texts = _passages(reports, work / "passages.pkl")
    from indexer.analysis.jieba_words import segmenter

    segmenter().cut("预热", HMM=False)            # the dictionary loads before the clock
    started = _cpu()
    words = _cut_all(texts)
    seconds = _cpu() - started
    (work / "words.pkl").write_bytes(pickle.dumps(words, protocol=pickle.HIGHEST_PROTOCOL))
    return {"cpu_s": seconds, "passages": len(texts), "tokens": sum(map(len, words))}


def part_whoosh(reports: Path, work: Path) -> dict:
    fields, _ = _passages(reports, work / "passages.pkl")
    words = pickle.loads((work / "words.pkl").read_bytes())
    from whoosh import index as whoosh_index
    from whoosh.analysis import SpaceSeparatedTokenizer
    from whoosh.fields import TEXT

    import indexer.store.writer.documents  # noqa: F401  (the build's patches of Whoosh's writer, as in a build)
    from indexer.store.writer.schema import passage_schema

    schema = passage_schema()
    schema.remove("content")
    schema.add("content", TEXT(analyzer=SpaceSeparatedTokenizer(), stored=False, phrase=False))
    joined = [" ".join(w) for w in words]
    with tempfile.TemporaryDirectory(dir=work) as folder:
        started = _cpu()
        writer = whoosh_index.create_in(folder, schema).writer(limitmb=64, compound=False)
        for doc, text in zip(fields, joined):
            writer.add_document(content=text, **doc)
        writer.commit()
        seconds = _cpu() - started
        written = whoosh_index.open_dir(folder).doc_count()
        return {"cpu_s": seconds, "passages": written}


def part_rest(reports: Path, work: Path) -> dict:
    from indexer.api import build_index

    with tempfile.TemporaryDirectory(dir=work) as folder:
        started = _cpu()
        summary = build_index([reports], Path(folder) / "index", procs=1, progress=False, words=False, near=False)
        return {"cpu_s": _cpu() - started, "passages": summary["passages"]}


def _run_part(part: str, reports: Path, work: Path) -> dict:
    """One part in a fresh process: its imports and caches start cold, as a build's do."""
    done = subprocess.run([sys.executable, "-m", "bench.ceiling", "--part", part, "--reports", str(reports),
                           "--work", str(work)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"part {part} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(reports: Path, runs: int) -> dict:
    """Median CPU seconds of each part over ``runs`` alternating runs, and the ceilings."""
    samples: dict[str, list[float]] = {part: [] for part in PARTS}
    with tempfile.TemporaryDirectory(prefix="ceiling-") as folder:
        work = Path(folder)
        _passages(reports, work / "passages.pkl")
        for _ in range(runs):
            for part in PARTS:            # whoosh reads the words jieba wrote
                result = _run_part(part, reports, work)
                samples[part].append(result["cpu_s"])
                passages = result["passages"]
    cpu = {part: round(statistics.median(values), 2) for part, values in samples.items()}
    total = cpu["jieba"] + cpu["whoosh"] + cpu["rest"]
    return {"passages": passages, "runs": runs, "cpu_s": cpu, "samples": samples,
            "ceiling_with_whoosh_words": round(cpu["jieba"] / total, 3),
            "ceiling_if_whoosh_were_free": round(cpu["jieba"] / (cpu["jieba"] + cpu["rest"]), 3),
            "ceiling_if_only_whoosh": round(cpu["jieba"] / (cpu["jieba"] + cpu["whoosh"]), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="bench corpus size (bench.corpus), e.g. 10k")
    parser.add_argument("--corpus", type=Path, help="a folder of reports instead of a bench corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--reports", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:
        print(json.dumps(globals()[f"part_{args.part}"](args.reports, args.work)))
        return 0
    if args.corpus:
        reports = args.corpus
    else:
        from .corpus import ensure_corpus

        reports = ensure_corpus(args.size).report_dir
    started = time.time()
    report = {"command": "python -m bench.ceiling " + " ".join(argv if argv is not None else sys.argv[1:]),
              "corpus": str(args.corpus or args.size), **measure(reports, args.runs),
              "wall_s": round(time.time() - started, 1)}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
