"""``python -m search_web``: serve the site with waitress.

With no index at ``--index`` it first builds one from the bundled sample
reports, so the README's first command ends with a site that answers.
"""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import click


def ensure_index(index_dir: Path) -> None:
    """Build from the bundled samples when nothing was built at ``index_dir``.

    Checked without opening the index (opening loads it, and the memory freed
    afterwards stays with the process).  An index of another schema version is
    not overwritten with the samples: it may hold the user's own reports; the
    site says how to rebuild it."""
    from indexer.api import IndexDamaged, IndexMissing, IndexVersionError, check_index_quickly

    try:
        check_index_quickly(index_dir)      # meta.json is parsed once, when the index opens
        return
    except (IndexVersionError, IndexDamaged) as exc:     # the user's reports may be in it: never overwritten
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


def _checked_base_url(_ctx, _param, value: str) -> str:
    from indexer.api import check_base_url

    if not value:
        return ""
    try:
        return check_base_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc))


def server_options(threads: int = 8, connection_limit: int = 500, channel_timeout: int = 30) -> dict:
    """Waitress set so that slow and idle clients cannot starve the others.

    A connection costs a thread only while its request runs (waitress reads
    requests and writes answers in its event loop; an export is handed to it as
    a file, ``search_web.export_slots``), so idle and slow-loris connections
    cost only a connection slot: ``connection_limit`` well above waitress's 100
    (poll, not select, so past 1,024 descriptors too), and ``channel_timeout``
    closes one silent for that long (an idle keep-alive, a half-sent request),
    checked every ``cleanup_interval``.  A client that stopped reading its
    answer is never writable again, so waitress's timeout never reaches it: the
    kernel drops it instead once it has taken nothing for ``channel_timeout``
    (``TCP_USER_TIMEOUT``, Linux), and its export's file is let go.  At most
    ``--max-exports`` exports are produced at once, always leaving two threads
    for searches."""
    return {"threads": threads, "connection_limit": connection_limit, "channel_timeout": channel_timeout,
            "cleanup_interval": max(1, min(10, channel_timeout // 3)), "asyncore_use_poll": True,
            "backlog": 1024}


def connection_socket_options(channel_timeout: int = 30) -> list[tuple[int, int, int]]:
    """What waitress sets on every connection it accepts (``server.adj.socket_options``,
    not a ``create_server`` argument): its own defaults, and a connection
    whose client takes nothing for ``channel_timeout`` dropped by the kernel."""
    from waitress.adjustments import Adjustments

    options = list(Adjustments.socket_options)      # waitress's own: TCP_NODELAY
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        options.append((socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, channel_timeout * 1000))
    return options


# Seconds a thread may hold the GIL while another waits for it (Python's default
# is 0.005).  Waitress's one event loop gives the GIL up at every accept, read,
# send and close and must wait to get it back behind any busy thread (an export
# being written, a swap's background load): with two busy threads each wait was
# up to a full interval, so every request queued behind the loop (issue 24,
# BENCHMARKS.md).  A busy thread is interrupted more often; that costs little.
SWITCH_INTERVAL = 0.001


@click.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index directory (default: the project's index/).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--connection-limit", default=500, show_default=True, type=click.IntRange(10, 5000),
              help="Open connections at most (idle ones included).")
@click.option("--channel-timeout", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds a connection may stay silent (idle, or not reading its answer) before it is closed.")
@click.option("--max-exports", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Exports being produced at once; past that an export gets 503 and Retry-After.")
@click.option("--base-url", envvar="FAZHI_BASE_URL", default="", callback=_checked_base_url,
              help="The site's public address (https://host[/prefix]): every permalink, citation and export "
                   "starts with it, and the Host header is never read for them.  Also FAZHI_BASE_URL.")
@click.option("--backend", envvar="FAZHI_BACKEND", default=None,
              help="Serve a cluster backend (mroonga://…, printed by scripts/cluster.sh start) instead of --index.")
def main(index_dir: Path | None, host: str, port: int, threads: int, connection_limit: int,
         channel_timeout: int, max_exports: int, base_url: str, backend: str | None) -> None:
    """Serve the fazhi-search web UI (building the index from the samples if needed)."""
    import waitress

    from . import create_app, default_index_dir
    sys.setswitchinterval(SWITCH_INTERVAL)

    index_dir = index_dir or default_index_dir()
    if not backend:
        ensure_index(index_dir)
    app = create_app({"INDEX_DIR": index_dir, "BACKEND": backend, "BASE_URL": base_url, "VERIFY_IN_BACKGROUND": True,
                      "MAX_EXPORTS": min(max_exports, max(1, threads - 2))})
    from .health import start_warming

    start_warming(app)            # load and warm the index while the server starts; /healthz says when
    try:
        server = waitress.create_server(app, host=host, port=port,
                                        **server_options(threads, connection_limit, channel_timeout))
        server.adj.socket_options = connection_socket_options(channel_timeout)
    except OSError as exc:      # the port is taken, or the address is not this machine's
        import errno

        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror or exc})"
        raise click.ClickException(f"{host}:{port} {reason}; choose another with --port N (or stop what holds it)")
    # Without --base-url, citations and exports trust only the server's own address (search_web.urls).
    own = [a for a in _addresses(server) if "//0.0.0.0:" not in a and "//[::]:" not in a]
    app.config["SERVER_URL"] = own[0].rstrip("/") if own else ""
    click.echo(f"Index: {backend or index_dir}  (Ctrl+C to stop)", err=True)
    if not base_url and not own:
        click.echo("Note: listening on every address without --base-url: citations and exports reached "
                   "by another name carry site-relative links; give --base-url https://your.host", err=True)
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
