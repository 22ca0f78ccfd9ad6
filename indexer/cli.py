"""Command line: a thin click adapter over the library.

Every user error ends in one line saying what went wrong and a hint on what to
do next; no tracebacks for things a user can fix.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .read import ReadError


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
    from .corpus import load_manifest, read_report

    if not file.exists():
        raise UserError(f"no such file: {file}", "check the path; folders are read by 'build', not 'inspect'")
    try:
        report = read_report(file, load_manifest(file.parent).get(file.name))
    except ReadError as exc:
        raise UserError(f"cannot read {file}: {exc}",
                        "supported: .txt .md .html .htm .docx .pdf (a PDF needs a text layer)")
    data = report.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_report(data)


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
