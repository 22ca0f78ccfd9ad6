"""Command line: a thin click adapter over the library.

Every user error ends in one line saying what went wrong and a hint on what to
do next; no tracebacks for things a user can fix.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .api import DEFAULT_BASE_URL, LOW_COVERAGE, MAX_PAGE, MAX_PER_PAGE, SORTS, ReadError
from .cli_options import filter_options, filters_of, index_option, search_filter_options

MB = 1 << 20


def base_url_option(command):
    """``--base-url`` (also ``FAZHI_BASE_URL``): where the web app is served, so
    every passage and report URL printed or exported is absolute."""
    def checked(_ctx, _param, value):
        from .api import check_base_url

        try:
            return check_base_url(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc))
    return click.option("--base-url", envvar="FAZHI_BASE_URL", default=DEFAULT_BASE_URL, show_default=True,
                        callback=checked,
                        help="Address of the web app (python -m search_web) the links point to; "
                             "also FAZHI_BASE_URL.")(command)


class UserError(click.ClickException):
    """An error the user can fix: printed as ``Error: …`` plus a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message + (f"\nHint: {hint}" if hint else ""))


@click.group()
@click.version_option(package_name="fazhi-search")
def main() -> None:
    """fazhi-search: index and search Chinese government annual reports."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def inspect(file: Path, as_json: bool) -> None:
    """Show what the reader makes of one FILE: metadata, headings, passages."""
    from .api import inspect_file

    if not file.exists():
        raise UserError(f"no such file: {file}", "check the path; folders are read by 'build', not 'inspect'")
    if not file.is_file():
        raise UserError(f"not a regular file: {file}", "give a report file; folders are read by 'build'")
    try:
        report = inspect_file(file)
    except ReadError as exc:
        raise UserError(f"cannot read {file}: {exc}",
                        "supported: .txt .md .html .htm .docx .pdf (a PDF needs a text layer)")
    data = report.to_dict()
    data["display_title"], data["title_made_up"] = report.display_title, report.title_made_up
    if report.coverage is not None and report.coverage < LOW_COVERAGE:
        click.echo(coverage_warning(report.source, report.coverage), err=True)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_report(data)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Index folder (default: index/ in the project).")
@click.option("--procs", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Processes for the Whoosh writer.")
@click.option("--words/--no-words", default=True, show_default=True,
              help="Index jieba's words in the Whoosh documents (for tools that open index/whoosh "
                   "directly; search does not need them).  --no-words builds about 5x faster.")
@click.option("--max-file-mb", type=click.FloatRange(min=0, min_open=True), default=100, show_default=True,
              help="Skip files larger than this.")
@click.option("--max-unpacked-mb", type=click.FloatRange(min=0, min_open=True), default=50, show_default=True,
              help="Skip .docx files whose text parts unpack to more than this (zip bombs).")
@click.option("--max-seconds", type=click.FloatRange(min=0), default=120, show_default=True,
              help="Skip a file whose reading takes longer than this (0: no limit).")
@click.option("--follow-links", is_flag=True,
              help="Read symbolic links that lead out of the folders given (skipped by default).")
@click.option("--near-duplicates/--no-near-duplicates", "near", default=True, show_default=True,
              help="Find near-identical passages across reports (similar passages, copied-passage "
                   "cards).  Off for a huge archive of stock text: the pairs grow with the square of the repeats.")
@click.option("--optimize", is_flag=True,
              help="Merge all segments into one (and Whoosh's): after many updates, or before publishing.")
@click.option("--segments-per-tier", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="Tiered merge policy: merge when a size tier holds more segments than this (0: never).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--backend", envvar="FAZHI_BACKEND", default=None,
              help="A cluster backend URL (mroonga://…, printed by scripts/cluster.sh start); also FAZHI_BACKEND.")
def build(paths: tuple[Path, ...], index_dir: Path | None, procs: int, words: bool, max_file_mb: float,
          max_unpacked_mb: float, max_seconds: float, follow_links: bool, near: bool, optimize: bool,
          segments_per_tier: int, quiet: bool, as_json: bool, backend: str | None) -> None:
    """Build or update the index from PATHS (files or folders; default: the
    bundled sample reports).  Only new and changed reports are written (a new
    segment); the new index replaces the old one atomically.

    Every file that is not read is listed with its reason: over a limit, not a
    report, or a symbolic link leading out of the folder (see --follow-links)."""
    from .api import DEFAULT_INDEX, Limits, TieredMergePolicy, build_index

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}",
                        "give folders of reports (.txt .md .html .docx .pdf), or no path for the samples")
    limits = Limits(bytes=int(max_file_mb * MB), unpacked=int(max_unpacked_mb * MB), seconds=max_seconds)
    _check_not_empty(paths, follow_links)
    from .api import FazhiError

    try:
        summary = build_index(list(paths) or None, index_dir or DEFAULT_INDEX, procs=procs,
                              progress=not quiet and not as_json, words=words, limits=limits,
                              follow_links=follow_links, optimize=optimize, near=near,
                              policy=TieredMergePolicy(segments_per_tier=segments_per_tier))
    except FazhiError as exc:
        raise UserError(f"build failed: {exc.message}", exc.hint)
    except OSError as exc:          # a full disk, a folder that cannot be written
        raise UserError(f"build failed: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}",
                        "nothing was swapped in: the previous index keeps serving; free disk space and build again")
    if backend:      # the index just built is the staging copy the cluster is brought up to date with
        summary["backend"] = _sync_backend(backend, index_dir or DEFAULT_INDEX)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for skipped in summary["skipped"]:
        click.echo(f"skipped {one_line(skipped['path'])}: {one_line(skipped['reason'])}", err=True)
    for dup in summary["duplicates"]:
        dropped, kept = one_line(dup["dropped"]), one_line(dup["kept"])
        click.echo(f"duplicate {dropped}: same report as {kept} (kept {kept})", err=True)
    for low in summary.get("low_coverage", []):
        click.echo(coverage_warning(one_line(low["source"]), low["coverage"]), err=True)
    click.echo(f"indexed {summary['reports']} reports, {summary['passages']} passages "
               f"({summary['files_reused']} files unchanged) in {summary['seconds']} s; "
               f"{len(summary['skipped'])} skipped, {len(summary['duplicates'])} duplicates → {summary['index']}")
    click.echo(update_line(summary["update"]))
    if backend:
        shards = summary["backend"]["shards"]
        click.echo("cluster: " + ("; ".join(f"shard {n}: {c['written']} reports written, {c['deleted']} deleted"
                                            for n, c in shards.items()) or "up to date"))


def _sync_backend(backend: str, index_dir) -> dict:
    from .api import FazhiError, sync_backend

    try:
        return sync_backend(backend, index_dir)
    except FazhiError as exc:
        raise UserError(exc.message, exc.hint)


def coverage_warning(source: str, coverage: float) -> str:
    return (f"warning {source}: its passages keep only {coverage:.0%} of the file's Chinese characters "
            f"(below {LOW_COVERAGE:.0%}): the cleaner may have dropped text; check it with 'inspect'")


def _check_not_empty(paths: tuple[Path, ...], follow_links: bool) -> None:
    """Folders without a single report file: an error before the index is
    touched (building would replace it with an empty one, silently)."""
    from .api import report_files

    if paths and not report_files(paths, follow_links):
        raise UserError(f"no report files in {', '.join(map(str, paths))}: nothing to index, the index is unchanged",
                        "reports are .txt .md .html .htm .docx .pdf files; check the folder, or --follow-links")


def one_line(text: str) -> str:
    """``text`` with its control characters escaped: a file named with ``\\r`` or
    ``\\n`` cannot forge a line of the build's output."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
                   for c in str(text))


