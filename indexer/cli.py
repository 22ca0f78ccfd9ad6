"""Command line: a thin click adapter over the library.

Every user error ends in one line saying what went wrong and a hint on what to
do next; no tracebacks for things a user can fix.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .api import ReadError

MB = 1 << 20


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
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build(paths: tuple[Path, ...], index_dir: Path | None, procs: int, words: bool, max_file_mb: float,
          max_unpacked_mb: float, max_seconds: float, follow_links: bool, quiet: bool, as_json: bool) -> None:
    """Build or update the index from PATHS (files or folders; default: the
    bundled sample reports).  The new index replaces the old one atomically.

    Every file that is not read is listed with its reason: over a limit, not a
    report, or a symbolic link leading out of the folder (see --follow-links)."""
    from .api import DEFAULT_INDEX, Limits, build_index

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}",
                        "give folders of reports (.txt .md .html .docx .pdf), or no path for the samples")
    limits = Limits(bytes=int(max_file_mb * MB), unpacked=int(max_unpacked_mb * MB), seconds=max_seconds)
    summary = build_index(list(paths) or None, index_dir or DEFAULT_INDEX, procs=procs,
                          progress=not quiet and not as_json, words=words, limits=limits,
                          follow_links=follow_links)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for skipped in summary["skipped"]:
        click.echo(f"skipped {skipped['path']}: {skipped['reason']}", err=True)
    for dup in summary["duplicates"]:
        click.echo(f"duplicate {dup['dropped']}: same report as {dup['kept']} (kept {dup['kept']})", err=True)
    click.echo(f"indexed {summary['reports']} reports, {summary['passages']} passages "
               f"({summary['files_reused']} files unchanged) in {summary['seconds']} s; "
               f"{len(summary['skipped'])} skipped, {len(summary['duplicates'])} duplicates → {summary['index']}")


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder (default: index/ in the project).")
@click.option("--agency", multiple=True, help="Only this agency (part of the name is enough).")
@click.option("--province", multiple=True, help="Only this province.")
@click.option("--year", multiple=True, help="Only this report year.")
@click.option("--section", multiple=True, help="Only this section: 成效, 问题, 责任, 下一步 or a full name.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 1000), default=1)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /search.json).")
def search(query, index_dir, agency, province, year, section, limit, page, sort, as_json) -> None:
    """Search the index: words must all match, "quoted phrases" match exactly,
    OR, -word, agency:… year:… section:… filter."""
    from .api import DEFAULT_INDEX, FazhiError, open_index

    filters = {"agency": _texts(agency), "province": _texts(province), "year": _texts(year),
               "section": _texts(section)}
    try:
        index = open_index(index_dir or DEFAULT_INDEX)
        result = index.search(" ".join(_texts(query)), filters={k: v for k, v in filters.items() if v},
                              page=page, per_page=limit, sort=sort)
    except FazhiError as exc:
        raise UserError(exc.message, exc.hint or "see python -m indexer search --help for the query syntax")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_results(result)


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


def _print_results(result: dict) -> None:
    import re

    note = "（没有段落包含全部词语，以下为部分匹配）" if result["partial"] else ""
    click.echo(f"{result['total']} passages{note}  ({result['took_ms']} ms)")
    for n, hit in enumerate(result["hits"], start=(result["page"] - 1) * result["per_page"] + 1):
        snippet = re.sub(r"</?mark>", lambda m: "[" if m.group() == "<mark>" else "]", hit["snippet"])
        from html import unescape
        click.echo(f"\n{n}. {hit['title']} · {hit['agency']} · {hit['year'] or '-'} · {hit['section'] or '-'}")
        click.echo(f"   {unescape(snippet)}")
        click.echo(f"   {hit['url']}")
    for name, values in result["facets"].items():
        if values:
            click.echo(f"\n{name}: " + "  ".join(f"{v['value']} ({v['count']})" for v in values[:8]))


def _print_report(data: dict) -> None:
    region = " ".join(filter(None, [data["province"], data["city"], data["county"]]))
    for label, value in [("title", data["title"]), ("agency", data["agency"]), ("region", region),
                         ("year", data["year"]), ("date", data["date"]), ("id", data["id"]),
                         ("source", f'{data["source"]} ({data["fmt"]})')]:
        click.echo(f"{label:>8}: {value if value not in (None, '') else '-'}")
    click.echo("\nheadings:")
    for heading in data["headings"]:
        click.echo(f'{"  " * heading["level"]}{heading["title"]}  [{heading["category"]}]')
    click.echo(f'\npassages: {len(data["passages"])}')
    for passage in data["passages"]:
        text = passage["text"] if len(passage["text"]) <= 60 else passage["text"][:60] + "…"
        click.echo(f'  {passage["id"]}  [{passage["category"]}]  {text}')


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
