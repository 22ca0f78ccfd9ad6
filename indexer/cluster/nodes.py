"""The cluster's servers as the client sees them: the head named by the URL
(``mroonga://user:password@host:port/database``), the shards the head lists,
and the bucket table that places each report on a shard.

Each server gets a small pool of PyMySQL connections (a connection serves one
thread at a time); ``fan_out`` sends one question per shard in parallel.  A
server that does not answer raises :class:`ShardDown`: the search stops with
a clear error instead of answering from the shards that are left (which would
be a smaller, wrong answer).
"""
from __future__ import annotations

import queue
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import orjson

from ..errors import FazhiError

BUCKETS = 1024          # a report's bucket: crc32(report id) % BUCKETS; the head maps buckets to shards
CONNECT_SECONDS = 3
LOAD_SECONDS = 6 * 3600     # a bulk load builds six full-text indexes over a shard's passages at once
# MySQL client errors that mean the server is gone: can't connect, gone away, lost, shut down
_GONE = {2002, 2003, 2006, 2013, 2055, 1053}
READ_SECONDS = 60


class ShardDown(FazhiError):
    """A server of the cluster does not answer: no answer rather than a partial one."""
    status = 503


class BackendError(FazhiError):
    """The backend URL or the cluster's tables are not what they should be."""
    status = 503


@dataclass(frozen=True)
class Server:
    name: str           # "head" or "shard 2"
    host: str
    port: int
    user: str
    password: str
    database: str

    def connect(self, seconds: int = READ_SECONDS):
        import pymysql

        try:
            return pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                   database=self.database, charset="utf8mb4", autocommit=True,
                                   connect_timeout=CONNECT_SECONDS, read_timeout=seconds,
                                   write_timeout=seconds, local_infile=True)
        except pymysql.err.MySQLError as exc:
            raise self.down(exc) from None

    def down(self, exc) -> ShardDown:
        return ShardDown(f"集群的{_label(self.name)}（{self.host}:{self.port}）没有响应：{_reason(exc)}。"
                         "集群不完整时不给出结果，以免漏掉段落",
                         hint="bash scripts/cluster.sh status 查看各分片；启动后重试")


def _label(name: str) -> str:
    return "主节点" if name == "head" else "分片 " + name.split()[-1]


def _reason(exc) -> str:
    args = getattr(exc, "args", ())
    return str(args[1] if len(args) > 1 else exc)[:120]


def _discard(conn) -> None:
    """Close a connection that may be broken already (closing one says goodbye to the server)."""
    try:
        conn.close()
    except Exception:  # noqa: BLE001  (the server is gone: nothing to say goodbye to)
        pass


def parse_url(url: str) -> Server:
    """The head's address from ``mroonga://user:password@host:port/database``."""
    parts = urlparse(url)
    if parts.scheme != "mroonga" or not parts.hostname:
        raise BackendError(f"不是集群地址：{url[:80]}", hint="形如 mroonga://fazhi:fazhi@127.0.0.1:3400/fazhi"
                                                     "（bash scripts/cluster.sh start 会打印）")
    return Server("head", parts.hostname, parts.port or 3306, unquote(parts.username or "fazhi"),
                  unquote(parts.password or ""), parts.path.strip("/") or "fazhi")


def bucket_of(report_id: str) -> int:
    return zlib.crc32(report_id.encode("utf-8")) % BUCKETS


class Pool:
    """Connections to one server, reused; one thread uses a connection at a time."""

    def __init__(self, server: Server):
        self.server = server
        self._idle: queue.LifoQueue = queue.LifoQueue()

    @contextmanager
    def connection(self, seconds: int | None = None):
        """A connection; ``seconds``: a fresh one waiting that long for answers (a bulk load)."""
        import pymysql

        conn = self._reused() if seconds is None else None
        if conn is None:
            conn = self.server.connect(seconds or READ_SECONDS)
        try:
            yield conn
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
            _discard(conn)
            if isinstance(exc, pymysql.err.InterfaceError) or (exc.args and exc.args[0] in _GONE):
                raise self.server.down(exc) from None
            raise BackendError(f"集群的{_label(self.server.name)}拒绝了请求：{_reason(exc)}") from None
        except BaseException:
            _discard(conn)
            raise
        else:
            if seconds is None:
                self._idle.put(conn)
            else:
                _discard(conn)

    def _reused(self):
        """An idle connection that still answers (a server restarted since has closed
        the ones it had: a client follows a restart without an error), or None."""
        import pymysql

        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return None
            try:
                conn.ping(reconnect=False)
                return conn
            except pymysql.err.MySQLError:
                _discard(conn)

    def query(self, sql: str, args=None) -> list[tuple]:
        with self.connection() as conn, conn.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def groonga(self, command: str):
        """A Groonga command's answer (JSON), through ``mroonga_command``."""
        rows = self.query("SELECT mroonga_command(%s)", (command,))
        return orjson.loads(rows[0][0])

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
            except Exception:  # noqa: BLE001  (closing a connection to a server that is gone)
                pass


class Cluster:
    """The head, the shards it lists and the bucket table; ``fan_out`` runs
    one call per (shard, question) in parallel."""

    def __init__(self, url: str):
        self.url = url
        self.head = Pool(parse_url(url))
        self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="shard")
        self._lock = threading.Lock()
        self.shards: dict[int, Pool] = {}
        self.load_topology()

    def load_topology(self) -> None:
        """The shard list and bucket table as the head holds them now."""
        head = self.head.server
        try:
            rows = self.head.query("SELECT id, host, port FROM shards ORDER BY id")
        except ShardDown:
            raise
        except Exception as exc:  # noqa: BLE001  (a head without the tables: not a cluster)
            raise BackendError(f"{head.host}:{head.port} 上没有集群的分片表（{_reason(exc)}）",
                               hint="用 bash scripts/cluster.sh start 启动集群") from None
        with self._lock:
            known = self.shards
            self.shards = {n: known.get(n) or Pool(Server(f"shard {n}", host, port, head.user, head.password,
                                                          head.database)) for n, host, port in rows}
        if not self.shards:
            raise BackendError("集群没有分片", hint="bash scripts/cluster.sh start --shards 2")
        self.buckets = self._buckets()

    def _buckets(self) -> list[int]:
        from .schema import ensure_head

        ensure_head(self.head, sorted(self.shards))
        table = dict(self.head.query("SELECT bucket, shard FROM buckets"))
        return [table[b] for b in range(BUCKETS)]

    def shard_of(self, report_id: str) -> int:
        return self.buckets[bucket_of(report_id)]

    def fan_out(self, calls: list[tuple[int, callable]]) -> list:
        """``[fn(pool of shard) for shard, fn in calls]``, run in parallel; the
        first ShardDown (or other error) is raised once every call has ended."""
        futures = [self._executor.submit(fn, self.shards[shard]) for shard, fn in calls]
        results, error = [], None
        for future in futures:
            try:
                results.append(future.result())
            except BaseException as exc:  # noqa: BLE001  (re-raised below)
                error = error or exc
                results.append(None)
        if error is not None:
            raise error
        return results

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.head.close()
        for pool in self.shards.values():
            pool.close()
