"""Words from the index's own jieba vocabulary (the Whoosh ``content`` field):
"did you mean" for a term no passage holds, completion as one types, and the
key terms of a report.

The vocabulary is what the build's jieba cut the passages into, so a
suggestion is a word the reports really use, ranked by how many passages use
it.  An index built with ``--no-words`` has no vocabulary: every function here
then answers with nothing rather than failing.
"""
from __future__ import annotations

import math
import threading
import weakref
from collections import Counter, defaultdict

from cachetools import LRUCache

from ..analysis import normalize
from ..search.query import STOPWORDS
from ..store.reader.generation import Generation
from ..store.writer.word_deletions import Deleted

FIELD = "content"
MAX_COMPLETIONS = 20
_SCAN_PREFIX = 5000           # vocabulary words looked at for one prefix
# Whoosh readers are per thread and per generation (as Lucene's searchers are
# handed to each thread): a reader shares its open files' positions, so two
# threads never use one, and no lock serialises the server's Whoosh work.
_local = threading.local()
_deleted: "weakref.WeakKeyDictionary[Generation, Deleted]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()          # making a generation's shared tables once, nothing else


def reader(gen: Generation):
    """This thread's Whoosh reader of the generation, opened on its first use
    here and closed with the generation; its statistics leave out the deleted
    documents Whoosh still holds (``LiveReader``)."""
    readers = _local.__dict__.setdefault("readers", weakref.WeakKeyDictionary())
    found = readers.get(gen)
    if found is None:
        whoosh = gen.whoosh().reader()
        gen.on_close(whoosh.close)
        found = readers[gen] = LiveReader(whoosh, _deletions(gen, whoosh))
    return found


def _deletions(gen: Generation, whoosh) -> Deleted:
    """The generation's deleted words, read once and shared (read-only) by its readers."""
    with _lock:
        if gen not in _deleted:
            _deleted[gen] = Deleted(gen.path, whoosh)
        return _deleted[gen]


class LiveReader:
    """A Whoosh reader whose word statistics count only live documents.

    Whoosh, like Lucene, counts a deleted document in document and collection
    frequencies and field lengths until its segment is merged; the build records
    the words of what it deletes (``store.writer.word_deletions``), and this subtracts
    them, so "did you mean", completion, key terms and more-like-this score as
    on a full rebuild.  Everything else is the wrapped reader's."""

    def __init__(self, whoosh_reader, deleted: Deleted):
        self._reader, self._deleted = whoosh_reader, deleted

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def __contains__(self, term) -> bool:
        return term in self._reader and self.doc_frequency(*term) > 0

    def doc_count_all(self) -> int:
        """Documents of the index, deleted ones not counted."""
        return self._reader.doc_count()

    def doc_frequency(self, fieldname: str, text) -> int:
        """Documents holding ``text``, deleted ones not counted."""
        found = self._reader.doc_frequency(fieldname, text)
        return found - self._deleted.df[_text(text)] if fieldname == FIELD else found

    def frequency(self, fieldname: str, text) -> float:
        """Occurrences of ``text``, deleted documents' not counted."""
        found = self._reader.frequency(fieldname, text)
        return found - self._deleted.cf[_text(text)] if fieldname == FIELD else found

    def field_length(self, fieldname: str) -> int:
        """The field's total length, deleted documents' not counted."""
        found = self._reader.field_length(fieldname)
        return found - self._deleted.length if fieldname == FIELD else found


def _text(text) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


