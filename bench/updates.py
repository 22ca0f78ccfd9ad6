"""``python -m bench.updates [--size 100k] [--archive 1300k] [--queries 200] [--out BENCHMARKS.md]``

Updates measured as a user runs them (``python -m indexer build … --json``, a
process each, wall clock), in one run on one machine:

* at ``--size``: the full build of every report; then an index built from 91%
  of them and brought to 100% by nine updates of 1% each (no merging: ten
  segments); the last 1% update is the one timed against the full build.
  Both indexes answer the query mix over HTTP side by side (each query to both,
  the first one alternating; ``/search.json``, facets and snippets), and their
  full id lists are compared.  Then one report is
  changed (timed), and ``--optimize`` merges everything (timed);
* at ``--archive`` (a province's archive): a build with ``--no-words`` and
  ``--no-near-duplicates`` (the generated corpus recombines a few thousand real
  paragraphs, each repeated hundreds of times: near-identical pairs grow with
  the square of that), a 1% update, then the server's start time, RSS and the
  query mix's latency.

Writes (or replaces) its own section of ``--out``; the rest of the file is
left as ``python -m bench`` wrote it.  A run of one part keeps the figures of
the other from the last run (``bench/out/updates/result.json``), with its command.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .corpus import default_sources, ensure_corpus, paragraph_pool, parse_size
from .measure import PeakRss, machine, source_version
from .ours import serve_and_query, serve_and_query_side_by_side
from .queries import make_queries

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / "out" / "updates"
HEADING = "## Updates and a province's archive"


def build(folder: Path, index: Path, *options: str) -> dict:
    """``python -m indexer build`` as a user runs it: its summary, wall seconds, peak RSS."""
    command = [sys.executable, "-m", "indexer", "build", str(folder), "--index", str(index), "--json", *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakRss(process.pid, interval=0.1, pss_every=10**9) as peak:
        out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-3000:]}")
    return {"wall": time.perf_counter() - started, "peak_rss": peak.peak, "summary": json.loads(out)}


def link(files: list[Path], folder: Path) -> None:
    """Hard links (not copies) of corpus files into a working folder, manifest included."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files + [files[0].parent / "manifest.csv"]:
        if not (folder / path.name).exists():
            os.link(path, folder / path.name)


