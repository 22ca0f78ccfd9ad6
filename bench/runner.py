"""Run every measurement of one size, side by side, on the same data and queries.

Each build and each peer's query run is a subprocess (``bench.worker``) so peak
memory figures do not mix; our server is a subprocess too, queried over HTTP
from here.  Results land in ``bench/out/<size>/`` as JSON, one file per job.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .corpus import ensure_corpus
from .ours import serve_and_query

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]


class JobFailed(RuntimeError):
    pass


def run_job(job: dict, folder: Path, name: str, log=print) -> dict:
    """Run one worker job in a fresh interpreter; its result dict."""
    folder.mkdir(parents=True, exist_ok=True)
    job_file, out_file = folder / f"{name}.job.json", folder / f"{name}.json"
    job_file.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    out_file.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.worker", str(job_file), str(out_file)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out_file.exists():
        raise JobFailed(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    log(f"  {name}: {time.perf_counter() - started:.1f} s")
    return json.loads(out_file.read_text(encoding="utf-8"))


def run_size(size: str, queries_file: Path, peers: list[str], out: Path = OUT, log=print,
             corpus_options: dict | None = None, single_core: bool = True) -> dict:
    """All measurements at one corpus size (``corpus_options``: for ``ensure_corpus``)."""
    corpus = ensure_corpus(size, log=log, **(corpus_options or {}))
    folder = out / size
    shutil.rmtree(folder, ignore_errors=True)
    log(f"[{size}] {corpus.passages} passages, {corpus.text_bytes / 1e6:.1f} MB")
    base = {"corpus": str(corpus.folder), "queries": str(queries_file), "truth": str(folder / "truth.npz")}
    result: dict = {"size": size, "corpus": {"reports": corpus.reports, "passages": corpus.passages,
                                             "text_bytes": corpus.text_bytes}, "peers": {}, "ours": {}}
    result["peers"]["scan"] = {"query": run_job({**base, "kind": "peer-query", "peer": "scan", "workdir": "",
                                                 "truth_out": base["truth"]}, folder, "scan-query", log)}
    for peer in (p for p in peers if p != "scan"):
        workdir = str(folder / f"{peer}-index")
        job = {**base, "peer": peer, "workdir": workdir}
        build = run_job({**job, "kind": "peer-build"}, folder, f"{peer}-build", log)
        query = run_job({**job, "kind": "peer-query"}, folder, f"{peer}-query", log)
        result["peers"][peer] = {"build": build, "query": query}
        shutil.rmtree(workdir, ignore_errors=True)
    result["jieba"] = {str(p): run_job({**base, "kind": "jieba", "procs": p}, folder, f"jieba-{p}", log)
                       for p in (1, 2)}
    result["reader"] = run_job({**base, "kind": "reader"}, folder, "reader", log)
    result["ours"] = run_ours(base, folder, log, (1, 2) if single_core else (2,))
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


# Our builds: key → (processes, jieba words in the Whoosh documents).  "lean"
# is ``build --no-words``: the same search, without the word index nobody queries.
BUILDS = {"build1": (1, True), "build2": (2, True), "lean2": (2, False)}


def run_ours(base: dict, folder: Path, log=print, builds: tuple[int, ...] = (1, 2)) -> dict:
    """Our builds (the single-process one only where ``builds`` has 1), the
    default two-process index served over HTTP, exactness checked."""
    ours: dict = {}
    for key, (procs, words) in BUILDS.items():
        if procs not in builds:
            continue
        index = folder / f"ours-index-{key}"
        ours[key] = run_job({**base, "kind": "ours-build", "procs": procs, "words": words, "index": str(index)},
                            folder, f"ours-{key}", log)
        if key != "build2":
            shutil.rmtree(index, ignore_errors=True)
    index = folder / "ours-index-build2"
    started = time.perf_counter()
    mix = json.loads(Path(base["queries"]).read_text(encoding="utf-8"))
    ours["query"] = serve_and_query(index, mix)
    log(f"  ours-http: {time.perf_counter() - started:.1f} s")
    ours["exactness"] = run_job({**base, "kind": "ours-exact", "index": str(index)}, folder, "ours-exact", log)
    ours["index"] = str(index)
    return ours
