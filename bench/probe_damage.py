"""``python -m bench.probe_damage``: every file of a built index damaged, and asked again.

Copies the index at ``--index`` and, for every file of it (``--files``: only
those whose path under the index matches one of the globs), damages one copy
in each of 8 ways: deleted, emptied, one byte cut, half cut, a byte flipped
at the start, in the middle and near the end, a byte appended.  Each damaged
copy is asked the questions the clean one answered, two ways:

- the server's: the web app as a test opens it (it reads every byte before
  serving), 14 JSON routes (searches, filters, reports, kwic, trend, cards,
  compare, a passage and its report);
- the serving server's: the same routes from the app as ``python -m
  search_web`` opens it (sizes checked, every byte read in the background), all
  asked before that reading begins: only the checks made as each file is read
  stand between a changed byte and an answer;
- the library's, as the CLI opens it (``open_index_lazily``: only sizes are
  checked at open), 6 searches.

Each variant is counted, for each way, as ``same`` (every answer as on the
clean index), ``refused`` (the answers that differ are all a clear "damaged
index": a 503 from the server, ``FazhiError`` from the library), ``5xx`` (a
server answer of 500 or the like), ``crash`` (an exception that is no
``FazhiError``) or ``wrong`` (an answer given as if all were well, but not
the clean one's: the silently wrong answer the checksums exist to prevent).
Prints a JSON summary (the counts, then every variant neither same nor
refused) and exits 1 on any 5xx, crash or wrong answer.
"""
from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

URLS = ["/search.json?q=执法", "/search.json?q=双随机", '/search.json?q="依法行政"', "/search.json?q=法治&sort=date",
        "/search.json?q=执法&year=2022", "/search.json?q=龘", "/reports.json", "/kwic.json?q=执法",
        "/trend.json?q=执法", "/cards.json?q=执法", "/compare.json?q=执法", "/search.json?q=执法&copied=yes"]
QUERIES = ["执法", "双随机", '"依法行政"', "法治 year:2022", "龘", "监督"]
DROP = {"took_ms", "elapsed_ms", "generation", "seconds"}     # differ between any two runs
DAMAGES = ["delete", "empty", "truncate-1", "truncate-half", "flip-start", "flip-middle", "flip-end", "append"]
FAILING = ("5xx", "crash", "wrong")
WAYS = ("server", "serving", "library")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.probe_damage", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="a built index folder (left untouched: copies are damaged)")
    parser.add_argument("--files", action="append", default=[],
                        help="glob of the paths under the index to damage (repeatable; default: every file)")
    return parser.parse_args(argv)