class Neighbours:
    """Which vocabulary words are one edit from a term.  A word one edit from a
    term of two or more characters keeps its first or its last character (an
    edit at the front leaves the end alone), so the words are filed by length
    and first character and by length and last character, and rapidfuzz's
    Levenshtein scan (C++) looks only at those few dozen words of the lengths
    one edit can reach, not at every word of those lengths.  Nothing is held but the words
    (a table of every one-deletion key, the usual trick, held ~90 MB there);
    tuples, which the collector stops tracking, since it is built after the
    server froze what it loaded (``search_web.index``)."""

    def __init__(self, words: list[str]):
        by_length: dict[int, list[str]] = defaultdict(list)
        by_end: dict[tuple, list[str]] = defaultdict(list)
        for word in words:
            by_length[len(word)].append(word)
            by_end[len(word), 0, word[0]].append(word)
            by_end[len(word), -1, word[-1]].append(word)
        self.by_length = {n: tuple(found) for n, found in by_length.items()}
        self.by_end = {key: tuple(found) for key, found in by_end.items()}

    def of(self, term: str) -> set[str]:
        """The vocabulary's words one edit from ``term``."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        found = set()
        for length in (len(term) - 1, len(term), len(term) + 1):
            words = self._candidates(term, length)
            if words:
                matches = process.extract(term, words, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
                found.update(word for word, _distance, _index in matches)
        found.discard(term)
        return found

    def _candidates(self, term: str, length: int) -> tuple[str, ...]:
        if len(term) < 2:           # the argument above needs two characters: scan them all
            return self.by_length.get(length, ())
        return self.by_end.get((length, 0, term[0]), ()) + self.by_end.get((length, -1, term[-1]), ())


_neighbours: "weakref.WeakKeyDictionary[Generation, Neighbours]" = weakref.WeakKeyDictionary()
_building = threading.Lock()


def neighbours(gen: Generation) -> Neighbours:
    """The generation's vocabulary filed for one-edit lookups, made on first use;
    words of Latin letters and digits are left out."""
    found = _neighbours.get(gen)
    if found is not None:
        return found
    r = reader(gen)
    with _building:     # one build per generation: a request asking meanwhile waits for it
        if gen not in _neighbours:
            words = (w.decode("utf-8") if isinstance(w, bytes) else w for w in r.lexicon(FIELD))
            _neighbours[gen] = Neighbours([w for w in words if len(w) >= 2 and not w.isascii()])
        return _neighbours[gen]


def warm(gen: Generation) -> None:
    """Open the generation's reader and file its vocabulary now: a server calls this in the background when it loads or swaps in
    a generation, so the first search with no hits does not pay for it (nor
    for importing rapidfuzz)."""
    from rapidfuzz import process  # noqa: F401

    neighbours(gen)


def did_you_mean(gen: Generation, term: str, limit: int = 3) -> list[dict]:
    """Vocabulary words one edit (a character changed, added or dropped) from
    ``term``, most used first: ``双随即`` → ``双随机``."""
    term = normalize(term)
    if len(term) < 2:
        return []
    candidates = neighbours(gen).of(term)
    r = reader(gen)
    found = {w: n for w in candidates if (n := r.doc_frequency(FIELD, w)) > 0}
    ranked = sorted(found, key=lambda w: (-found[w], w))
    return [{"word": w, "passages": found[w]} for w in ranked[:limit]]


def complete(gen: Generation, prefix: str, limit: int = 10) -> list[dict]:
    """Vocabulary words starting with ``prefix``, most used first."""
    prefix = normalize(prefix)
    if not prefix:
        return []
    limit = max(1, min(int(limit), MAX_COMPLETIONS))
    r = reader(gen)
    words = []
    for n, word in enumerate(r.expand_prefix(FIELD, prefix)):
        if n >= _SCAN_PREFIX:
            break
        if isinstance(word, bytes):
            word = word.decode("utf-8")
        if len(word) > len(prefix) and (count := r.doc_frequency(FIELD, word)) > 0:
            words.append((count, word))
    words.sort(key=lambda p: (-p[0], p[1]))
    return [{"word": w, "passages": f} for f, w in words[:limit]]


FREQUENCIES_KEPT = 100_000      # words per generation (about 15 MB)
_frequencies: "weakref.WeakKeyDictionary[Generation, LRUCache]" = weakref.WeakKeyDictionary()


def document_frequencies(gen: Generation, r, words: list[str]) -> dict[str, int]:
    """Each word's live document frequency, looked up in Whoosh once per
    generation and kept (least recently used out): a report's key terms look up
    its thousands of distinct words, a file read each, and the next report
    shares most of them."""
    with _lock:
        kept = _frequencies.setdefault(gen, LRUCache(FREQUENCIES_KEPT))
        found = {word: kept.get(word) for word in words}
    missing = {word: r.doc_frequency(FIELD, word) for word, n in found.items() if n is None}
    with _lock:
        kept.update(missing)
    found.update(missing)
    return found


def key_terms(gen: Generation, text: str, limit: int = 12) -> list[dict]:
    """The words of ``text`` (a report) that set it apart: tf-idf against the
    index's passages, words of two or more characters, no digits."""
    from ..analysis import cut        # jieba loads on first use, not with the API

    if not gen.meta.get("words", True):       # no vocabulary: none, without jieba's dictionary nor Whoosh
        return []
    counts = Counter(w for w in cut(normalize(text))
                     if len(w) >= 2 and w not in STOPWORDS and not any(c.isdigit() for c in w)
                     and any(c.isalpha() for c in w))
    if not counts:
        return []
    r = reader(gen)
    total = max(1, r.doc_count())
    frequencies = document_frequencies(gen, r, list(counts))
    scored = []
    for word, tf in counts.items():
        df = frequencies[word]
        if df:
            # Sublinear tf: a word said 40 times is not 40 times as telling as one said once.
            scored.append(((1 + math.log(tf)) * math.log(total / df), word, tf))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [{"word": w, "count": tf, "score": round(s, 2)} for s, w, tf in scored[:limit]]
