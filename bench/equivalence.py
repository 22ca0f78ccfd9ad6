"""Do two versions of the library answer alike?  Every search of a broad case
list, written out so that two runs (an old commit, a new one) can be compared.

``python -m bench.equivalence --index DIR [--work bench/out] --out FILE`` writes
one JSON line per case: the case and ``Index.search``'s answer, keys in its
order, without ``took_ms`` (the only field allowed to differ).  Run it in each
version's tree (``cd TREE``: the current folder's ``indexer`` is imported; an
old commit's tree: ``git archive COMMIT | tar -x -C TREE`` plus this file),
then ``--compare A B`` lists the cases that differ.

The cases: the bench's queries (and its warm-up), each with its own filters and
without, plus OR, minus, long quoted and long pasted queries cut from the
index's own texts and filters that select a part of a name; each sorted by
relevance and by date, listed by passage and by report, pages 1–3.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from .queries import load
from .runner import OUT

SEED = 20261202
SHAPES = [(sort, group, page) for sort in ("relevance", "date") for group in ("passage", "report")
          for page in (1, 2, 3)]
EXTRA_FILTERS = ({"agency": ["市"]}, {"province": ["江"], "year": ["2018-2022"]}, {"copied": ["yes"]})


def cases(index, mix: dict, extra: int = 60) -> list[dict]:
    """The (q, filters) list every shape is run for."""
    queries = mix["queries"] + mix["warmup"]
    out = [{"q": q["q"], "filters": q.get("filters") or {}} for q in queries]
    out += [{"q": q["q"], "filters": {}} for q in queries if q.get("filters")]
    multi = [q["terms"] for q in queries if q["kind"] == "multi"]
    out += [{"q": f"{t[0]} OR {t[1]} " + " ".join(t[2:]), "filters": {}} for t in multi[:extra // 2]]
    out += [{"q": " ".join(t[1:]) + f" -{t[0]}", "filters": {}} for t in multi[extra // 2:extra]]
    rng = random.Random(SEED)
    for n in range(extra):
        piece = _piece(index, rng)
        out.append({"q": f'"{piece}"' if n % 2 else piece, "filters": {}})
    out += [{"q": q["q"], "filters": f} for q, f in zip(queries[:30], EXTRA_FILTERS * 10)]
    return out


def _piece(index, rng: random.Random) -> str:
    """10–30 characters of a passage (a pasted sentence), spaces taken out."""
    gen = index.generation
    while True:
        text = gen.texts[rng.randrange(len(gen.columns["report"]))].replace(" ", "")
        size = rng.randint(10, 30)
        if len(text) > size + 1:
            start = rng.randrange(len(text) - size)
            return text[start:start + size].strip() or text[:size]


def run(index_dir: Path, mix: dict, out) -> int:
    # ``Index`` of the public interface, not ``open_index``: an old commit's
    # tree (this bench's other side) has it too.
    from indexer.api import Index, SearchError

    index = Index(Path(index_dir))
    count = 0
    for case in cases(index, mix):
        for sort, group, page in SHAPES:
            # Pages after the first ask for facet_size=10, as the web pages do: both ways are compared.
            facet_size = None if page == 1 else 10
            key = {**case, "sort": sort, "group": group, "page": page, "facet_size": facet_size}
            try:
                answer = index.search(case["q"], filters=case["filters"], page=page, per_page=10,
                                      sort=sort, group=group, facet_size=facet_size)
                answer.pop("took_ms")
            except SearchError as exc:
                answer = {"error": str(exc)}
            out.write(json.dumps({"case": key, "answer": answer}, ensure_ascii=False) + "\n")
            count += 1
    index.close()
    return count


def compare(a: Path, b: Path) -> int:
    """Print the cases whose answers differ; the number of them."""
    differ = 0
    with a.open(encoding="utf-8") as left, b.open(encoding="utf-8") as right:
        for n, (x, y) in enumerate(zip(left, right)):
            if x != y:
                differ += 1
                if differ <= 10:
                    x, y = json.loads(x), json.loads(y)
                    keys = [k for k in x["answer"] if x["answer"].get(k) != y["answer"].get(k)]
                    print(f"line {n}: {x['case']} differs in {keys}")
    sizes = sum(1 for _ in a.open(encoding="utf-8")), sum(1 for _ in b.open(encoding="utf-8"))
    print(f"{sizes[0]} / {sizes[1]} cases, {differ} differ")
    return differ + (sizes[0] != sizes[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.equivalence", description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=None)
    parser.add_argument("--work", default=str(OUT))
    parser.add_argument("--out", default=None)
    parser.add_argument("--compare", nargs=2, default=None, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.compare:
        return 1 if compare(Path(args.compare[0]), Path(args.compare[1])) else 0
    work = Path(args.work)
    index = Path(args.index) if args.index else work / "100k" / "ours-index-build2"
    with open(args.out, "w", encoding="utf-8") as out:
        print(run(index, load(work / "queries.json"), out), "cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
