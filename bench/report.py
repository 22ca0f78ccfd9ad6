"""Tables, targets and the p95 = 200 ms crossing, as Markdown.

Everything here is computed from the result dicts of ``bench.runner``; the text
this module returns is what ``python -m bench`` prints and writes to
``BENCHMARKS.md``.
"""
from __future__ import annotations

import itertools
import math

from .corpus import parse_size

MB = 1e6
MIB = 2**20
PEER_ORDER = ("scan", "fts5", "whoosh")
LABELS = {"scan": "substring scan (Python, in memory)", "fts5": "SQLite FTS5 trigram (LIKE under 3 chars)",
          "whoosh": "Whoosh + jieba `ChineseAnalyzer`", "ours": "**ours** (HTTP JSON API, facets + snippets)"}
LIMIT_MS = 200.0
OUR_BUILDS = {"build1": "**ours**, procs=1", "build2": "**ours**, procs=2",
              "lean2": "**ours**, procs=2, `--no-words`"}
# The two-process builds the targets judge (the served index is build2's).
JUDGED_BUILDS = {"build2": "default build", "lean2": "`--no-words` build"}


def num(value, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def rate(count: float, seconds: float | None) -> float | None:
    return count / seconds if seconds else None


def build_rows(res: dict) -> list[list[str]]:
    """Build table: rows of (what, seconds, passages/s, MB/s, peak RSS, index)."""
    n, size = res["corpus"]["passages"], res["corpus"]["text_bytes"]
    entries = [(f"jieba tokenization only, {p} process{'es' if p == '2' else ''}", res["jieba"][p], None)
               for p in ("1", "2")]
    entries.append(("our reader only (read, clean, structure the files)", res["reader"], None))
    for key in OUR_BUILDS:
        build = res["ours"].get(key)
        if build:
            entries.append((OUR_BUILDS[key] + " (reads the files too)", build, build["index_bytes"]))
    for peer in PEER_ORDER:
        build = res["peers"].get(peer, {}).get("build")
        if build:
            entries.append((LABELS[peer], build, build["index_bytes"]))
    return [[name, num(e["seconds"], 2), num(rate(n, e["seconds"]), 0), num(rate(size / MB, e["seconds"]), 2),
             num(e["peak_rss"] / MIB, 0), num(e.get("peak_pss", 0) / MIB, 0), num(idx / MB, 1) if idx else "–"]
            for name, e, idx in entries]


def query_rows(res: dict) -> list[list[str]]:
    """Query table: RSS, start, latency percentiles, phrase exactness."""
    rows = []
    for name in PEER_ORDER + ("ours",):
        part = res["ours"] if name == "ours" else res["peers"].get(name)
        if not part:
            continue
        query = part["query"]
        exact = part["exactness"] if name == "ours" else query["exactness"]
        lat = query["latency"]
        start = query.get("start_seconds", query.get("open_seconds"))
        rows.append([LABELS[name], num(query["rss"] / MIB, 0), num(start, 2), num(lat["p50"]), num(lat["p95"]),
                     num(lat["p99"]), f'{exact["recall"]:.3f}', f'{exact.get("mean_recall", 1):.3f}',
                     f'{exact["precision"]:.3f}',
                     f'{exact["exact"]}/{exact["queries"]}', f'{exact["missed"]:,} / {exact["wrong"]:,}'])
    return rows


def table(header: list[str], rows: list[list[str]], align: str) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def size_markdown_section(res: dict) -> str:
    c = res["corpus"]
    mean = c["text_bytes"] / max(1, c["passages"])
    head = (f"### {res['size']}: {c['passages']:,} passages in {c['reports']:,} reports, "
            f"{c['text_bytes'] / MB:.1f} MB of text (UTF-8, {mean:.0f} bytes a passage)")
    build = table(["build", "seconds", "passages/s", "MB/s", "peak RSS MB", "peak PSS MB", "index MB"],
                  build_rows(res), "lrrrrrr")
    query = table(["engine", "RSS MB", "open / start→first answer s", "p50 ms", "p95 ms", "p99 ms",
                   "phrase recall", "mean recall per query", "phrase precision", "exact phrase queries",
                   "missed / wrong passages"], query_rows(res), "lrrrrrrrrrr")
    size = res["ours"]["query"].get("mean_response_bytes")
    query += (f"\n\nOur JSON answers averaged {size / 1000:,.0f} kB (the latency clock stops when the body "
              "has been read; parsing it is not timed)." if size else "")
    missing = [LABELS[p] for p in PEER_ORDER if p not in res["peers"]]
    missing += ["our single-process build"] if "build1" not in res["ours"] else []
    skipped = f"Not run at this size (too slow; see `--heavy-max`): {', '.join(missing)}." if missing else ""
    return "\n\n".join(part for part in [head, skipped, build, build_phases(res), query] if part)


def build_phases(res: dict) -> str:
    """Where our build's time went, from the summary ``build_index`` returns
    (``timings``: seconds per phase, and ``<phase>_peak_mb`` where it says)."""
    parts = []
    for key, label in OUR_BUILDS.items():
        build = res["ours"].get(key) or {}
        timings = build.get("timings") or {}
        seconds = {k: v for k, v in timings.items() if not k.endswith("_mb") and isinstance(v, (int, float))}
        if seconds:
            rest = build["seconds"] - sum(seconds.values())
            phases = ", ".join(f"{k} {v:.1f} s" + (f" (peak {timings[k + '_peak_mb']:,.0f} MB)"
                                                   if k + "_peak_mb" in timings else "")
                               for k, v in seconds.items())
            parts.append(f"{label.replace('**', '')}: {phases}; reading the files and the rest {rest:.1f} s")
    return ("Our build's phases (from its summary): " + "; ".join(parts) + ".") if parts else ""


def _target(name: str, value: float | None, limit: float | None, shown: str, ok: bool | None) -> list[str]:
    verdict = "–" if ok is None else ("**pass**" if ok else "**FAIL**")
    return [name, shown, verdict]


def targets(res: dict) -> list[list[str]]:
    """Issue 5's targets, as ratios to the peers measured in the same run."""
    ours, peers = res["ours"], res["peers"]
    lat = ours["query"]["latency"]
    scan = peers["scan"]["query"]["latency"]
    fts5 = peers.get("fts5", {}).get("query", {}).get("latency")
    n = res["corpus"]["passages"]
    rows = []
    rows.append(_ratio("p50 ≤ ½ × substring scan p50", lat["p50"], scan["p50"], 0.5, "ms"))
    if fts5:
        rows.append(_ratio("p50 ≤ FTS5 trigram p50", lat["p50"], fts5["p50"], 1.0, "ms"))
    rows.append(_ratio("p95 ≤ ½ × substring scan p95", lat["p95"], scan["p95"], 0.5, "ms"))
    for key, label in JUDGED_BUILDS.items():
        if ours.get(key):
            rows += build_targets(res, key, label)
    rss = ours["query"]["rss"]
    rows.append(_target("server RSS ≤ 300 MB", rss, 300 * MIB, f"{rss / MIB:,.0f} MB", rss <= 300 * MIB))
    start = ours["query"]["start_seconds"]
    rows.append(_target("server start → first answer ≤ 3 s", start, 3, f"{start:.2f} s", start <= 3))
    exact = ours["exactness"]
    rows.append(_target("phrase queries exact like the scan", None, None,
                        f'{exact["exact"]}/{exact["queries"]} queries exact, {exact["missed"]} missed, '
                        f'{exact["wrong"]} wrong', exact["missed"] == 0 and exact["wrong"] == 0))
    return rows


def build_targets(res: dict, key: str, label: str) -> list[list[str]]:
    """Speed, peak memory and size of one of our two-process builds."""
    build, n, peers = res["ours"][key], res["corpus"]["passages"], res["peers"]
    jieba2 = res["jieba"]["2"]["seconds"]
    speed = n / build["seconds"]
    rows = [_target(f"build ≥ 2,000 passages/s with 2 processes ({label})", speed, 2000,
                    f"{speed:,.0f} passages/s; jieba-only (2 processes) {n / jieba2:,.0f}/s, "
                    f"ours at {speed / (n / jieba2):.0%} of it", speed >= 2000)]
    peak, pss = build["peak_rss"], build.get("peak_pss", 0)
    rows.append(_target(f"build peak RSS ≤ 1 GB ({label})", peak, 2**30,
                        f"{peak / MIB:,.0f} MB (PSS, shared pages counted once: {pss / MIB:,.0f} MB)",
                        peak <= 2**30))
    if "fts5" in peers:
        fts_bytes = peers["fts5"]["build"]["index_bytes"]
        rows.append(_ratio(f"index on disk ≤ 1.5 × FTS5 trigram ({label})", build["index_bytes"] / MB,
                           fts_bytes / MB, 1.5, "MB"))
    return rows


def _ratio(name: str, ours: float, peer: float, most: float, unit: str) -> list[str]:
    ratio = ours / peer if peer else float("inf")
    return _target(name, ours, peer * most, f"{num(ours)} {unit} vs {num(peer)} {unit}: ratio {ratio:.2f} "
                   f"(target ≤ {most:g})", ratio <= most)


def crossing(results: list[dict], limit: float = LIMIT_MS) -> str:
    """Where our p95 passes ``limit`` ms: interpolated between two measured sizes
    that bracket it, else extrapolated linearly from the two largest sizes."""
    points = sorted((r["corpus"]["passages"], r["ours"]["query"]["latency"]["p95"]) for r in results)
    for (n1, p1), (n2, p2) in itertools.pairwise(points):
        if p1 < limit <= p2:
            at = n1 + (limit - p1) * (n2 - n1) / (p2 - p1)
            return (f"p95 passes {limit:.0f} ms at about **{at:,.0f} passages**, interpolated between the "
                    f"measured {n1:,} ({p1:.1f} ms) and {n2:,} ({p2:.1f} ms).")
    if points and points[0][1] >= limit:
        return f"p95 is already {points[0][1]:.1f} ms at the smallest size measured ({points[0][0]:,} passages)."
    if len(points) < 2:
        return "Only one size measured: no crossing can be estimated."
    (n1, p1), (n2, p2) = points[-2], points[-1]
    slope = (p2 - p1) / (n2 - n1)
    if slope <= 0:
        return f"p95 did not grow between {n1:,} and {n2:,} passages: no crossing can be extrapolated."
    at = n2 + (limit - p2) / slope
    return (f"p95 passes {limit:.0f} ms at about **{at:,.0f} passages**, extrapolated linearly from the "
            f"two largest sizes measured ({n1:,}: {p1:.1f} ms, {n2:,}: {p2:.1f} ms; "
            f"{slope * 1e5:.1f} ms per 100k passages), i.e. not measured directly.")


def target_size(results: list[dict]) -> dict:
    """The run the targets are judged on: 100k passages if measured, else the largest."""
    return min(results, key=lambda r: (abs(parse_size(r["size"]) - 100_000), -r["corpus"]["passages"]))
