"""Research tools over a search: concordance, trends, side by side, similar
passages, report cards (issue 15).  Each takes the query and filters a search
takes and returns plain data for the CLI, the web page and its JSON twin.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``,
``indexer.store``, ``indexer.search``.  Never the build.
"""
from .cards import card_of, corpus_view, report_cards
from .compare import side_by_side
from .kwic import concordance
from .similar import copied_report_numbers, similar_passages
from .trend import trend
from .words import complete, did_you_mean, key_terms, warm as warm_words

__all__ = ["card_of", "complete", "concordance", "corpus_view", "did_you_mean", "key_terms", "report_cards",
           "side_by_side", "similar_passages", "copied_report_numbers", "trend", "warm_words"]
