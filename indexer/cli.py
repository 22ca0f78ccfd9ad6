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
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build(paths: tuple[Path, ...], index_dir: Path | None, procs: int, words: bool, quiet: bool,
          as_json: bool) -> None:
    """Build or update the index from PATHS (files or folders; default: the
    bundled sample reports).  The new index replaces the old one atomically."""
    from .api import DEFAULT_INDEX, build_index

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}",
                        "give folders of reports (.txt .md .html .docx .pdf), or no path for the samples")
    summary = build_index(list(paths) or None, index_dir or DEFAULT_INDEX, procs=procs,
                          progress=not quiet and not as_json, words=words)
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
    from .api import DEFAULT_INDEX, FazhiError, open_index, render_result

    filters = {"agency": list(agency), "province": list(province), "year": list(year),
               "section": list(section)}
    try:
        index = open_index(index_dir or DEFAULT_INDEX)
        result = index.search(" ".join(query), filters={k: v for k, v in filters.items() if v},
                              page=page, per_page=limit, sort=sort)
    except FazhiError as exc:
        raise UserError(exc.message, exc.hint or "see python -m indexer search --help for the query syntax")
    if as_json:
        click.echo(json.dumps(render_result(result), ensure_ascii=False, indent=2))
    else:
        _print_results(result)


def _print_results(result: dict) -> None:
    """The library's result as text: matches in [brackets], from the snippet's spans."""
    from .api import passage_url, snippet_text

    note = "（没有段落包含全部词语，以下为部分匹配）" if result["partial"] else ""
    click.echo(f"{result['total']} passages{note}  ({result['took_ms']} ms)")
    for n, hit in enumerate(result["hits"], start=(result["page"] - 1) * result["per_page"] + 1):
        click.echo(f"\n{n}. {hit['title']} · {hit['agency']} · {hit['year'] or '-'} · {hit['section'] or '-'}")
        click.echo(f"   {snippet_text(hit['snippet'])}")
        click.echo(f"   {passage_url(hit['passage_id'])}")
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
