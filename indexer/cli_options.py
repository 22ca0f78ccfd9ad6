"""The command line's filter options, defined once and shared by ``search``
and the research commands (as sqlite-utils shares its option decorators).

The flags and what they mean are the library's filters (``indexer.api``
filter fields); :func:`filters_of` turns the parsed options into the filter
dict the library takes.  The level list is the reader's own
(``issuer.LEVELS``), filled into the help only when help is shown, so the
command line starts without loading the reader."""
from __future__ import annotations

from pathlib import Path

import click

# (flag, parameter, help) of each text filter, in the order --help lists them.
TEXT_FILTERS = (
    ("--agency", "agency", "Only this agency (part of the name is enough)."),
    ("--agency-kind", "agency_kind", "Only this kind of issuer: 卫生健康, 公安, 司法, 人民政府, 街道/乡镇, 党委和政府 …"),
    ("--level", "agency_level", "Only this level of issuer: {levels}."),
    ("--province", "province", "Only this province."),
    ("--city", "city", "Only this city (part of the name is enough)."),
    ("--year", "year", "Only this report year, or a range: 2018-2022, >=2021."),
    ("--section", "section", "Only this section: 成效, 问题, 责任, 下一步 or a full name."),
)
# Filters only ``search`` offers.
SEARCH_FILTERS = (
    ("--report", "report", "Only this report (its id, e.g. r2022-0177ae4c5d)."),
    ("--doc-type", "doc_type", "Only this kind of document: 法治政府建设年度报告, 政府工作报告, 政府信息公开年度报告, 其他."),
)
FILTER_KEYS = tuple(name for _, name, _ in TEXT_FILTERS + SEARCH_FILTERS) + ("copied",)


class _LevelHelp(click.Option):
    """An option whose help names the reader's levels, looked up when help is printed."""

    def get_help_record(self, ctx):
        from .api import AGENCY_LEVELS

        self.help = (self.help or "").replace("{levels}", ", ".join(AGENCY_LEVELS))
        return super().get_help_record(ctx)


def index_option(command):
    """``--index DIR``: the index folder a command reads."""
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Index folder (default: index/ in the project).")(command)


def filter_options(command):
    """The search's filters: ``--agency`` … ``--section`` and ``--copied``, each repeatable."""
    command = click.option("--copied", multiple=True, type=click.Choice(["yes", "no"]),
                           help="yes: only passages near-identical to one in another report; no: only the others.")(command)
    for flag, name, text in reversed(TEXT_FILTERS):
        command = click.option(flag, name, multiple=True, help=text, cls=_LevelHelp)(command)
    return command


def search_filter_options(command):
    """The filters only ``search`` has: ``--year-from``/``--year-to``, ``--report``, ``--doc-type``."""
    for flag, name, text in reversed(SEARCH_FILTERS):
        command = click.option(flag, name, multiple=True, help=text)(command)
    command = click.option("--year-to", type=click.IntRange(1949, 2100), help="Only reports of this year or earlier.")(command)
    return click.option("--year-from", type=click.IntRange(1949, 2100), help="Only reports of this year or later.")(command)


def filters_of(options: dict, texts=list) -> dict:
    """The library's filter dict from parsed options (``texts``: how an argument
    becomes text); ``--year-from``/``--year-to`` join the years as a range; empty
    filters are left out."""
    filters = {key: texts(options.get(key) or ()) for key in FILTER_KEYS}
    if options.get("year_from") or options.get("year_to"):
        filters["year"].append(f"{options.get('year_from') or ''}-{options.get('year_to') or ''}")
    return {key: value for key, value in filters.items() if value}