@main.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Index folder (default: index/ in the project).")
@click.option("--deep", is_flag=True, help="Read every byte against its checksum (else sizes only).")
def check(index_dir: Path | None, deep: bool) -> None:
    """Check the serving index against the checksums its build recorded."""
    from .api import DEFAULT_INDEX, FazhiError, verify_index

    try:
        found = verify_index(index_dir or DEFAULT_INDEX, deep=deep)
    except FazhiError as exc:
        raise UserError(exc.message, exc.hint)
    files = found["files"]
    click.echo(f"ok: {found['generation']}, {files} files {'read' if deep else 'of the right size'}"
               + ("" if files else " (built before checksums were recorded)"))


def update_line(update: dict) -> str:
    """What the build reused, added, deleted and merged, and the seconds each took."""
    parts = [f"{name} {update[name]['reports']} reports ({update[name]['passages']} passages, "
             f"{update[name]['seconds']} s)" for name in ("reused", "added", "deleted")]
    merged = update["merged"]
    parts.append(f"merged {merged['segments']} segments into {merged['into']} "
                 f"({merged['passages']} passages, {merged['seconds']} s)" if merged["segments"] else "merged nothing")
    return "; ".join(parts)


@main.command()
@click.argument("query", nargs=-1, required=True)
@index_option
@filter_options
@search_filter_options
@click.option("--limit", type=click.IntRange(1, MAX_PER_PAGE), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1)
@click.option("--sort", type=click.Choice(SORTS), default=SORTS[0])
@click.option("--group", type=click.Choice(["passage", "report"]), default="passage", show_default=True,
              help="report: list reports (hit count, best passage) instead of passages.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "jsonl", "xlsx", "ris"]), default="text",
              show_default=True, help="csv, jsonl, xlsx: one row per hit, the columns of /search.csv; "
                                      "ris: the reports the hits come from, for a reference manager.")
