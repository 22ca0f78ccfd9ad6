"""Would the tests notice a broken ranking?  Each mutant breaks one ranking
factor by patching the source in a temporary copy of the project, then the
ranking tests run there; a mutant the tests pass is a factor nobody checks.

``python -m bench.mutants [--tests tests/test_ranking.py] [--only NAME]``
prints one row per mutant: caught (the tests failed) or SURVIVED, and the
first failing test.  Exit status 1 when a mutant survives or a patch no
longer applies (the source moved on: update the mutant, never drop it).

``--pairs INDEX`` instead lists, per mutant, the judged pairs of
``../shared/relevance`` whose order the mutant flips on the index in INDEX:
where the pairwise tests of ``tests/test_ranking.py`` come from.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class Mutant(NamedTuple):
    name: str
    path: str          # file of the project
    old: str           # text replaced (must occur exactly once)
    new: str


MUTANTS = [
    Mutant("idf = 1", "indexer/search/rank.py",
           "return float(np.log(1 + (total - df + 0.5) / (df + 0.5)))", "return 1.0"),
    Mutant("no length normalisation", "indexer/search/rank.py",
           "return K1 * (1 - B + B * lengths / max(index.average_length, 1.0))", "return K1 + 0 * lengths"),
    Mutant("negated BM25", "indexer/search/rank.py", "        scores += part\n", "        scores -= part\n"),
    Mutant("no title boost", "indexer/search/rank.py", "TITLE_BOOST = 0.6 ", "TITLE_BOOST = 0.0 "),
    Mutant("no heading boost", "indexer/search/rank.py", "HEADING_BOOST = 0.7 ", "HEADING_BOOST = 0.0 "),
    Mutant("binary tf", "indexer/search/rank.py", "tf = aligned_tfs(docs, hits, total)",
           "tf = np.minimum(aligned_tfs(docs, hits, total), 1.0)"),
    Mutant("no proximity rescore", "indexer/search/rank.py",
           "rescore if len(query.clauses) > 1 or query.phrases else None", "None"),
    Mutant("snippet window not the densest cluster", "indexer/search/snippets.py",
           "_window(text, spans)", "_window(text, spans[:1])"),
    Mutant("no length prior", "indexer/search/factors.py", "SHORT_POWER = 0.5", "SHORT_POWER = 0.0"),
    Mutant("no count boost", "indexer/search/rank.py", "COUNT_BOOST = 3.0 ", "COUNT_BOOST = 0.0 "),
    Mutant("count numbers only where every other word is", "indexer/search/match.py",
           "candidates = _holding_all_but_one(others) if len(others) > 1 else others[0]",
           "candidates = functools.reduce(np.intersect1d, others)"),
]


def make_tree(folder: Path) -> Path:
    """A copy of the project in ``folder/project``, with ``folder/shared`` leading
    to the real ../shared (the tests find it beside the project)."""
    tree = folder / "project"
    copy_tree(tree)
    if (ROOT.parent / "shared").exists():
        (folder / "shared").symlink_to(ROOT.parent / "shared")
    return tree


def copy_tree(target: Path) -> None:
    """The project's tracked and new files (no venv, no caches, no built data)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def apply(tree: Path, mutant: Mutant) -> bool:
    """Patch ``tree``; False when the text to replace is not there exactly once."""
    path = tree / mutant.path
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        return False
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    return True


def run_tests(tree: Path, tests: list[str]) -> tuple[bool, str]:
    """(passed, the first failing test or the last line of pytest's output)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=tree, env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    failed = next((line for line in lines if line.startswith("FAILED")), lines[-1] if lines else done.stderr[-200:])
    return done.returncode == 0, failed


def mutate_and_test(mutants: list[Mutant], tests: list[str]) -> list[dict]:
    rows = []
    for mutant in mutants:
        with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
            tree = make_tree(Path(folder))
            if not apply(tree, mutant):
                rows.append({"mutant": mutant.name, "result": "PATCH DOES NOT APPLY", "by": mutant.path})
                continue
            passed, detail = run_tests(tree, tests)
            rows.append({"mutant": mutant.name, "result": "SURVIVED" if passed else "caught", "by": detail})
        print(f"{rows[-1]['mutant']}: {rows[-1]['result']}", file=sys.stderr, flush=True)
    return rows


_TOP = """
import json, sys
from pathlib import Path
from bench.relevance import load_collection
from indexer.api import open_index
index = open_index(sys.argv[1])
topics = load_collection(Path(sys.argv[2])).topics
print(json.dumps({t["id"]: [h["passage_id"] for h in index.search(t["query"], per_page=30)["hits"]] for t in topics}))
"""


def top_lists(tree: Path, index_dir: Path) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    from .relevance import DEFAULT_COLLECTION

    done = subprocess.run([sys.executable, "-c", _TOP, str(index_dir), str(DEFAULT_COLLECTION)], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def flipped_pairs(index_dir: Path, mutants: list[Mutant]) -> dict[str, list[tuple]]:
    """Per mutant: (topic, better id, worse id) judged pairs in the right order
    unmutated and in the wrong order mutated, both in the first 30."""
    from .relevance import DEFAULT_COLLECTION, load_collection

    qrels = load_collection(DEFAULT_COLLECTION).qrels
    base = top_lists(ROOT, index_dir)
    found = {}
    for mutant in mutants:
        with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
            tree = make_tree(Path(folder))
            if not apply(tree, mutant):
                continue
            mutated = top_lists(tree, index_dir)
        pairs = []
        for topic, ranked in base.items():
            grades = qrels.get(topic, {})
            other = {pid: n for n, pid in enumerate(mutated.get(topic, []))}
            for i, better in enumerate(ranked[:10]):
                for worse in ranked[i + 1:]:
                    if grades.get(better, 0) > grades.get(worse, 0) and worse in grades and \
                            other.get(worse, 99) < other.get(better, 99):
                        pairs.append((topic, better, worse, grades[better], grades[worse]))
        found[mutant.name] = pairs
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", nargs="*", default=["tests/test_ranking.py"])
    parser.add_argument("--only", action="append", help="run only the mutants with this name")
    parser.add_argument("--pairs", type=Path, help="list the judged pairs each mutant flips on this index")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.pairs:
        for name, pairs in flipped_pairs(args.pairs.resolve(), mutants).items():
            print(f"{name}: {len(pairs)} pairs", *[f"  {p}" for p in pairs[:8]], sep="\n")
        return 0
    rows = mutate_and_test(mutants, args.tests)
    print("| mutant | result | first failing test |\n|---|---|---|")
    for row in rows:
        print(f"| {row['mutant']} | {row['result']} | {row['by']} |")
    return 0 if all(row["result"] == "caught" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
