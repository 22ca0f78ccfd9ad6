"""jieba, loaded once with the domain dictionary, and loaded only when a text is cut.

Two ways to the same words:

- ``segmenter()``: jieba's default tokenizer with its whole prefix dictionary in
  memory (500k entries, 0.5–3 s to unmarshal): for cutting many texts (the
  build's words, key terms);
- ``query_segmenter()``: the same tokenizer reading its dictionary entry by entry
  from an SQLite copy of that in-memory dictionary (``FrequencyFile``), for a
  process that cuts one query and exits (the command line).  A query of ten
  characters asks for a few dozen entries.  Once ``segmenter()`` has loaded
  (a server warms it), queries use it.  Both give the same words: the copy holds
  exactly the words and frequencies ``segmenter()`` ends up with;
- ``segmenter_for(chars)``: the second while a process has cut little (an
  update's few reports, for the Whoosh words), the first after.

jieba 0.42 imports ``pkg_resources`` (0.3–0.7 s: it scans every installed
distribution) only to open its own data files, and opens them with ``open()``
when ``pkg_resources`` is missing; ``_import_jieba`` makes it missing while jieba
imports.
"""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

# hashlib, logging, sqlite3 and tempfile are imported where used: parsing a
# query of quoted phrases needs none of this module but ``is_word``.

USER_DICT = Path(__file__).with_name("userdict.txt")
_FORMAT = 1                  # of the SQLite copy: bump when its layout changes
_lock = threading.RLock()
_full = None                 # jieba.Tokenizer with the whole dictionary in memory
_light = None                # jieba.Tokenizer reading a FrequencyFile
_light_chars = 0             # characters cut by it through segmenter_for()
LIGHT_CHARS = 50_000         # about 250 passages: a few reports


def _import_jieba():
    """``import jieba`` without ``pkg_resources`` (see the module's doc), its
    progress messages off (another library may have imported it first)."""
    import logging

    with _lock:
        absent = "pkg_resources" not in sys.modules and "jieba" not in sys.modules
        if absent:
            sys.modules["pkg_resources"] = None      # makes ``import pkg_resources`` raise ImportError
        try:
            import jieba
        finally:
            if absent and sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
        jieba.setLogLevel(logging.WARNING)
        return jieba


def is_word(token: str) -> bool:
    """A token worth indexing or matching: has a letter, digit or CJK character."""
    return any(c.isalnum() for c in token)


def segmenter():
    """jieba's default tokenizer with the domain dictionary loaded (once)."""
    global _full
    if _full is None:
        with _lock:
            if _full is None:
                jieba = _import_jieba()
                jieba.initialize()
                jieba.load_userdict(str(USER_DICT))
                _full = jieba.dt
    return _full


def query_segmenter():
    """A tokenizer cutting as ``segmenter()`` does, without loading the whole
    dictionary: ``segmenter()`` itself once it is loaded, else one reading the
    SQLite copy of its dictionary (made on first use, kept in the temp folder
    beside jieba's own cache)."""
    global _light
    if _full is not None:
        return _full
    if _light is None:
        with _lock:
            if _light is None and _full is None:
                _light = _light_tokenizer()
    return _full if _full is not None else _light


def segmenter_for(chars: int):
    """The tokenizer to cut ``chars`` more characters with: ``query_segmenter()``
    while this process has cut fewer than ``LIGHT_CHARS`` (an update's few
    reports: loading the whole dictionary would cost more than their cutting),
    ``segmenter()`` after that and once it is loaded.  The words are the same."""
    global _light_chars
    if _full is None and _light_chars + chars <= LIGHT_CHARS:
        _light_chars += chars
        return query_segmenter()
    return segmenter()


def cut(norm_text: str) -> list[str]:
    """Words of already-normalized text (precise mode, no HMM guessing so the same
    string always splits the same way)."""
    return [w for w in segmenter().cut(norm_text, HMM=False) if is_word(w)]


def _light_tokenizer():
    """A tokenizer on the SQLite copy; the full one where the copy can be
    neither written nor read (a read-only temp folder, another user's file)."""
    import sqlite3

    jieba = _import_jieba()
    path = _copy_path(jieba)
    try:
        if not path.exists():
            _write_copy(path)
        if path.stat().st_uid != os.getuid():      # never another user's file
            return segmenter()
        frequencies = FrequencyFile(path)
    except (OSError, sqlite3.Error):
        return segmenter()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = frequencies, frequencies.total
    tokenizer.initialized = True
    return tokenizer


def _copy_path(jieba) -> Path:
    """The copy's name says what it was made from: jieba's version and
    dictionary, the domain dictionary, the copy's format."""
    import hashlib
    import tempfile

    dictionary = Path(jieba.__file__).with_name("dict.txt")
    stat = dictionary.stat()
    key = f"{_FORMAT}|{jieba.__version__}|{stat.st_size}|{stat.st_mtime_ns}|".encode() + USER_DICT.read_bytes()
    folder = Path(jieba.dt.tmp_dir or tempfile.gettempdir())
    return folder / f"fazhi-jieba-{hashlib.sha1(key).hexdigest()[:16]}.sqlite"


def _write_copy(path: Path) -> None:
    """Write ``segmenter()``'s dictionary to ``path`` (atomically: processes may race)."""
    import sqlite3
    import tempfile

    full = segmenter()
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        with sqlite3.connect(temp) as db:
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
            db.execute("CREATE TABLE total (n INTEGER)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", full.FREQ.items())
            db.execute("INSERT INTO total VALUES (?)", (full.total,))
        db.close()
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


class FrequencyFile:
    """jieba's ``FREQ`` dict (word or word prefix → frequency, 0 for a prefix
    only), read from SQLite entry by entry; what jieba asks is kept, and what it
    adds (``add_word``) stays in memory.  The methods are those jieba's cutting uses."""

    def __init__(self, path: Path):
        self._path = path
        self._seen: dict[str, int | None] = {}
        self._lock = threading.Lock()
        self._connect()
        self.total = self._db.execute("SELECT n FROM total").fetchone()[0]

    def _connect(self) -> None:
        import sqlite3

        self._db = sqlite3.connect(f"file:{self._path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._pid = os.getpid()

    def _find(self, word: str) -> int | None:
        try:
            return self._seen[word]
        except KeyError:
            pass
        with self._lock:
            if self._pid != os.getpid():         # a forked process: SQLite connections do not cross a fork
                self._connect()
            row = self._db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
        found = self._seen[word] = None if row is None else row[0]
        return found

    def __contains__(self, word: str) -> bool:
        return self._find(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._find(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default=None):
        found = self._find(word)
        return default if found is None else found

    def __setitem__(self, word: str, n: int) -> None:
        self._seen[word] = n