@click.option("--all", "every", is_flag=True, help="Every hit, not one page (with --format csv|jsonl|xlsx|ris).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (a CSV gets FILE-metadata.json beside it).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /search.json); = --format json.")
@base_url_option
@click.option("--backend", envvar="FAZHI_BACKEND", default=None,
              help="A cluster backend URL (mroonga://…, printed by scripts/cluster.sh start); also FAZHI_BACKEND.")
def search(query, index_dir, limit, page, sort, group, fmt, every, output, as_json, base_url, backend,
           **options) -> None:
    """Search the index: words must all match, "quoted phrases" match exactly,
    OR, -word, agency:… year:2018-2022 section:… filter, -agency:… excludes;
    '同句(行政复议 纠错)': in one sentence, 同段(…): in one passage; title:… in the report title."""
    from .api import DEFAULT_INDEX, FazhiError, open_index_lazily as open_index

    fmt = "json" if as_json else fmt
    if every and fmt in ("text", "json"):
        raise UserError("--all exports every hit as rows", "add --format csv, --format jsonl or --format xlsx")
    filters = filters_of(options, _texts)
    q = " ".join(_texts(query))
    try:
        index = open_index(backend or index_dir or DEFAULT_INDEX)
        if every:
            hits = index.iter_hits(q, filters=filters, sort=sort)
        else:
            result = index.search(q, filters=filters, page=page, per_page=limit, sort=sort, group=group)
            hits = iter(result["hits"])
    except FazhiError as exc:
        raise UserError(exc.message, exc.hint or "see python -m indexer search --help for the query syntax")
    if fmt in ("csv", "jsonl", "xlsx", "ris"):
        about = _provenance(index, q, filters, sort, base_url)
        _export(fmt, hits, output, base_url, about)
    else:
        _echo_to(output, _as_json(result, base_url) if fmt == "json" else _results_text(result, base_url))


def _texts(values) -> list[str]:
    """Arguments as text.  Python hands bytes that are not UTF-8 over as lone
    surrogates; such bytes are most often Chinese typed in a GBK terminal, so
    they are read as GB18030 (GBK's superset), and refused when not that either."""
    out = []
    for value in values:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogateescape")
            try:
                value = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise UserError(f"argument is neither UTF-8 nor GB18030 text: {raw[:40]!r}",
                                "set the terminal to UTF-8 (LANG=C.UTF-8) and type the query again")
        out.append(value)
    return out


def _provenance(index, q: str, filters: dict, sort: str, base_url: str) -> dict:
    from .api import export_provenance

    found = index.search(q, filters=filters, per_page=1)
    counts = {"段落（段）": found["total"], "报告（份）": found["reports_total"]}
    return export_provenance("search", q, filters, sort, index.generation.path.name, counts, base_url)


def _export(fmt: str, hits, output: Path | None, base_url: str, about: dict) -> None:
    """Rows of every hit given (or, as RIS, their reports), streamed to the file
    or standard output; a CSV file gets its provenance beside it (CSVW sidecar)."""
    from .api import EXPORT_COLUMNS, export_rows, export_sidecar, export_table, ris_of_search

    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise UserError("an XLSX file is binary", "write it to a file: --output hits.xlsx (or > hits.xlsx)")
    if fmt == "ris":
        chunks = ["\ufeff", *ris_of_search(hits, base_url)]     # BOM: EndNote and NoteExpress read it as UTF-8
    else:
        chunks = export_table(fmt, export_rows(hits, base_url), EXPORT_COLUMNS, about)
    if fmt == "csv" and output:
        sidecar = export_sidecar(about, EXPORT_COLUMNS, output.name)
        Path(f"{output}-metadata.json").write_text(json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n",
                                                    encoding="utf-8")
    stream = output.open("wb") if output else sys.stdout.buffer
    try:
        for chunk in chunks:
            stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    finally:
        if output:
            stream.close()
        else:
            stream.flush()


