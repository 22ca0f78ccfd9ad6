"""Command line, research tools: ``kwic``, ``trend``, ``cards``, ``compare``,
``similar``, ``suggest``, each a thin adapter over ``indexer.api`` registered on
the ``main`` group of :mod:`indexer.cli`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import UserError, main

def _filter_options(command):
    """The search's filters, as options of a research command."""
    command = click.option("--copied", multiple=True, type=click.Choice(["yes", "no"]),
                           help="yes: only passages near-identical to one in another report.")(command)
    for flag, name, text in reversed([
            ("--agency", "agency", "Only this agency (part of the name is enough)."),
            ("--agency-kind", "agency_kind", "Only this kind of issuer: 卫生健康, 公安, 人民政府 …"),
            ("--level", "agency_level", "Only this level of issuer: 国家, 省, 市, 县, 乡镇街道."),
            ("--province", "province", "Only this province."), ("--city", "city", "Only this city."),
            ("--year", "year", "Only this report year, or a range: 2018-2022, >=2021."),
            ("--section", "section", "Only this section: 成效, 问题, 责任, 下一步 or a full name.")]):
        command = click.option(flag, name, multiple=True, help=text)(command)
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Index folder (default: index/ in the project).")(command)


def _filters(options: dict) -> dict:
    keys = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section", "copied")
    return {k: list(options[k]) for k in keys if options.get(k)}


def _research(call):
    """Open the index and run ``call(index)``; library errors become one-line errors."""
    from .api import DEFAULT_INDEX, FazhiError, open_index_lazily as open_index

    def run(index_dir):
        try:
            return call(open_index(index_dir or DEFAULT_INDEX))
        except FazhiError as exc:
            raise UserError(exc.message, exc.hint or "see --help")
    return run


