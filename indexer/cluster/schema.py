"""The cluster's tables.

Head (InnoDB): ``shards`` (written by ``scripts/cluster.sh``), ``buckets``
(bucket → shard: where every client looks a report up), ``reports`` (each
report's number, bucket, digest of what its shard holds, and its table row:
the facet vocabularies and the hits' metadata come from it), ``state``
(``generation``: bumped by every change, so clients know to reload).

Shard: ``passages`` (Mroonga) with two full-text indexes on the normalized
text, bigrams for terms of two characters or more and unigrams for single
characters, no normalizer (the text is normalized already, so a Groonga
phrase search is exactly our substring match); ``reports`` (InnoDB): each
report's structure without its text (report pages).
"""
from __future__ import annotations

PASSAGE_COLUMNS = ("id", "seq", "report_id", "ordinal", "agency", "agency_kind", "agency_level", "province",
                   "city", "doc_type", "year", "category", "section", "heading", "copied", "length", "date", "norm", "text",
                   "title_norm", "section_norm", "report_no")

# The filter columns, each with its own index: a filter set first in a select
# (``groonga.filtered``) is then looked up, and a word's postings are ANDed with
# it, where a sequential ``in_values`` over every match of a common word cost more
# than the word's matching (1 M passages: 75 → 12 ms for 发展 in one year, a shard).
FILTER_COLUMNS = ("agency", "agency_kind", "agency_level", "province", "city", "doc_type", "year", "category",
                  "copied")

SHARD_TABLES = [
    """CREATE TABLE IF NOT EXISTS passages (
      id VARCHAR(96) NOT NULL PRIMARY KEY,
      seq BIGINT NOT NULL,
      report_id VARCHAR(80) NOT NULL,
      ordinal INT NOT NULL,
      agency VARCHAR(512) NOT NULL DEFAULT '',
      agency_kind VARCHAR(64) NOT NULL DEFAULT '',
      agency_level VARCHAR(32) NOT NULL DEFAULT '',
      province VARCHAR(64) NOT NULL DEFAULT '',
      city VARCHAR(128) NOT NULL DEFAULT '',
      doc_type VARCHAR(64) NOT NULL DEFAULT '',
      year INT NOT NULL DEFAULT 0,
      category TINYINT NOT NULL,
      section TEXT NOT NULL,
      heading TINYINT NOT NULL,
      copied TINYINT NOT NULL,
      length INT NOT NULL,
      date INT NOT NULL,
      norm LONGTEXT NOT NULL,
      text LONGTEXT NOT NULL,
      title_norm TEXT NOT NULL,
      section_norm TEXT NOT NULL,
      report_no INT NOT NULL,
      KEY report_id (report_id),
      {filter_keys},
      FULLTEXT INDEX ft_bi (norm) COMMENT 'tokenizer "TokenBigramSplitSymbolAlphaDigit", normalizer "none"',
      FULLTEXT INDEX ft_uni (norm) COMMENT 'tokenizer "TokenUnigram", normalizer "none"',
      FULLTEXT INDEX ft_title_bi (title_norm) COMMENT 'tokenizer "TokenBigramSplitSymbolAlphaDigit", normalizer "none"',
      FULLTEXT INDEX ft_title_uni (title_norm) COMMENT 'tokenizer "TokenUnigram", normalizer "none"',
      FULLTEXT INDEX ft_section_bi (section_norm) COMMENT 'tokenizer "TokenBigramSplitSymbolAlphaDigit", normalizer "none"',
      FULLTEXT INDEX ft_section_uni (section_norm) COMMENT 'tokenizer "TokenUnigram", normalizer "none"'
    ) ENGINE=Mroonga DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""".replace(
        "{filter_keys}", ",\n      ".join(f"KEY {c}_ix ({c})" for c in FILTER_COLUMNS)),
    """CREATE TABLE IF NOT EXISTS reports (
      id VARCHAR(80) NOT NULL PRIMARY KEY,
      structure LONGTEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
]

HEAD_TABLES = [
    """CREATE TABLE IF NOT EXISTS buckets (bucket INT PRIMARY KEY, shard INT NOT NULL) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS reports (
      id VARCHAR(80) NOT NULL PRIMARY KEY,
      number INT NOT NULL,
      bucket INT NOT NULL,
      shard INT NOT NULL,
      digest CHAR(32) NOT NULL,
      passages INT NOT NULL,
      length_sum BIGINT NOT NULL,
      info LONGTEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
    """CREATE TABLE IF NOT EXISTS state (name VARCHAR(32) PRIMARY KEY, value BIGINT NOT NULL) ENGINE=InnoDB""",
]


SCHEMA_VERSION = 5         # of the shards' tables; a sync from another version reloads every shard


def ensure_head(head, shards: list[int]) -> None:
    """The head's tables; buckets dealt round-robin over ``shards`` the first time."""
    from .nodes import BUCKETS

    for ddl in HEAD_TABLES:
        head.query(ddl)
    if not head.query("SELECT COUNT(*) FROM buckets")[0][0]:
        values = ",".join(f"({b},{shards[b % len(shards)]})" for b in range(BUCKETS))
        head.query(f"INSERT IGNORE INTO buckets VALUES {values}")
    head.query("INSERT IGNORE INTO state VALUES ('generation', 0)")


def ensure_shard(shard) -> None:
    """The shard's tables, and the filter columns' indexes on a table made before them
    (Groonga indexes a column of 500k passages in well under a second)."""
    for ddl in SHARD_TABLES:
        shard.query(ddl)
    shard.query("ALTER TABLE passages " + ", ".join(f"ADD INDEX IF NOT EXISTS {c}_ix ({c})" for c in FILTER_COLUMNS))


def reset_if_old(head, shards) -> bool:
    """Drop the shards' tables and the head's report table when they were made by
    another schema version (the next sync loads everything again); True if it did."""
    found = head.query("SELECT value FROM state WHERE name = 'schema'")
    if found and found[0][0] == SCHEMA_VERSION:
        return False
    for shard in shards:
        shard.query("DROP TABLE IF EXISTS passages")
        shard.query("DROP TABLE IF EXISTS reports")
    head.query("DELETE FROM reports")
    head.query("REPLACE INTO state VALUES ('schema', %s)", (SCHEMA_VERSION,))
    return True
