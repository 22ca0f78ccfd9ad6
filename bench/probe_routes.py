"""``python -m bench.probe_routes``: random requests over every route of the web app.

Sends ``--requests`` GET and HEAD requests (15% HEAD), in process through
Flask's test client, to the routes of ``search_web`` served from ``--index``:
each route picked at random, its path variables filled with real, wrong and
odd ids, and up to five parameters out of every name the routes read, with
real queries and odd values (empty, NaN, full-width and Arabic-Indic digits,
NUL, a zero-width space, 300 characters, formulas, ``\\r\\n``…).

Counts the answers by status.  A failure is a 5xx other than 503 (a 503 is
the clear "not ready" or "too many exports, retry after" answer), an exception
out of the app, or a HEAD answer with a body.  Prints a JSON summary (counts,
failures, the first few failing requests) and exits 1 on any failure.
``--seed`` makes a run repeatable.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from urllib.parse import quote

ODD = ["", "0", "-1", "1", "2", "x", "²", "٣", "２０２０", "NaN", "1e3", "99999999999999999999", "\x00", "\u200b",
       "\ufeff", "%", "'", '"', "<script>", "执法", "龘", "双随机、一公开", "2018--2022", "2020-", "-2020", "2019-2021",
       "yes", "no", "on_time", "late", "passage", "report", "relevance", "date", "year", "agency", "问题", "成效",
       "a" * 300, "执法 OR 龘", '"执法', "year:2022", "（", "𠀀", "\r\n", "=1+1", "@SUM(1)"]
KEYS = ["q", "q", "q", "year", "agency", "agency_kind", "agency_level", "province", "city", "section", "report",
        "copied", "doc_type", "page", "per_page", "sort", "facet_size", "group", "category", "deadline", "part",
        "layout", "measure", "split", "top", "width", "year_from", "year_to", "fmt", "zzz"]
QUERIES = ["执法", "的", "双随机", '"双随机、一公开"', "营商环境 OR 龘", "法治 -疫情", "year:2022 执法", ""]
HEAD_SHARE = 0.15
SHOWN = 20          # failing requests listed in the summary


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.probe_routes", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="a built index folder")
    parser.add_argument("--requests", type=int, default=3000, help="requests to send (default 3000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random choices (default 1)")
    return parser.parse_args(argv)


def make_client(index: str):
    """A test client of the app as a server configures it, bar the collector and the word warm-up."""
    from search_web import create_app

    app = create_app({"INDEX_DIR": index, "FREEZE_GC": False, "WARM_WORDS": False, "WAIT_FOR_SWAP": True,
                      "MAX_EXPORTS": 2})
    app.logger.disabled = True
    return app, app.test_client()


def known_ids(client) -> tuple[list[str], list[str]]:
    """Real passage and report ids, from a search (the probe's ids are these, changed or not)."""
    hits = (client.get("/search.json?q=执法&per_page=50").json or {}).get("hits") or []
    passages = [h["passage_id"] for h in hits] or ["r2022-0000000000-0001"]
    reports = sorted({h.get("report_id") or p.rsplit("-", 1)[0] for h, p in zip(hits, passages)}) or \
        [passages[0].rsplit("-", 1)[0]]
    return passages, reports


def fill_path(rule: str, rng: random.Random, passages: list[str], reports: list[str]) -> str:
    """The rule's path with its variables filled: a real id, a wrong one, or an odd one."""
    if "<id:report_id>" in rule:
        rule = rule.replace("<id:report_id>", rng.choice(reports + ["x", "r" * 40, "%00", "..", quote("执法")]))
    if "<id:passage_id>" in rule:
        first = passages[0]
        rule = rule.replace("<id:passage_id>", rng.choice(passages + ["x", first + "9", first[:-1], "-1"]))
    if "<any(" in rule:
        head, _, tail = rule.partition("<any(")
        choices = [o.strip().strip('"') for o in tail.split(")")[0].split(",")]
        rule = head + rng.choice(choices) + tail.split(">", 1)[1]
    return rule


def random_params(rng: random.Random) -> list[tuple[str, str]]:
    """Up to five parameters: real queries for ``q`` most of the time, else odd values."""
    params = []
    for _ in range(rng.randint(0, 5)):
        key = rng.choice(KEYS)
        params.append((key, rng.choice(QUERIES) if key == "q" and rng.random() < 0.6 else rng.choice(ODD)))
    return params


def send(client, method: str, path: str, params) -> tuple[object, str | None, str]:
    """(status or "exception", kind of failure or None, what was answered) of one request."""
    try:
        answer = client.open(path, method=method, query_string=params)
        status, body = answer.status_code, answer.get_data()
        answer.close()
    except Exception as exc:        # the app let an exception out: a crash
        return "exception", "exception", repr(exc)[:300]
    if 500 <= status < 600 and status != 503:
        return status, "5xx", body.decode("utf-8", "replace")[:200]
    if method == "HEAD" and body:
        return status, "head_with_body", f"{len(body)} bytes"
    return status, None, ""


def probe(index: str, requests: int, seed: int) -> dict:
    """Send the requests; the summary of their answers."""
    app, client = make_client(index)
    rng = random.Random(seed)
    passages, reports = known_ids(client)
    rules = sorted((r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"))
    statuses, kinds, failures = collections.Counter(), collections.Counter(), []
    started = time.perf_counter()
    for _ in range(requests):
        path = fill_path(rng.choice(rules), rng, passages, reports)
        params = random_params(rng)
        method = "HEAD" if rng.random() < HEAD_SHARE else "GET"
        status, failed, detail = send(client, method, path, params)
        statuses[str(status)] += 1
        if failed:
            kinds[failed] += 1
            failures.append({"method": method, "path": path, "params": params, "status": status, "answer": detail})
    return {"index": index, "requests": requests, "seed": seed, "routes": len(rules),
            "statuses": dict(sorted(statuses.items())), "failures": len(failures),
            **{kind: kinds[kind] for kind in ("5xx", "exception", "head_with_body")},
            "seconds": round(time.perf_counter() - started, 1), "first_failures": failures[:SHOWN]}


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = probe(args.index, args.requests, args.seed)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
