"""``python -m indexer.cluster sync|rebalance --backend URL``: cluster maintenance.

- ``sync --index DIR``: bring the shards up to date with an index folder
  (what ``python -m indexer build --backend URL`` does after its build);
- ``rebalance``: after ``scripts/cluster.sh add-shard``, give the new shard its
  share of buckets and move their reports onto it.
"""
from __future__ import annotations

import json
import os

import click

from ..errors import FazhiError


@click.group()
def main() -> None:
    """Maintain a cluster backend (MariaDB + Mroonga shards)."""


def _backend(command):
    return click.option("--backend", envvar="FAZHI_BACKEND", required=True,
                        help="The cluster's URL (scripts/cluster.sh start prints it); also FAZHI_BACKEND.")(command)


@main.command()
@_backend
@click.option("--index", "index_dir", default="index", show_default=True, help="The index folder to copy from.")
def sync(backend: str, index_dir: str) -> None:
    """Write to the shards the reports that differ from the index folder."""
    from .load import sync as run

    _report(lambda: run(backend, os.fspath(index_dir)))


@main.command()
@_backend
def rebalance(backend: str) -> None:
    """Move reports onto shards that hold fewer buckets than their share (a new shard)."""
    from .load import rebalance as run

    _report(lambda: run(backend))


def _report(call) -> None:
    try:
        click.echo(json.dumps(call(), ensure_ascii=False))
    except FazhiError as exc:
        raise click.ClickException(exc.message + (f"\nHint: {exc.hint}" if exc.hint else ""))


if __name__ == "__main__":
    main()