def change_one(folder: Path) -> str:
    """Rewrite one report of the working folder (a new file: the corpus' link is left alone)."""
    path = sorted(folder.glob("*.txt"))[len(list(folder.glob("*.txt"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.unlink()
    path.write_text(text + "\n\n此外，全面推行“双随机、一公开”监管，开展行政执法案卷评查。\n", encoding="utf-8")
    return path.name


def all_ids(index: Path, mix: dict) -> list[list[str]]:
    from indexer.api import open_index

    opened = open_index(index)
    try:
        return [opened.all_ids(q["q"], filters=q.get("filters") or {}) for q in mix["queries"]]
    finally:
        opened.close()


def run_updates(size: str, mix: dict, work: Path, log) -> dict:
    corpus = ensure_corpus(size, log=log)
    files = sorted(corpus.report_dir.glob("*.txt"))
    groups = [files[k::100] for k in range(9)]        # nine slices of 1%, spread over the file order
    later = {p for group in groups for p in group}
    full_dir, upd_dir = work / "full-reports", work / "upd-reports"
    shutil.rmtree(work, ignore_errors=True)
    link(files, full_dir)
    link([p for p in files if p not in later], upd_dir)
    full_ix, upd_ix = work / "full-index", work / "upd-index"
    result = {"size": size, "reports": len(files), "passages": corpus.passages}
    log(f"[{size}] full build of {len(files)} reports …")
    result["full"] = build(full_dir, full_ix)
    result["base"] = build(upd_dir, upd_ix, "--segments-per-tier", "0")
    result["steps"] = []
    for group in groups:
        link(group, upd_dir)
        result["steps"].append(build(upd_dir, upd_ix, "--segments-per-tier", "0"))
        log(f"  +{len(group)} reports: {result['steps'][-1]['wall']:.1f} s")
    result["segments"] = len(json.loads((upd_ix / "CURRENT" / "meta.json").read_text(encoding="utf-8"))["segments"])
    result["same_ids"] = all_ids(full_ix, mix) == all_ids(upd_ix, mix)
    # Side by side, the queries interleaved: the comparison is a ratio of 1.2, and
    # two runs one after the other differ by more than that on this machine.
    merged, segmented = serve_and_query_side_by_side([full_ix, upd_ix], mix)
    result["query_merged"], result["query_segments"] = _without_lists(merged), _without_lists(segmented)
    result["changed_file"] = change_one(upd_dir)
    result["change"] = build(upd_dir, upd_ix, "--segments-per-tier", "0")
    result["optimize"] = build(upd_dir, upd_ix, "--optimize")
    return result


def run_archive(size: str, mix: dict, work: Path, log) -> dict:
    corpus = ensure_corpus(size, log=log)
    files = sorted(corpus.report_dir.glob("*.txt"))
    added = set(files[::100])
    folder, index = work / "archive-reports", work / "archive-index"
    shutil.rmtree(work, ignore_errors=True)
    link([p for p in files if p not in added], folder)
    log(f"[{size}] archive build (--no-words) of {len(files) - len(added)} reports …")
    result = {"size": size, "reports": len(files), "passages": corpus.passages}
    result["build"] = build(folder, index, "--no-words", "--no-near-duplicates")
    link(sorted(added), folder)
    result["update"] = build(folder, index, "--no-words", "--no-near-duplicates")
    result["query"] = _without_lists(serve_and_query(index, mix))
    return result


def _without_lists(query: dict) -> dict:
    return {k: v for k, v in query.items() if k not in ("latencies", "totals")}


def render(updates: dict | None, archive: dict | None, facts: dict) -> str:
    lines = [HEADING, "", f"{facts['cpu']}, {facts['cores']} cores, {facts['ram_gb']} GB, Python {facts['python']}.  "
             "Builds are `python -m indexer build … --json` processes, timed by the wall clock; queries go "
             "over HTTP to `python -m search_web` (`/search.json`: facets and snippets in every answer).", ""]
    for part, draw in ((updates, _render_updates), (archive, _render_archive)):
        if part:
            lines += draw(part) + [f"Command: `{part['command']}` (commit {part['commit']}).", ""]
    return "\n".join(lines) + "\n"


def _render_updates(r: dict) -> list[str]:
    full, add, change, optimize = r["full"], r["steps"][-1], r["change"], r["optimize"]
    merged, segmented = r["query_merged"]["latency"], r["query_segments"]["latency"]
    added = add["summary"]["update"]["added"]
    return [
        f"### {r['size']}: {r['passages']:,} passages, {r['reports']:,} reports (with words, 2 processes)", "",
        "| step | seconds | share of the full build |", "|---|---:|---:|",
        f"| full build | {full['wall']:.1f} | 100% |",
        f"| add 1% ({added['reports']} reports, {added['passages']:,} passages) to an index of 9 segments "
        f"| {add['wall']:.1f} | {100 * add['wall'] / full['wall']:.1f}% |",
        f"| change one report ({r['changed_file']}) | {change['wall']:.1f} | "
        f"{100 * change['wall'] / full['wall']:.1f}% |",
        f"| `--optimize`: merge {optimize['summary']['update']['merged']['segments']} segments into one "
        f"| {optimize['wall']:.1f} | {100 * optimize['wall'] / full['wall']:.1f}% |", "",
        f"Every 1% update: {', '.join(format(s['wall'], '.1f') for s in r['steps'])} s.  "
        f"Full build peak RSS {full['peak_rss'] / 2**20:.0f} MB; 1% update {add['peak_rss'] / 2**20:.0f} MB.", "",
        "| search (same query mix, same passages) | p50 ms | p95 ms | p99 ms | server RSS MB | start s |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {name} | {q['latency']['p50']:.2f} | {q['latency']['p95']:.2f} | {q['latency']['p99']:.2f} | "
          f"{q['rss'] / 2**20:.0f} | {q['start_seconds']:.2f} |"
          for name, q in ((f"{r['segments']} unmerged segments", r["query_segments"]),
                          ("one segment (full build)", r["query_merged"]))), "",
        "Both servers ran side by side, each query sent to both in turn (the first one alternating).  "
        f"Segmented / merged: p50 {segmented['p50'] / merged['p50']:.2f}×, p95 {segmented['p95'] / merged['p95']:.2f}×.  "
        f"Every query's full id list identical: {'yes' if r['same_ids'] else 'NO'}.", "",
    ]


def _render_archive(r: dict) -> list[str]:
    q, build_run, update = r["query"], r["build"], r["update"]
    return [
        f"### A province's archive: {r['passages']:,} passages, {r['reports']:,} reports (`--no-words --no-near-duplicates`)", "",
        f"Built (99% of the reports) in {build_run['wall']:.0f} s, peak RSS {build_run['peak_rss'] / 2**30:.1f} GB; "
        f"the last 1% ({update['summary']['update']['added']['reports']} reports) added in {update['wall']:.1f} s.  "
        "`--no-words`: the Whoosh documents without jieba's words (search does not read them; the "
        "word-based research tools do); `--no-near-duplicates`: no similar-passage pairs (this generated "
        "corpus repeats each of its few thousand real paragraphs hundreds of times).", "",
        "| server | start s | RSS MB | p50 ms | p95 ms | p99 ms | answers with facets |", "|---|---:|---:|---:|---:|---:|---:|",
        f"| `python -m search_web` | {q['start_seconds']:.1f} | {q['rss'] / 2**20:.0f} | {q['latency']['p50']:.1f} | "
        f"{q['latency']['p95']:.1f} | {q['latency']['p99']:.1f} | {q['answers_with_facets']}/{q['latency']['n']} |", "",
    ]


def write_markdown_section(path: Path, markdown: str) -> None:
    """Replace this script's section of ``path`` (or append it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find(HEADING)
    if start >= 0:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + markdown + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + markdown
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="corpus for the update figures ('' to skip)")
    parser.add_argument("--archive", default="", help="corpus for the archive figures, e.g. 1300k ('' to skip)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args(argv)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)   # noqa: E731
    mix = make_queries(args.queries, basis_passages=parse_size("100k"), pool=paragraph_pool(default_sources()))
    saved = WORK / "result.json"
    results = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else {}
    stamp = {"command": " ".join(["python -m bench.updates"] + argv), "commit": source_version(ROOT)}
    if args.size:
        results["updates"] = {**run_updates(args.size, mix, WORK / args.size, log), **stamp}
    if args.archive:
        results["archive"] = {**run_archive(args.archive, mix, WORK / args.archive, log), **stamp}
    WORK.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(results, indent=1), encoding="utf-8")
    markdown = render(results.get("updates"), results.get("archive"), machine())
    print(markdown)
    if args.out != "-":
        write_markdown_section(Path(args.out), markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
