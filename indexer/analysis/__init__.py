"""Analysis: the pipeline from passage text to what the index matches on.

- ``normalize``: width, script (Traditional→Simplified), case and spacing folded,
  for matching only, with offsets back into the original for snippets;
- ``tokenize``: jieba with the domain dictionary, as a Whoosh tokenizer whose
  positions are word ordinals;
- the character unigram/bigram postings in ``indexer.postings`` guarantee exact
  phrases whatever the segmentation.

``ANALYZER`` is defined here, at module level, so Whoosh's pickled schema
reloads it by reference.
"""
from .normalize import normalize, normalize_with_offsets
from .tokenize import JiebaTokenizer, cut, segmenter

ANALYZER = JiebaTokenizer()

__all__ = ["ANALYZER", "JiebaTokenizer", "cut", "normalize", "normalize_with_offsets", "segmenter"]