def _as_json(result: dict, base_url: str = "") -> str:
    from .api import render_result

    return json.dumps(render_result(result, base_url), ensure_ascii=False, indent=2)


def _echo_to(output: Path | None, text: str) -> None:
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


def _results_text(result: dict, base_url: str = "") -> str:
    """The library's result as text: matches in [brackets], from the snippet's spans."""
    from .api import passage_url, snippet_text

    note = "（没有段落包含全部词语，以下为部分匹配）" if result["partial"] else ""
    lines = [f"{result['total']} passages in {result['reports_total']} reports{note}  ({result['took_ms']} ms)",
             _paging_line(result)]
    counts = {g["report_id"]: g["count"] for g in result.get("groups", [])}
    for n, hit in enumerate(result["hits"], start=(result["page"] - 1) * result["per_page"] + 1):
        many = f" · {counts[hit['report_id']]} passages" if hit["report_id"] in counts else ""
        lines.append(f"\n{n}. {hit.get('display_title') or hit['title']} · {hit['agency'] or '-'} · "
                     f"{hit['year'] or '-'} · {hit['section'] or '-'}{many}")
        lines.append(f"   {snippet_text(hit['snippet'])}")
        lines.append(f"   {passage_url(hit['passage_id'], base_url)}")
    unit = "份" if result.get("group") == "report" else "段"
    for name, values in result["facets"].items():
        if values:      # the 未注明 bucket (value "") is listed last: keep it in view
            shown = values[:8] + [v for v in values[8:] if v["value"] == ""]
            lines.append(f"\n{name} ({unit}): " + "  ".join(f"{v['value'] or '未注明'} ({v['count']})" for v in shown))
    return "\n".join(lines)


def _paging_line(result: dict) -> str:
    """``第 1/2 页，第 1–10 段，共 13 段（下一页：--page 2）``."""
    report_view = result.get("group") == "report"
    unit, total = ("份报告", result["reports_total"]) if report_view else ("段", result["total"])
    pages, page = result.get("pages") or 1, result["page"]
    first = (page - 1) * result["per_page"] + 1
    shown = f"第 {first}–{first + len(result['hits']) - 1} {unit}，" if result["hits"] else ""
    more = f"（下一页：--page {page + 1}）" if page < pages else ""
    return f"第 {page}/{pages} 页，{shown}共 {total} {unit}{more}"


def _print_report(data: dict) -> None:
    region = " ".join(filter(None, [data["province"], data["city"], data["county"]]))
    sources = data.get("sources") or {}
    for label, value in [("title", data["title"] or data.get("display_title")), ("agency", data["agency"]),
                         ("kind", data.get("agency_kind")), ("level", data.get("agency_level")),
                         ("doc_type", data.get("doc_type")),
                         ("coverage", f"{data['coverage']:.0%}" if data.get("coverage") is not None else None),
                         ("region", region), ("year", data["year"]), ("date", data["date"]), ("id", data["id"]),
                         ("source", f'{data["source"]} ({data["fmt"]})')]:
        shown = value if value not in (None, '') else '-'
        origin = sources.get(label)
        if label == "title" and data.get("title_made_up"):
            origin = "made up from issuer and year: the page shows no title"
        click.echo(f"{label:>8}: {shown}" + (f"   ← {origin}" if origin and shown != '-' else ""))
    click.echo("\nheadings:")
    for heading in data["headings"]:
        click.echo(f'{"  " * heading["level"]}{heading["title"]}  [{heading["category"]}]')
    click.echo(f'\npassages: {len(data["passages"])}')
    for passage in data["passages"]:
        text = passage["text"] if len(passage["text"]) <= 60 else passage["text"][:60] + "…"
        click.echo(f'  {passage["id"]}  [{passage["category"]}]  {text}')



# --- research tools (issue 15) ----------------------------------------------

# The research tools' commands (kwic, trend, cards, compare, similar, suggest)
# register themselves on ``main``.
from . import cli_research  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
