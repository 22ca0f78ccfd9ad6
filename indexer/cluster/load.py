"""Loading the shards from an embedded index, and moving reports between shards.

The cluster holds what the embedded build makes (the same reader, passages,
ids, normalized text and near-duplicate flags): ``sync`` reads the serving
generation of an index folder (``build --backend`` builds or updates it
first, as a staging copy) and writes to each shard only the reports whose
rows changed (a digest per report in the head), deleting those that are
gone.  An empty shard is bulk-loaded (``DISABLE KEYS``, ``LOAD DATA``,
``ENABLE KEYS``); a few changed reports are deleted and loaded again, on
their shard only.  A report keeps its number (its place in the passage order)
across updates; a new one is numbered after all others, as the embedded index
appends a new segment.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from ..analysis import normalize
from ..store.reader.generation import Generation
from ..store.directory.layout import current_generation
from .nodes import LOAD_SECONDS, Cluster, bucket_of
from .schema import PASSAGE_COLUMNS, ensure_shard, reset_if_old

_ORDINAL_BITS = 20          # seq = report number << 20 | the passage's place in its report
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
_BATCH = 500


def sync(url: str, index_dir) -> dict:
    """Write to the shards what differs from the serving generation at ``index_dir``."""
    started = time.perf_counter()
    cluster = Cluster(url)
    gen = Generation(current_generation(Path(index_dir)))
    try:
        reset_if_old(cluster.head, list(cluster.shards.values()))
        for pool in cluster.shards.values():
            ensure_shard(pool)
        known = {rid: (number, digest, shard) for rid, number, digest, shard in
                 cluster.head.query("SELECT id, number, digest, shard FROM reports")}
        plan = _plan(gen, known, cluster)
        written = _write(cluster, gen, plan)
        _bump(cluster)
    finally:
        gen.close()
        cluster.close()
    return {"backend": url, "reports": len(gen.reports), "shards": written,
            "seconds": round(time.perf_counter() - started, 2)}


def _plan(gen: Generation, known: dict, cluster: Cluster) -> dict:
    """Per shard: reports to (re)write as (position, number, digest), and ids to delete."""
    plan = {n: {"write": [], "delete": []} for n in cluster.shards}
    numbers = [v[0] for v in known.values()]
    next_number = max(numbers) + 1 if numbers else 0
    present = set()
    for position, report in enumerate(gen.reports):
        rid = report["id"]
        present.add(rid)
        digest = _digest(gen, position)
        number, old_digest, shard = known.get(rid, (None, None, None))
        if old_digest == digest:
            continue
        if number is None:
            number, next_number = next_number, next_number + 1
        else:
            plan[shard]["delete"].append(rid)
        plan[cluster.shard_of(rid)]["write"].append((position, number, digest))
    for rid, (_n, _d, shard) in known.items():
        if rid not in present:
            plan[shard]["delete"].append(rid)
    return plan


def _rows(gen: Generation, position: int, number: int) -> list[tuple]:
    """The ``passages`` rows of one report (columns: ``schema.PASSAGE_COLUMNS``)."""
    report = gen.reports[position]
    first, end = (int(x) for x in gen.report_bounds[position:position + 2])
    cols, vocab = gen.columns, gen.vocab
    texts = gen.texts.span(first, end - first)
    date = int((report.get("date") or "0").replace("-", "") or 0)
    title = normalize(report["title"] or "")
    rows = []
    for place, seq in enumerate(range(first, end)):
        heading_path = vocab["section"][cols["section"][seq]]
        rows.append((gen.passage_id(seq), (number << _ORDINAL_BITS) | place, report["id"], int(cols["ordinal"][seq]),
                     report["agency"] or "", report.get("agency_kind") or "", report.get("agency_level") or "",
                     report["province"] or "", report["city"] or "", report.get("doc_type") or "",
                     int(cols["year"][seq]),
                     int(cols["category"][seq]), heading_path,
                     int(cols["heading"][seq]) if "heading" in cols else 0, int(gen.copied[seq]),
                     int(cols["length"][seq]), date, gen.norm[seq], texts[place], title, normalize(heading_path),
                     number))
    return rows


def _digest(gen: Generation, position: int) -> str:
    """What the shard holds of a report, hashed (its number left out)."""
    rows = [row[:1] + row[2:-1] for row in _rows(gen, position, 0)]
    blob = json.dumps([gen.reports[position], rows], ensure_ascii=False, sort_keys=True)
    return hashlib.md5(blob.encode("utf-8")).hexdigest()


def _write(cluster: Cluster, gen: Generation, plan: dict) -> dict:
    """Each shard's part of the plan, the shards in parallel; then the head's report table."""
    def apply(shard: int):
        return lambda pool: _apply_shard(pool, gen, plan[shard])

    busy = [n for n in plan if plan[n]["write"] or plan[n]["delete"]]
    cluster.fan_out([(n, apply(n)) for n in busy])
    head_rows = []
    for shard in busy:
        for position, number, digest in plan[shard]["write"]:
            report = gen.reports[position]
            first, end = (int(x) for x in gen.report_bounds[position:position + 2])
            length = int(gen.columns["length"][first:end].sum())
            head_rows.append((report["id"], number, bucket_of(report["id"]), shard, digest, end - first, length,
                              json.dumps(report, ensure_ascii=False)))
    gone = [rid for n in busy for rid in plan[n]["delete"]]
    written = {rid for rid, *_ in head_rows}
    _in_batches(cluster.head, "DELETE FROM reports WHERE id IN ({})", [r for r in gone if r not in written])
    for start in range(0, len(head_rows), _BATCH):
        _executemany(cluster.head, "REPLACE INTO reports VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                     head_rows[start:start + _BATCH])
    return {n: {"written": len(plan[n]["write"]), "deleted": len(plan[n]["delete"])} for n in busy}


def _apply_shard(pool, gen: Generation, part: dict) -> None:
    _in_batches(pool, "DELETE FROM passages WHERE report_id IN ({})", part["delete"])
    _in_batches(pool, "DELETE FROM reports WHERE id IN ({})", part["delete"])
    if not part["write"]:
        return
    empty = not pool.query("SELECT 1 FROM passages LIMIT 1")
    rows = (row for position, number, _ in part["write"] for row in _rows(gen, position, number))
    load_rows(pool, rows, bulk=empty)
    structures = [(gen.reports[p]["id"], json.dumps(_structure(gen, p), ensure_ascii=False))
                  for p, _, _ in part["write"]]
    for start in range(0, len(structures), _BATCH):
        _executemany(pool, "REPLACE INTO reports VALUES (%s,%s)", structures[start:start + _BATCH])


def _structure(gen: Generation, position: int) -> dict:
    """The report's structure as the index stores it (passages without their text)."""
    report = gen.read_report(gen.reports[position]["id"])
    report.pop("text", None)
    for passage in report["passages"]:
        passage.pop("text", None)
    return report


