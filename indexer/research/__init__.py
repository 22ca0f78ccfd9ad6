"""Research tools over a search: concordance, trends, side by side, similar
passages, report cards (issue 15).  Each takes the query and filters a search
takes and returns plain data for the CLI, the web page and its JSON twin.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``,
``indexer.store``, ``indexer.search``.  Never the build.
"""
