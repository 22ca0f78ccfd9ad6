"""What a page shows of the cluster's passages and reports: a hit (the
embedded ``Index._hit``'s fields, with our snippet from the stored display
text) and a whole report read back from its shard."""
from __future__ import annotations

import json

from ..errors import NotFound
from ..model import CATEGORIES, made_up_title
from ..search.checks import check_report_id
from ..search.snippets import snippet

_NOT_REPORT_FIELDS = ("id", "fmt", "source")   # file details, not the report's metadata


def hit(state, row: dict, terms: list[str], near: bool, partial: bool) -> dict:
    """One hit from a shard's candidate row and the report table the client holds."""
    report = state.rows_by_id[row["report_id"]]
    found = {
        "passage_id": row["id"], "report_id": report["id"],
        "title": report["title"], "display_title": report["title"] or made_up_title(report["agency"], report["year"],
                                                                                  report.get("doc_type", "")),
        "title_made_up": not report["title"], "agency": report["agency"],
        "agency_kind": report.get("agency_kind", ""), "agency_level": report.get("agency_level", ""),
        "doc_type": report.get("doc_type", ""), "province": report["province"], "city": report["city"], "year": report["year"], "date": report["date"],
        "section": row["section"], "category": CATEGORIES[row["category"]], "ordinal": row["ordinal"],
        "text": row["text"], "copied": bool(row["copied"]),
        "snippet": snippet(row["text"], terms, row["norm"]),
        "match": "near" if near else ("some" if partial else "all"),
    }
    # Every other field of the report table (county, source_url, and any the reader adds).
    found.update((k, v) for k, v in report.items() if k not in found and k not in _NOT_REPORT_FIELDS)
    return found


def read_report(cluster, shard_of: dict[str, int], report_id: str) -> dict:
    """A report's structure with every passage's text, from the shard that holds it."""
    check_report_id(report_id)
    shard = shard_of.get(report_id)
    pool = cluster.shards.get(shard) if shard is not None else None
    found = pool.query("SELECT structure FROM reports WHERE id = %s", (report_id,)) if pool else []
    if not found:
        raise NotFound(f"没有编号为“{report_id}”的报告")
    report = json.loads(found[0][0])
    texts = dict(pool.query("SELECT id, text FROM passages WHERE report_id = %s", (report_id,)))
    for passage in report["passages"]:
        passage["text"] = texts.get(passage["id"], "")
    report["text"] = "\n\n".join(p["text"] for p in report["passages"])
    return report
