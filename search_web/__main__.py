"""``python -m search_web``: serve the site with waitress.

With no index at ``--index`` it first builds one from the bundled sample
reports, so the README's first command ends with a site that answers.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click


def ensure_index(index_dir: Path) -> None:
    """Build from the bundled samples when nothing was built at ``index_dir``.

    Checked without opening the index (opening loads it, and the memory freed
    afterwards stays with the process).  An index of another schema version is
    not overwritten with the samples: it may hold the user's own reports; the
    site says how to rebuild it."""
    from indexer.api import IndexMissing, IndexVersionError, check_index

    try:
        check_index(index_dir)
        return
    except IndexVersionError as exc:
        click.echo(f"Warning: {exc}; rebuild it: python -m indexer build [folders] --index {index_dir}",
                   err=True)
        return
    except IndexMissing:
        pass
    except (OSError, ValueError) as exc:     # another version, or damaged
        click.echo(f"Warning: {exc}; rebuild it: python -m indexer build [folders] --index {index_dir}",
                   err=True)
        return
    # Only now: the build code (Whoosh, tqdm, the readers) costs a server memory.
    from indexer.api import build_index

    click.echo(f"No index at {index_dir}: building it from the bundled sample reports …", err=True)
    summary = build_index(None, index_dir, progress=True)
    click.echo(f"Index built: {_describe(summary)}", err=True)


def _describe(summary) -> str:
    if isinstance(summary, dict):
        return ", ".join(f"{k}={v}" for k, v in summary.items() if isinstance(v, (int, float, str)))
    return str(summary)


def _addresses(server) -> list[str]:
    """The URLs actually bound: ``--port 0`` lets the system pick the port, and
    a host name can bind both an IPv4 and an IPv6 address."""
    listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    return [f"http://{f'[{host}]' if ':' in host else host}:{port}/" for host, port in listen]


@click.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index directory (default: the project's index/).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--backend", envvar="FAZHI_BACKEND", default=None,
              help="Serve a cluster backend (mroonga://…, printed by scripts/cluster.sh start) instead of --index.")
def main(index_dir: Path | None, host: str, port: int, threads: int, backend: str | None) -> None:
    """Serve the fazhi-search web UI (building the index from the samples if needed)."""
    import waitress

    from . import create_app, default_index_dir

    index_dir = index_dir or default_index_dir()
    if not backend:
        ensure_index(index_dir)
    app = create_app({"INDEX_DIR": index_dir, "BACKEND": backend})
    server = waitress.create_server(app, host=host, port=port, threads=threads)
    click.echo(f"Index: {backend or index_dir}  (Ctrl+C to stop)", err=True)
    for address in _addresses(server):
        click.echo(f"Serving on {address}")
    sys.stdout.flush()  # the address must reach a log or a pipe now, not at exit
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="python -m search_web"))
