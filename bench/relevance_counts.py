"""Do count queries put their answer first?  For each row of the ``queries.tsv``
of ``../shared/real`` and ``../shared/real2`` whose query asks for a count (a
word such as 次数, 场次, 数量, 人数, or one ending in 率), the place of its
answer passage among its own report's passages and among all 80 reports' (one
index of both folders: the answer competes with every other report's numbers).

``python -m bench.relevance_counts [--cache DIR]`` builds that index once and
prints the table.  Issue 23's bar: each answer in the top 3.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = ("real", "real2")
CACHE = ROOT / "bench" / "data" / "relevance_counts"
COUNT_WORDS = ("次数", "场次", "人次", "件数", "户次", "数量", "金额", "比例", "人数")
DEPTH = 50        # places read; an answer further down is reported as not found
BAR = 3


def asks_a_count(query: str) -> bool:
    """Whether a query asks how many (read from its words, not from the parser under test)."""
    return any(word in query for word in COUNT_WORDS) or any(w.endswith("率") for w in query.split())


def count_rows(shared: Path = SHARED) -> list[dict]:
    """The count rows of both sets' ``queries.tsv``, each with its ``set``."""
    rows = []
    for name in SETS:
        with open(shared / name / "queries.tsv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if asks_a_count(row["query"]):
                    rows.append({**row, "set": name, "answer_substring": row["answer_substring"].replace('\\"', '"')})
    return rows


def places(index, row: dict) -> tuple[int | None, int | None]:
    """(place of the row's answer among its report's passages, among all passages): 1 is first."""
    report = index.search(f'"{row["phrase"]}"')["hits"][0]["report_id"]   # the phrase is in its file only
    in_report = index.search(row["query"], {"report": [report]}, per_page=DEPTH)["hits"]
    overall = index.search(row["query"], per_page=DEPTH)["hits"]
    return _place(in_report, row["answer_substring"]), _place(overall, row["answer_substring"])


def _place(hits: list[dict], answer: str) -> int | None:
    return next((n + 1 for n, hit in enumerate(hits) if answer in hit["text"]), None)


def open_both(shared: Path = SHARED, cache: Path = CACHE):
    """The index of both sets' reports (built once into ``cache``), opened."""
    from indexer.api import build_index, open_index

    index_dir = cache / "index"
    if not any(index_dir.glob("gen-*")):
        print(f"building the index of {' + '.join(SETS)} in {index_dir} …", file=sys.stderr)
        build_index([shared / name / "reports" for name in SETS], index_dir, procs=1)
    return open_index(index_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance_counts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the folder holding real/ and real2/")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the index is kept")
    args = parser.parse_args(argv)
    if not all((args.shared / name / "queries.tsv").exists() for name in SETS):
        print(f"no queries.tsv under {args.shared}/real and real2", file=sys.stderr)
        return 2
    index = open_both(args.shared, args.cache)
    try:
        print("| set | query | answer | in its report | among all 80 reports |\n|---|---|---|---|---|")
        met = {"in its report": 0, "among all": 0}
        rows = count_rows(args.shared)
        for row in rows:
            own, overall = places(index, row)
            met["in its report"] += own is not None and own <= BAR
            met["among all"] += overall is not None and overall <= BAR
            print(f"| {row['set']} | {row['query']} | {row['answer_substring']} | {own or '–'} | {overall or '–'} |")
    finally:
        index.close()
    print(f"\nin the top {BAR}: {met['in its report']}/{len(rows)} in their report, "
          f"{met['among all']}/{len(rows)} among all 80 reports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
