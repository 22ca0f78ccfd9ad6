"""Command line, research tools: ``kwic``, ``trend``, ``cards``, ``compare``,
``similar``, ``suggest``, each a thin adapter over ``indexer.api`` registered on
the ``main`` group of :mod:`indexer.cli`."""
from __future__ import annotations

import json
import sys

import click

from .cli import UserError, _texts, base_url_option, main
from .cli_options import filter_options, filters_of, index_option

def _filter_options(command):
    """The search's filters, the index and ``--base-url``, as options of a research command."""
    return index_option(filter_options(base_url_option(command)))


def _filters(options: dict) -> dict:
    options.pop("base_url", None)
    return filters_of(options, _texts)


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
    """Rows as CSV (the one export writer's: BOM, CRLF, formula-safe) or
    tab-separated text (with a header when asked)."""
    from .api import export_table

    if header and fmt == "text":
        click.echo("\t".join(columns))
    if fmt == "csv":
        for chunk in export_table("csv", rows, columns):
            sys.stdout.write(chunk)
        sys.stdout.flush()
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
def kwic(query, index_dir, width, sort, page, limit, every, fmt, base_url, **options) -> None:
    """Concordance: every occurrence of QUERY as one line, the match centred."""
    from .api import concordance, with_urls

    result = _research(lambda index: concordance(index, " ".join(query), _filters(options), width=width, sort=sort,
                                                 page=page, per_page=limit, every=every))(index_dir)
    with_urls(result["lines"], base_url)
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
def trend(queries, index_dir, split, top, fmt, base_url, **options) -> None:
    """Passages and reports mentioning each of QUERIES (up to 5) per year."""
    from .api import trend as run_trend

    result = _research(lambda index: run_trend(index, list(queries), _filters(options), split=split, top=top))(index_dir)
    if fmt == "json":
        return _echo_json(result)
    rows = [{"query": s["query"], **p} for s in result["series"] for p in s["points"]]
    columns = ["query", "year", "passages", "reports", "reports_in_year", "share"]
    if split in ("auto", "none"):
        return _echo_rows(rows, columns, fmt, header=True)
    if fmt == "csv":      # one table: the split's rows after the totals, their group named
        groups = [{"query": s["query"], "group": g["value"], **p} for s in result["series"]
                  for g in s["groups"] for p in g["points"]]
        return _echo_rows(rows + groups, ["query", "group", *columns[1:]], fmt)
    _echo_rows(rows, columns, fmt, header=True)
    _echo_split(result)


def _echo_split(result: dict) -> None:
    """Reports per year for each value of the split (the top N, then 其他), a table per query."""
    years = result["years"]
    for series in result["series"]:
        click.echo(f"\n{series['query']}: reports by {result['split']}")
        click.echo("\t".join([result["split"], *map(str, years), "total"]))
        for group in series["groups"]:
            counts = [str(p["reports"]) for p in group["points"]]
            click.echo("\t".join([group["value"], *counts, str(group["reports"])]))


@main.command()
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--deadline", default="04-01", show_default=True, help="Publication deadline, MM-DD of the next year.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def cards(query, index_dir, deadline, fmt, base_url, **options) -> None:
    """Report cards: required contents, publication on time, length, figures
    (of every report, or of those mentioning QUERY)."""
    from .api import report_cards, with_urls

    found = _research(lambda index: report_cards(index, " ".join(query), _filters(options), deadline))(index_dir)
    with_urls(found, base_url)
    if fmt == "json":
        return _echo_json(found)
    rows = [dict(c, missing="、".join(c["missing"])) for c in found]
    columns = ["report_id", "agency", "year", "date", "status", "days_late", "missing", "length", "figures", "url"]
    _echo_rows(rows, columns, fmt, header=True)


@main.command()
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--category", default="存在的不足和原因", show_default=True,
              help="Section category: a full name or 成效, 问题, 责任, 下一步.")
@click.option("--page", type=click.IntRange(1), default=1)
@click.option("--limit", type=click.IntRange(1, 50), default=20, show_default=True, help="Reports per page.")
@click.option("--json", "as_json", is_flag=True)
def compare(query, index_dir, category, page, limit, as_json, base_url, **options) -> None:
    """Side by side: what each report wrote under one section category
    (of the reports whose passages there mention QUERY, or all)."""
    from .api import side_by_side, with_urls

    result = _research(lambda index: side_by_side(index, " ".join(query), _filters(options), category=category,
                                                  page=page, per_page=limit))(index_dir)
    for report in with_urls(result["reports"], base_url):
        with_urls(report["passages"], base_url)
    if as_json:
        return _echo_json(result)
    click.echo(f"{result['category']}: {result['total']} reports; page {result['page']} of {result['pages']}")
    for report in result["reports"]:
        click.echo(f"\n== {report['agency'] or report['title']} ({report['year'] or '-'})  {report['url']}")
        for passage in report["passages"]:
            click.echo(f"  {'*' if passage['matched'] else ' '} {passage['text']}")


@main.command()
@click.argument("passage_id")
@index_option
@click.option("--related", type=click.IntRange(0, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@base_url_option
def similar(passage_id, index_dir, related, as_json, base_url) -> None:
    """Passages of other reports near-identical to PASSAGE_ID (with the
    differences: [-only here-] {+only there+}), then related ones."""
    from .api import similar_passages, with_urls

    found = _research(lambda index: similar_passages(index, passage_id, related=related))(index_dir)
    with_urls(found["near_identical"] + found["related"], base_url)
    if as_json:
        return _echo_json(found)
    click.echo(f"near-identical in {found['near_identical_reports']} other reports")
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    for near in found["near_identical"]:
        click.echo(f"\n{near['similarity']:.2f}  {near['agency'] or '-'} {near['year'] or '-'}  {near['url']}")
        click.echo("  " + "".join(marks[run["op"]].format(run["text"]) for run in near["diff"]))
    for item in found["related"]:
        click.echo(f"\nrelated {item['score']}  {item['agency'] or '-'} {item['year'] or '-'}  {item['url']}")


@main.command()
@click.argument("word")
@index_option
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
