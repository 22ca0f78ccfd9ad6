"""``python -m bench.small_updates --reports DIR --index IX [--baseline TREE] [--rounds 2]``:
the seconds of changing one report and of removing one (issue 27), on a copy of
an index built from ``DIR`` (the same build options as it: words on, near
duplicates as it was built), each phase's share from the build's summary.

Each round copies the index afresh, rewrites one report (a paragraph added) and
updates, then takes another report away and updates; the folder is put back after.
``--baseline TREE``: the same rounds with another checkout, alternating, on its
own copy of the same index.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDED = "\n\n此外，全面推行“双随机、一公开”监管，开展行政执法案卷评查。\n"


def build(tree: Path, reports: Path, index: Path, options: list[str]) -> dict:
    command = [sys.executable, "-m", "indexer", "build", str(reports), "--index", str(index), "--json", "--quiet",
               *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout)
    return {"wall": round(time.perf_counter() - started, 2), "seconds": summary["seconds"],
            "phases": summary.get("phases"), "update": summary["update"]}


def one_round(tree: Path, reports: Path, index: Path, work: Path, options: list[str]) -> dict:
    copy = work / "index"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy, symlinks=True)
    files = sorted(reports.glob("*.txt"))
    changed, removed = files[len(files) // 2], files[len(files) // 3]
    original = changed.read_bytes()
    aside = work / removed.name
    try:
        changed.unlink()                               # a new file: hard links elsewhere keep the old one
        changed.write_bytes(original + ADDED.encode("utf-8"))
        change = build(tree, reports, copy, options)
        shutil.move(removed, aside)                    # the changed one stays as indexed: only a removal
        remove = build(tree, reports, copy, options)
    finally:
        changed.unlink()
        changed.write_bytes(original)
        if aside.exists():
            shutil.move(aside, removed)
    return {"change_one": change, "remove_one": remove}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.small_updates", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", required=True, type=Path)
    parser.add_argument("--index", required=True, type=Path)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "small_updates")
    args = parser.parse_args(argv)
    meta = json.loads((args.index / "CURRENT" / "meta.json").read_text(encoding="utf-8"))
    options = [] if meta.get("near_duplicates", True) else ["--no-near-duplicates"]
    options += [] if meta.get("words", True) else ["--no-words"]
    trees = {"this": ROOT, **({"baseline": args.baseline} if args.baseline else {})}
    results = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            results[name].append(one_round(tree, args.reports.resolve(), args.index.resolve(),
                                           args.work / name, options))
    for name in trees:
        shutil.rmtree(args.work / name / "index", ignore_errors=True)
    print(json.dumps({"passages": meta["counts"]["passages"], "options": options, "results": results},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
