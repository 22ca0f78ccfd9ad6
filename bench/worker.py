"""One measurement in a process of its own, so peak memory does not mix.

``python -m bench.worker JOB.json OUT.json``: the runner writes a job, this
process does it and writes its result.  Jobs:

- ``peer-build``: a peer indexes the corpus (seconds, peak RSS, index size);
- ``peer-query``: a peer answers the warm-up, then the measured queries (latency,
  RSS after the run), then every query again for the full match lists
  (exactness against the scan's ground truth; the scan writes that truth);
- ``jieba``: jieba tokenization alone, on ``procs`` processes;
- ``reader``: the project's reader over the corpus folder;
- ``ours-build``: ``indexer.build.build_index`` with ``procs`` (and ``words``);
- ``ours-exact``: our library's full answer to each phrase query, against the truth.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

from .measure import PeakRss, Timer, dir_size, latency_summary, tree_rss
from .truth import Truth, compare


def _corpus_passages(job: dict) -> list[dict]:
    return list(_stream_passages(job))


def _stream_passages(job: dict):
    """The corpus rows one by one, so a build's memory is the index's, not the input's."""
    with open(Path(job["corpus"]) / "passages.jsonl", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def peer_build(job: dict) -> dict:
    from .peers import get_peer

    peer = get_peer(job["peer"])
    workdir = Path(job["workdir"])
    with PeakRss() as rss, Timer() as timer:
        peer.build(_stream_passages(job), workdir)
    return {"seconds": timer.seconds, "peak_rss": rss.peak, "peak_pss": rss.peak_pss,
            "index_bytes": peer.index_bytes(workdir)}


def peer_query(job: dict) -> dict:
    from .peers import get_peer
    from .queries import load

    peer = get_peer(job["peer"])
    mix = load(Path(job["queries"]))
    passages = _corpus_passages(job)
    with Timer() as opening:
        peer.open(Path(job["workdir"]), passages)
    del passages
    gc.collect()
    for query in mix["warmup"]:
        peer.search(query)
    latencies, totals = [], {}
    for query in mix["queries"]:
        started = time.perf_counter()
        answer = peer.search(query)
        latencies.append((time.perf_counter() - started) * 1000)
        totals[query["id"]] = answer["total"]
    result = {"open_seconds": opening.seconds, "rss": tree_rss(os.getpid()),
              "latency": latency_summary(latencies), "latencies": latencies, "totals": totals}
    result["exactness"] = _exactness(peer, mix["queries"], job)
    peer.close()
    return result


def _exactness(peer, queries: list[dict], job: dict) -> dict:
    found = {q["id"]: peer.matches(q) for q in queries if q["kind"] == "phrase" or job.get("truth_out")}
    if job.get("truth_out"):                       # the scan: its answers are the truth
        Truth.save(Path(job["truth_out"]), found)
        found = {k: v for k, v in found.items() if k in {q["id"] for q in queries if q["kind"] == "phrase"}}
    return compare(Truth.load(Path(job["truth"])), found)


def jieba_job(job: dict) -> dict:
    from .peers.jieba_only import tokenize

    texts = [p["text"] for p in _corpus_passages(job)]
    with PeakRss() as rss:
        result = tokenize(texts, job.get("procs", 1))
    return {**result, "peak_rss": rss.peak, "peak_pss": rss.peak_pss}


def reader_job(job: dict) -> dict:
    from indexer.api import read_reports

    with PeakRss() as rss, Timer() as timer:
        result = read_reports([Path(job["corpus"]) / "reports"])
    return {"seconds": timer.seconds, "peak_rss": rss.peak, "peak_pss": rss.peak_pss,
            "passages": sum(len(r.passages) for r in result.reports)}


def ours_build(job: dict) -> dict:
    from indexer.api import build_index

    index_dir = Path(job["index"])
    with PeakRss() as rss, Timer() as timer:
        summary = build_index([Path(job["corpus"]) / "reports"], index_dir, procs=job["procs"], progress=False,
                              words=job.get("words", True))
    timings = summary.get("timings") if isinstance(summary.get("timings"), dict) else {}
    summary = {k: v for k, v in summary.items() if isinstance(v, (int, float, str))}
    return {"seconds": timer.seconds, "peak_rss": rss.peak, "peak_pss": rss.peak_pss,
            "index_bytes": dir_size(index_dir), "summary": summary, "timings": timings}


def ours_exact(job: dict) -> dict:
    from .ours import library_matches
    from .queries import load

    queries = [q for q in load(Path(job["queries"]))["queries"] if q["kind"] == "phrase"]
    found = library_matches(Path(job["index"]), Path(job["corpus"]), queries)
    return compare(Truth.load(Path(job["truth"])), found)


JOBS = {"peer-build": peer_build, "peer-query": peer_query, "jieba": jieba_job,
        "reader": reader_job, "ours-build": ours_build, "ours-exact": ours_exact}


def main(argv: list[str] | None = None) -> None:
    job_file, out_file = (argv or sys.argv[1:])[:2]
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    result = JOBS[job["kind"]](job)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
