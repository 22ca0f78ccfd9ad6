"""Analysis: the pipeline from passage text to what the index matches on.
May import: ``indexer.model``, ``indexer.errors`` (jieba, OpenCC and Whoosh's analysis classes).

Every text normalization of the project is defined here, once, as a named stage
(``tests/test_normalize.py`` sets them side by side):

- ``normalize``: width, script (Traditional→Simplified), case and spacing folded,
  for matching only, with offsets back into the original for snippets; the
  benchmark's ground truth uses it too;
- ``fold.squash``: width and spacing folded, nothing else: the key of a
  report id, which must never change;
- ``fold.fold``: ``squash`` with punctuation removed too, which tells two editions of
  the same report apart from two reports;
- ``jieba_words``: jieba with the domain dictionary, loaded when a text is cut
  (a query needs a few entries of it, not all: ``query_segmenter``);
- ``tokenize``: jieba's words as a Whoosh tokenizer whose positions are word ordinals;
- the character unigram/bigram postings in ``indexer.store.format.postings`` guarantee exact
  phrases whatever the segmentation.

``ANALYZER`` is created here on first use (module ``__getattr__``); Whoosh's
pickled schema reloads its class, ``tokenize.JiebaTokenizer``, by reference.
"""
from .normalize import normalize, normalize_with_offsets, to_simplified

__all__ = ["ANALYZER", "JiebaTokenizer", "cut", "is_word", "normalize", "normalize_with_offsets", "query_segmenter",
           "segmenter", "to_simplified"]


def __getattr__(name: str):
    """The tokenizer side (jieba, Whoosh) is imported on first use, so a process
    that only normalizes text does not load them."""
    global ANALYZER
    if name in ("cut", "segmenter", "query_segmenter", "is_word"):
        from . import jieba_words

        return getattr(jieba_words, name)
    if name == "JiebaTokenizer":
        from . import tokenize

        return tokenize.JiebaTokenizer
    if name == "ANALYZER":
        from .tokenize import JiebaTokenizer

        ANALYZER = JiebaTokenizer()
        return ANALYZER
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