def _echo_json(data) -> None:
    """A command's answer as the JSON its ``--json`` flag promises (Chinese unescaped)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _echo_rows(rows: list[dict], columns: list[str], fmt: str, header: bool = False) -> None:
    """Rows as CSV (with its header) or tab-separated text (with one when asked)."""
    import csv

    if header and fmt == "text":
        click.echo("\t".join(columns))
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            click.echo("\t".join("" if row.get(c) is None else str(row.get(c)) for c in columns))


@main.command()
@click.argument("query", nargs=-1, required=True)
@_filter_options
@click.option("--width", type=click.IntRange(1, 200), default=30, show_default=True,
              help="Characters shown either side of the match.")
@click.option("--sort", type=click.Choice(["position", "left", "right", "agency", "year"]), default="position",
              show_default=True)
@click.option("--page", type=click.IntRange(1), default=1)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Lines per page.")
@click.option("--all", "every", is_flag=True, help="Every line, not one page (for export).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def kwic(query, index_dir, width, sort, page, limit, every, fmt, **options) -> None:
    """Concordance: every occurrence of QUERY as one line, the match centred."""
    from .api import concordance

    result = _research(lambda index: concordance(index, " ".join(query), _filters(options), width=width, sort=sort,
                                                 page=page, per_page=limit, every=every))(index_dir)
    if fmt == "json":
        _echo_json(result)
    elif fmt == "csv":
        _echo_rows(result["lines"], ["passage_id", "agency", "year", "left", "match", "right", "url"], "csv")
    else:
        click.echo(f"{result['total']} lines in {result['passages']} passages; page {result['page']} of {result['pages']}")
        for line in result["lines"]:
            click.echo(f"{line['left']:>{width}} [{line['match']}] {line['right']:<{width}}  "
                       f"{line['agency'] or '-'} {line['year'] or '-'}  {line['url']}")


@main.command()
@click.argument("queries", nargs=-1, required=True)
@_filter_options
@click.option("--split", type=click.Choice(["auto", "none", "province", "agency_kind", "agency_level"]),
              default="auto", show_default=True, help="Group the reports by this field (top N plus 其他).")
@click.option("--top", type=click.IntRange(1, 12), default=5, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def trend(queries, index_dir, split, top, fmt, **options) -> None:
    """Passages and reports mentioning each of QUERIES (up to 5) per year."""
    from .api import trend as run_trend

    result = _research(lambda index: run_trend(index, list(queries), _filters(options), split=split, top=top))(index_dir)
    if fmt == "json":
        return _echo_json(result)
    rows = [{"query": s["query"], **p} for s in result["series"] for p in s["points"]]
    columns = ["query", "year", "passages", "reports", "reports_in_year", "share"]
    _echo_rows(rows, columns, fmt, header=True)


@main.command()
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--deadline", default="04-01", show_default=True, help="Publication deadline, MM-DD of the next year.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def cards(query, index_dir, deadline, fmt, **options) -> None:
    """Report cards: required contents, publication on time, length, figures
    (of every report, or of those mentioning QUERY)."""
    from .api import report_cards

    found = _research(lambda index: report_cards(index, " ".join(query), _filters(options), deadline))(index_dir)
    if fmt == "json":
        return _echo_json(found)
    rows = [dict(c, missing="、".join(c["missing"])) for c in found]
    columns = ["report_id", "agency", "year", "date", "status", "days_late", "missing", "length", "figures"]
    _echo_rows(rows, columns, fmt, header=True)


@main.command()
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--category", default="存在的不足和原因", show_default=True,
              help="Section category: a full name or 成效, 问题, 责任, 下一步.")
@click.option("--page", type=click.IntRange(1), default=1)
@click.option("--limit", type=click.IntRange(1, 50), default=20, show_default=True, help="Reports per page.")
@click.option("--json", "as_json", is_flag=True)
def compare(query, index_dir, category, page, limit, as_json, **options) -> None:
    """Side by side: what each report wrote under one section category
    (of the reports whose passages there mention QUERY, or all)."""
    from .api import side_by_side

    result = _research(lambda index: side_by_side(index, " ".join(query), _filters(options), category=category,
                                                  page=page, per_page=limit))(index_dir)
    if as_json:
        return _echo_json(result)
    click.echo(f"{result['category']}: {result['total']} reports; page {result['page']} of {result['pages']}")
    for report in result["reports"]:
        click.echo(f"\n== {report['agency'] or report['title']} ({report['year'] or '-'})  /r/{report['report_id']}")
        for passage in report["passages"]:
            click.echo(f"  {'*' if passage['matched'] else ' '} {passage['text']}")


@main.command()
@click.argument("passage_id")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--related", type=click.IntRange(0, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def similar(passage_id, index_dir, related, as_json) -> None:
    """Passages of other reports near-identical to PASSAGE_ID (with the
    differences: [-only here-] {+only there+}), then related ones."""
    from .api import similar_passages

    found = _research(lambda index: similar_passages(index, passage_id, related=related))(index_dir)
    if as_json:
        return _echo_json(found)
    click.echo(f"near-identical in {found['near_identical_reports']} other reports")
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    for near in found["near_identical"]:
        click.echo(f"\n{near['similarity']:.2f}  {near['agency'] or '-'} {near['year'] or '-'}  /p/{near['passage_id']}")
        click.echo("  " + "".join(marks[run["op"]].format(run["text"]) for run in near["diff"]))
    for item in found["related"]:
        click.echo(f"\nrelated {item['score']}  {item['agency'] or '-'} {item['year'] or '-'}  /p/{item['passage_id']}")


@main.command()
@click.argument("word")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--limit", type=click.IntRange(1, 20), default=10, show_default=True)
def suggest(word, index_dir, limit) -> None:
    """Words of the index's vocabulary: completions of WORD, and, when no passage
    holds it, the words one character away (did you mean)."""
    from .api import complete, did_you_mean

    def call(index):
        gen = index.generation
        return {"completions": complete(gen, word, limit), "did_you_mean": did_you_mean(gen, word)}
    found = _research(call)(index_dir)
    for kind in ("did_you_mean", "completions"):
        for item in found[kind]:
            click.echo(f"{kind}\t{item['word']}\t{item['passages']}")
