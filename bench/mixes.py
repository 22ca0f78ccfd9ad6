"""Alternative query mixes: which kinds of query make our ratio to the scan bad.

``python -m bench.mixes [--size 100k] [--mixes substr,topwords,...] [--filters none,half,all,keep,half-agency,…]
[--count 200] [--json FILE] [--profile MIX]``

Mixes: bench (the bench's own queries; ``keep`` = with its own filters), date
(sort=date), grouped (group=report), substr, topwords, chars, boolean (AND/OR/-),
pages (2–5), long (quoted 10–30 chars), pasted (the same unquoted), nomatch, typo.

Uses the corpus and the index the last ``python -m bench`` run left
(``bench/data/<size>/passages.jsonl``, ``bench/out/<size>/ours-index-build2``).
Each mix is ~``count`` queries (plus a warm-up of 10 of the same kind),
generated from the corpus with a fixed seed.  As the bench does, the scan is
timed in this process (``ScanPeer`` extended with OR clauses, exclusions and
pages), ours over HTTP against ``python -m search_web`` (JSON API, per_page=10,
facets and snippets included); sequential, never both at once.

The scan's terms are what our parser makes of the query (``parse_query``:
clauses of OR'd terms, excluded terms), so both answer the same question
(ours also lists near misses: its own extra work, counted).

``--profile MIX``: instead of timing, cProfile the mix through the Flask app
in-process (``app.test_client()``: routing, the page dict, JSON included, no
socket), and print the top functions and the slowest queries.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import heapq
import io
import json
import pstats
import random
import re
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from .corpus import DATA
from .measure import percentile
from .ours import Server
from .peers import FACETS, facet_lists
from .peers.scan import ScanPeer, snippet
from .runner import OUT
from .textnorm import norm

SEED = 20240611
FILTER_CATEGORIES = ("主要举措和成效", "存在的不足和原因", "第一责任人职责", "下一年度安排")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_PHRASE = re.compile(r"^[\u4e00-\u9fff\d]+$")
MIXES = ("bench", "date", "grouped", "substr", "topwords", "chars", "boolean", "pages", "long", "pasted", "nomatch", "typo")


# --- the scan, answering the same queries ------------------------------------

class MixScan(ScanPeer):
    """The scan with OR clauses, excluded terms and pages (``clauses``, ``excluded``, ``page``)."""

    def matches(self, query: dict) -> list[int]:
        texts = self.texts
        rows = self.candidates(query.get("filters"))
        rows = range(len(texts)) if rows is None else rows
        found = rows
        for clause in query["clauses"]:
            if len(clause) == 1:
                term = clause[0]
                found = [i for i in found if term in texts[i]]
            else:
                found = [i for i in found if any(t in texts[i] for t in clause)]
        for term in query["excluded"]:
            found = [i for i in found if term not in texts[i]]
        return list(found)

    def search(self, query: dict) -> dict:
        found = self.matches(query)
        terms = [t for clause in query["clauses"] for t in clause]
        texts = self.texts
        facets = {f: Counter(self.fields[f][i] for i in found) for f in FACETS}
        page = query.get("page", 1)
        top = heapq.nlargest(10 * page, found,
                             key=lambda i: sum(texts[i].count(t) for t in terms) / (len(texts[i]) + 50))
        hits = [{"passage_id": self.pids[i], "snippet": snippet(texts[i], terms)} for i in top[10 * (page - 1):]]
        return {"total": len(found), "hits": hits, "facets": facet_lists(facets)}


def with_clauses(query: dict) -> dict:
    """The query with the clauses and exclusions our parser reads in it."""
    from indexer.api import parse_query

    parsed = parse_query(query["q"])
    return {**query, "clauses": [[t.norm for t in c] for c in parsed.clauses],
            "excluded": [t.norm for t in parsed.excluded]}


# --- the mixes ---------------------------------------------------------------

class Corpus:
    def __init__(self, rows: list[dict], rng: random.Random):
        self.rows = rows
        self.texts = [norm(r["text"]) for r in rows]
        self.rng = rng
        self.agencies = sorted({r["agency"] for r in rows})
        self.years = sorted({str(r["year"]) for r in rows if r.get("year")})
        self._sample = rng.sample(self.texts, 3000)
        self._words: list[tuple[str, int]] | None = None

    def occurs(self, piece: str) -> bool:
        return any(piece in t for t in self.texts)

    def substring(self, length: int) -> str:
        while True:
            text = self.rng.choice(self.texts)
            if len(text) <= length:
                continue
            start = self.rng.randrange(len(text) - length)
            piece = text[start:start + length]
            if _PHRASE.match(piece):
                return piece

    def words(self) -> list[tuple[str, int]]:
        """jieba words of 2–4 Chinese characters, by document frequency in the sample."""
        if self._words is None:
            import jieba

            jieba.setLogLevel(60)
            df = Counter(w for t in self._sample for w in set(jieba.lcut(t)) if _CJK.match(w) and 2 <= len(w) <= 4)
            self._words = df.most_common()
        return self._words

    def chars(self) -> list[tuple[str, int]]:
        df = Counter(c for t in self._sample for c in set(t) if _CJK.match(c))
        return df.most_common()

    def filter(self, n: int) -> dict:
        kind = ("agency", "year", "section")[n % 3]
        if kind == "agency":
            return {"agency": [self.rng.choice(self.agencies)]}
        if kind == "year":
            return {"year": [self.rng.choice(self.years)]}
        return {"section": [self.rng.choice(FILTER_CATEGORIES)]}


def _q(q: str, kind: str, **extra) -> dict:
    return {"q": q, "kind": kind, **extra}


def make_mix(name: str, corpus: Corpus, count: int) -> list[dict]:
    """``count`` + 10 queries (the last 10: the warm-up) of mix ``name``."""
    rng, need = corpus.rng, count + 10
    out: list[dict] = []
    if name == "bench":                     # the bench's own mix, as the bench ran it
        mix = json.loads((OUT / "queries.json").read_text(encoding="utf-8"))
        return [_q(q["q"], f"{q['kind']}-{q['freq']}", filters=q.get("filters") or {})
                for q in mix["queries"] + mix["warmup"]]
    if name in ("date", "grouped"):         # the bench's queries sorted by date / grouped by report
        mix = json.loads((OUT / "queries.json").read_text(encoding="utf-8"))   # (the scan ranks as usual)
        extra = {"sort": "date"} if name == "date" else {"group": "report"}
        return [_q(q["q"], f"{q['kind']}-{q['freq']}", params=extra) for q in mix["queries"] + mix["warmup"]]
    if name == "substr":                    # uniform random substrings, 2–8 chars
        for n in range(need):
            piece = corpus.substring(rng.randint(2, 8))
            out.append(_q(f'"{piece}"', f"quoted{len(piece)}") if n % 2 else _q(piece, f"unquoted{len(piece)}"))
    elif name == "topwords":                # the most frequent jieba words
        out = [_q(w, "topword") for w, _ in corpus.words()[:need]]
    elif name == "chars":                   # single characters: the 100 most common, then mid-frequency
        chars = corpus.chars()
        common, middle = chars[:need // 2], rng.sample(chars[100:1000], need - need // 2)
        out = [_q(c, "char-common") for c, _ in common] + [_q(c, "char-mid") for c, _ in middle]
        rng.shuffle(out)
    elif name == "boolean":                 # 2–4 words of one passage; AND, OR, minus
        import jieba

        top = [w for w, _ in corpus.words()[:300]]
        while len(out) < need:
            words = list(dict.fromkeys(w for w in jieba.lcut(rng.choice(corpus.texts))
                                       if _CJK.match(w) and 2 <= len(w) <= 4))
            if len(words) < 4:
                continue
            chosen = rng.sample(words, rng.randint(2, 4))
            style = len(out) % 3
            if style == 0:
                out.append(_q(" ".join(chosen), f"and{len(chosen)}"))
            elif style == 1:
                out.append(_q(f"{chosen[0]} OR {chosen[1]} " + " ".join(chosen[2:]), f"or{len(chosen)}"))
            else:
                minus = rng.choice([w for w in top if w not in chosen])
                out.append(_q(" ".join(chosen) + f" -{minus}", f"minus{len(chosen)}"))
    elif name == "pages":                   # the bench's queries, pages 2–5
        mix = json.loads((OUT / "queries.json").read_text(encoding="utf-8"))
        out = [_q(q["q"], f"{q['kind']}-p", page=rng.randint(2, 5)) for q in mix["queries"] + mix["warmup"]]
    elif name in ("long", "pasted"):        # 10–30 chars of a passage, quoted (long) or as typed (pasted)
        for _ in range(need):
            piece = corpus.substring(rng.randint(10, 30))
            out.append(_q(f'"{piece}"', "long") if name == "long" else _q(piece, "pasted"))
    elif name == "nomatch":                 # strings of common characters no passage holds
        chars = [c for c, _ in corpus.chars()[:300]]
        while len(out) < need:
            piece = "".join(rng.sample(chars, rng.randint(3, 5)))
            if not corpus.occurs(piece):
                out.append(_q(f'"{piece}"', "nomatch-quoted") if len(out) % 2 else _q(piece, "nomatch-unquoted"))
    elif name == "typo":                    # a frequent word with one character changed: no passage holds it
        words = [w for w, _ in corpus.words()[:2000] if len(w) >= 2]
        chars = [c for c, _ in corpus.chars()[:500]]
        while len(out) < need:
            word = rng.choice(words)
            at = rng.randrange(len(word))
            typo = word[:at] + rng.choice(chars) + word[at + 1:]
            if typo != word and not corpus.occurs(typo):
                out.append(_q(typo, "typo"))
    else:
        raise ValueError(f"unknown mix {name!r}")
    return out[:need]


def apply_filters(queries: list[dict], corpus: Corpus, mode: str) -> list[dict]:
    """none: no filter; half: every other query (the bench's rule); all: every query
    (agency, year, section in turn; ``half-agency``, ``all-year`` …: that kind only);
    keep: as the mix made them (the bench mix's own)."""
    if mode == "keep":
        return queries
    out = []
    share, _, kind = mode.partition("-")          # half-agency, all-year …: one kind of filter only
    for n, query in enumerate(queries):
        wanted = share == "all" or (share == "half" and n % 2)
        step = n // (2 if share == "half" else 1)
        if kind:
            step = ("agency", "year", "section").index(kind)
        out.append({**query, "filters": corpus.filter(step) if wanted else {}})
    return out


# --- measuring ---------------------------------------------------------------

def path_of(query: dict) -> str:
    params = [("q", query["q"]), ("per_page", "10")]
    if query.get("page", 1) != 1:
        params.append(("page", str(query["page"])))
    params.extend((query.get("params") or {}).items())
    for field, values in (query.get("filters") or {}).items():
        params.extend((field, str(v)) for v in values)
    return "/search.json?" + urllib.parse.urlencode(params)


def http_get(server: Server, query: dict) -> bytes:
    return server.get_raw(query, path_of(query))


def time_scan(scan: MixScan, mixes: dict) -> dict:
    out = {}
    for name, (queries, warmup) in mixes.items():
        for query in warmup:
            scan.search(query)
        times, totals = [], []
        for query in queries:
            started = time.perf_counter()
            answer = scan.search(query)
            times.append((time.perf_counter() - started) * 1000)
            totals.append(answer["total"])
        out[name] = {"ms": times, "totals": totals}
    return out


def time_ours(index: Path, mixes: dict) -> dict:
    server = Server(index)
    out = {}
    try:
        first = next(iter(mixes.values()))[1][0]
        server.start({**first, "filters": first.get("filters") or {}})
        for name, (queries, warmup) in mixes.items():
            for query in warmup:
                http_get(server, query)
            times, totals, took, sizes = [], [], [], []
            for query in queries:
                started = time.perf_counter()
                body = http_get(server, query)
                times.append((time.perf_counter() - started) * 1000)
                answer = json.loads(body)
                totals.append(answer.get("total"))
                took.append(answer.get("took_ms"))
                sizes.append(len(body))
            out[name] = {"ms": times, "totals": totals, "took_ms": took, "bytes": sizes}
    finally:
        server.stop()
    return out


def summary(name: str, queries: list[dict], ours: dict, scan: dict) -> dict:
    o, s = ours["ms"], scan["ms"]
    o50, o95, s50, s95 = percentile(o, 50), percentile(o, 95), percentile(s, 50), percentile(s, 95)
    lib = [t for t in ours["took_ms"] if t is not None]
    return {"mix": name, "n": len(o), "ours_p50": o50, "ours_p95": o95, "scan_p50": s50, "scan_p95": s95,
            "r50": o50 / s50, "r95": o95 / s95, "lib_p50": percentile(lib, 50), "lib_p95": percentile(lib, 95),
            "zero": sum(1 for t in ours["totals"] if not t),
            "total_diff": sum(1 for a, b in zip(ours["totals"], scan["totals"]) if a != b),
            "kb": sum(ours["bytes"]) / len(o) / 1000}


def by_kind(queries: list[dict], ours: dict, scan: dict) -> list[tuple]:
    groups: dict[str, list[int]] = {}
    for n, q in enumerate(queries):
        groups.setdefault(q["kind"] + "".join(f"+{f}" for f in (q.get("filters") or {})), []).append(n)
    rows = []
    for kind, ns in sorted(groups.items()):
        o = [ours["ms"][n] for n in ns]
        s = [scan["ms"][n] for n in ns]
        rows.append((kind, len(ns), percentile(o, 50), percentile(s, 50), sum(o) / len(o), sum(s) / len(s)))
    return rows


# --- profiling through the app -----------------------------------------------

def profile_mix(index: Path, queries: list[dict], warmup: list[dict], top: int = 30) -> str:
    from search_web import create_app

    app = create_app({"INDEX_DIR": index, "FREEZE_GC": True})
    client = app.test_client()
    for query in warmup:
        client.get(path_of(query))
    profiler = cProfile.Profile()
    timings = []
    for query in queries:
        started = time.perf_counter()
        profiler.enable()
        response = client.get(path_of(query))
        profiler.disable()
        timings.append(((time.perf_counter() - started) * 1000, response.get_json().get("took_ms"), query))
    out = io.StringIO()
    for order in ("tottime", "cumulative"):
        out.write(f"\n=== by {order} ===\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
    out.write("\n=== slowest (ms in app, profiled / library took_ms) ===\n")
    for ms, took, query in sorted(timings, key=lambda t: -t[0])[:15]:
        out.write(f"{ms:8.1f} {took or 0:8.1f}  {query['kind']:12} {query['q']}  {query.get('filters') or ''}"
                  f" {('page ' + str(query['page'])) if query.get('page') else ''}\n")
    return out.getvalue()


# --- main ----------------------------------------------------------------------

def load_rows(size: str) -> list[dict]:
    with open(DATA / size / "passages.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mixes", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--index", default=None)
    parser.add_argument("--mixes", default=",".join(MIXES))
    parser.add_argument("--filters", default="none", help="none, half, all (comma-separated: each is a run)")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--json", default=None, help="write per-query results here")
    parser.add_argument("--profile", default=None, help="profile this mix through the app instead of timing")
    parser.add_argument("--worst", type=int, default=8, help="slowest queries of ours to list per mix")
    args = parser.parse_args(argv)
    index = Path(args.index) if args.index else OUT / args.size / "ours-index-build2"
    rows = load_rows(args.size)
    corpus = Corpus(rows, random.Random(SEED))
    mixes: dict[str, tuple[list[dict], list[dict]]] = {}
    names = [args.profile] if args.profile else [m for m in args.mixes.split(",") if m]
    for name in names:
        made = make_mix(name, corpus, args.count)
        for mode in args.filters.split(","):
            if mode == "keep" and name != "bench":
                continue
            queries = [with_clauses(q) for q in apply_filters(made, corpus, mode)]
            label = name if mode == "none" else f"{name}+{mode}"
            mixes[label] = (queries[:-10], queries[-10:])
    if args.profile:
        for label, (queries, warmup) in mixes.items():
            print(f"##### {label}")
            print(profile_mix(index, queries, warmup))
        return 0
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    log(f"{len(mixes)} mixes; scan …")
    scan = MixScan()
    scan.open(Path(""), rows)
    del rows, corpus
    gc.collect()
    gc.freeze()          # jieba's dictionary and the mixes: out of the collector's passes
    scanned = time_scan(scan, mixes)
    del scan
    gc.collect()
    log("ours …")
    ours = time_ours(index, mixes)
    print(f"{'mix':18} {'n':>4} {'ours50':>7} {'ours95':>7} {'scan50':>7} {'scan95':>7} {'r50':>5} {'r95':>5}"
          f" {'lib50':>6} {'lib95':>6} {'zero':>4} {'diff':>4} {'kB':>5}")
    results = {}
    for label, (queries, _) in mixes.items():
        s = summary(label, queries, ours[label], scanned[label])
        results[label] = {"summary": s, "queries": [
            {**q, "ours_ms": o, "scan_ms": c, "took_ms": t, "ours_total": ot, "scan_total": st}
            for q, o, c, t, ot, st in zip(queries, ours[label]["ms"], scanned[label]["ms"], ours[label]["took_ms"],
                                         ours[label]["totals"], scanned[label]["totals"])]}
        print(f"{label:18} {s['n']:4} {s['ours_p50']:7.1f} {s['ours_p95']:7.1f} {s['scan_p50']:7.1f} "
              f"{s['scan_p95']:7.1f} {s['r50']:5.2f} {s['r95']:5.2f} {s['lib_p50']:6.1f} {s['lib_p95']:6.1f} "
              f"{s['zero']:4} {s['total_diff']:4} {s['kb']:5.1f}")
    for label, (queries, _) in mixes.items():
        print(f"\n--- {label}: by kind (n, ours p50, scan p50, ours mean, scan mean)")
        for kind, n, o50, s50, om, sm in by_kind(queries, ours[label], scanned[label]):
            print(f"  {kind:22} {n:4} {o50:7.1f} {s50:7.1f} {om:7.1f} {sm:7.1f}")
        print(f"  slowest of ours (ms ours / lib took / scan, total):")
        for q in sorted(results[label]["queries"], key=lambda q: -q["ours_ms"])[:args.worst]:
            print(f"  {q['ours_ms']:7.1f} {q['took_ms'] or 0:7.1f} {q['scan_ms']:7.1f} {q['ours_total']!s:>7}  "
                  f"{q['kind']:14} {q['q']} {q.get('filters') or ''} {('p' + str(q['page'])) if q.get('page') else ''}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