def load_rows(pool, rows, bulk: bool) -> int:
    """``LOAD DATA`` of passage rows through a temporary file; ``bulk``: the
    full-text indexes are built once at the end (``DISABLE``/``ENABLE KEYS``)."""
    count = 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv", delete=False) as out:
        for row in rows:
            out.write("\t".join(str(v).translate(_ESCAPES) for v in row) + "\n")
            count += 1
    try:
        with pool.connection(LOAD_SECONDS) as conn, conn.cursor() as cursor:
            if bulk:
                cursor.execute("ALTER TABLE passages DISABLE KEYS")
            cursor.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE passages CHARACTER SET utf8mb4 "
                           f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                           f"({', '.join(PASSAGE_COLUMNS)})", (out.name,))
            if bulk:
                cursor.execute("ALTER TABLE passages ENABLE KEYS")
    finally:
        os.unlink(out.name)
    return count


def _in_batches(pool, sql: str, ids: list[str]) -> None:
    for start in range(0, len(ids), _BATCH):
        part = ids[start:start + _BATCH]
        pool.query(sql.format(",".join(["%s"] * len(part))), part)


def _executemany(pool, sql: str, rows: list[tuple]) -> None:
    with pool.connection() as conn, conn.cursor() as cursor:
        cursor.executemany(sql, rows)


def _bump(cluster: Cluster) -> None:
    """A new generation number: every client reloads its report table and statistics."""
    cluster.head.query("UPDATE state SET value = value + 1 WHERE name = 'generation'")


def rebalance(url: str) -> dict:
    """Give shards without their share of buckets some (taken from the fullest),
    then move every report whose bucket now lies on another shard: its rows are
    copied to the new shard, then deleted from the old one."""
    started = time.perf_counter()
    cluster = Cluster(url)
    try:
        for pool in cluster.shards.values():
            ensure_shard(pool)
        _deal_buckets(cluster)
        cluster.load_topology()
        moves = cluster.head.query("SELECT r.id, r.shard, b.shard FROM reports r JOIN buckets b "
                                   "ON r.bucket = b.bucket WHERE r.shard <> b.shard")
        for rid, source, target in moves:
            _move(cluster, rid, source, target)
        _bump(cluster)
    finally:
        cluster.close()
    return {"moved": len(moves), "seconds": round(time.perf_counter() - started, 2)}


def _deal_buckets(cluster: Cluster) -> None:
    table = dict(cluster.head.query("SELECT bucket, shard FROM buckets"))
    shards = sorted(cluster.shards)
    share = len(table) // len(shards)
    held = {n: sorted(b for b, s in table.items() if s == n) for n in shards}
    for needy in (n for n in shards if len(held[n]) < share):
        while len(held[needy]) < share:
            donor = max(shards, key=lambda n: len(held[n]))
            bucket = held[donor].pop()
            held[needy].append(bucket)
            cluster.head.query("UPDATE buckets SET shard = %s WHERE bucket = %s", (needy, bucket))


def _move(cluster: Cluster, rid: str, source: int, target: int) -> None:
    old, new = cluster.shards[source], cluster.shards[target]
    rows = old.query(f"SELECT {', '.join(PASSAGE_COLUMNS)} FROM passages WHERE report_id = %s", (rid,))
    structure = old.query("SELECT structure FROM reports WHERE id = %s", (rid,))
    new.query("DELETE FROM passages WHERE report_id = %s", (rid,))
    load_rows(new, rows, bulk=False)
    if structure:
        new.query("REPLACE INTO reports VALUES (%s, %s)", (rid, structure[0][0]))
    cluster.head.query("UPDATE reports SET shard = %s WHERE id = %s", (target, rid))
    old.query("DELETE FROM passages WHERE report_id = %s", (rid,))
    old.query("DELETE FROM reports WHERE id = %s", (rid,))