def scrub(value):
    """``value`` without the fields that change from run to run (timings, the generation's name)."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in DROP}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def server_answers(root: Path, serving: bool = False) -> list:
    """(url, status, answer) of each route, from the app as a test opens the index at
    ``root`` (every byte read first) or (``serving``) as ``python -m search_web``
    does, the background reading of every byte held back until the routes are asked."""
    from search_web import create_app
    from search_web.index import EXTENSION

    held = threading.Event()
    app = create_app({"TESTING": True, "INDEX_DIR": root, "FREEZE_GC": False, "WARM_WORDS": False,
                      "VERIFY_IN_BACKGROUND": serving, "VERIFY_AFTER": held})
    try:
        return _ask(app)
    finally:
        held.set()
        app.extensions[EXTENSION].verified(timeout=120)    # done before the copy is removed


def _ask(app) -> list:
    app.config["PROPAGATE_EXCEPTIONS"] = False          # an exception: a 500, as a server answers
    app.logger.disabled = True
    client = app.test_client()
    first = client.get("/search.json?q=执法&per_page=3").json or {}
    ids = [h.get("passage_id") for h in first.get("hits") or []]
    urls = URLS + ([f"/p/{ids[0]}.json", f"/r/{ids[0].rsplit('-', 1)[0]}.json"] if ids else [])
    found = []
    for url in urls:
        answer = client.get(url)
        try:
            body = scrub(answer.json)
        except Exception:           # not JSON: compared as text
            body = answer.get_data(as_text=True)[:300]
        found.append((url, answer.status_code, body))
    return found


def library_answers(root: Path) -> list:
    """(query, kind, answer) of each search, the index opened as the CLI opens it:
    kind ``ok`` (total, ids, snippets), ``refused`` (a FazhiError) or ``crash``."""
    from indexer.api import FazhiError, open_index_lazily

    try:
        index = open_index_lazily(root)
    except FazhiError as exc:
        return [(q, "refused", type(exc).__name__) for q in QUERIES]
    except Exception as exc:        # anything else out of the library: a crash
        return [(q, "crash", repr(exc)[:200]) for q in QUERIES]
    found = []
    try:
        for q in QUERIES:
            try:
                r = index.search(q, per_page=20)
                found.append((q, "ok", [r["total"], [[h["passage_id"], h.get("snippet")] for h in r["hits"]]]))
            except FazhiError as exc:
                found.append((q, "refused", type(exc).__name__))
            except Exception as exc:
                found.append((q, "crash", repr(exc)[:200]))
    finally:
        index.close()
    return found


def classify_server(answers: list, clean: list) -> str:
    """same, refused (every differing answer a 503), 5xx, or wrong (a differing answer not refused)."""
    if answers == clean:
        return "same"
    expected = {url: (status, body) for url, status, body in clean}
    differing = [status for url, status, body in answers if expected.get(url) != (status, body)]
    if any(500 <= status < 600 and status != 503 for status in differing):
        return "5xx"
    return "refused" if all(status == 503 for status in differing) else "wrong"


def classify_library(answers: list, clean: list) -> str:
    """same, refused (every differing answer a FazhiError), crash, or wrong."""
    if answers == clean:
        return "same"
    kinds = {kind for (q, kind, body), expected in zip(answers, clean) if (q, kind, body) != expected}
    if "crash" in kinds:
        return "crash"
    return "refused" if kinds == {"refused"} else "wrong"


def damage(path: Path, how: str) -> None:
    """Damage the file at ``path`` one of the ``DAMAGES`` ways."""
    data = path.read_bytes()
    if how == "delete":
        path.unlink()
    elif how.startswith("flip-"):
        at = {"flip-start": min(8, len(data) - 1), "flip-middle": len(data) // 2,
              "flip-end": max(0, len(data) - 10)}[how]
        changed = bytearray(data)
        changed[at] ^= 0x55
        path.write_bytes(bytes(changed))
    else:
        path.write_bytes({"empty": b"", "truncate-1": data[:-1], "truncate-half": data[:len(data) // 2],
                          "append": data + b"\x00"}[how])


def ways(path: Path) -> list[str]:
    """The damages that make sense for the file (an empty one cannot be cut or flipped)."""
    return DAMAGES if path.stat().st_size else ["delete", "append"]


def files_of(index: Path, globs: list[str]) -> list[Path]:
    """The index's own files (not its lock, not the links), under the index, matching a glob if any."""
    found = sorted(p.relative_to(index) for p in index.rglob("*")
                   if p.is_file() and not p.is_symlink() and not p.name.endswith(".lock"))
    return [p for p in found if not globs or any(fnmatch.fnmatch(p.as_posix(), g) for g in globs)]


def probe_variant(index: Path, work: Path, rel: Path, how: str, clean: tuple[list, list]) -> dict:
    """One damaged copy, asked both ways: its two classes."""
    root = work / "variant"
    shutil.copytree(index, root, symlinks=True)
    try:
        damage(root / rel, how)
        found = {"file": rel.as_posix(), "damage": how}
        for way, serving in (("server", False), ("serving", True)):
            try:
                found[way] = classify_server(server_answers(root, serving), clean[0])
            except Exception as exc:        # the app itself failed to answer: counted as a crash
                found[way] = f"crash {exc!r}"[:200]
        return {**found, "library": classify_library(library_answers(root), clean[1])}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def probe(index: Path, globs: list[str]) -> dict:
    """Every chosen file damaged every way; the counts and the variants that are not same or refused."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="probe-damage-") as work:
        work = Path(work)
        reference = work / "clean"
        shutil.copytree(index, reference, symlinks=True)
        clean = server_answers(reference), library_answers(reference)
        if server_answers(reference, serving=True) != clean[0] or library_answers(reference) != clean[1]:
            raise SystemExit("the clean index answers differently twice: nothing to compare with")
        results = [probe_variant(index, work, rel, how, clean)
                   for rel in files_of(index, globs) for how in ways(index / rel)]
    counts = {way: dict(collections.Counter(r[way].split(" ")[0] for r in results)) for way in WAYS}
    bad = [r for r in results if not all(r[way] in ("same", "refused") for way in WAYS)]
    return {"index": str(index), "files": len({r["file"] for r in results}), "variants": len(results),
            **counts, "failing": sum(1 for r in bad if any(r[w].split(" ")[0] in FAILING
                                                               for w in WAYS)),
            "seconds": round(time.perf_counter() - started, 1), "not_same_nor_refused": bad}


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = probe(Path(args.index), args.files)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 1 if summary["failing"] else 0


if __name__ == "__main__":
    sys.exit(main())
