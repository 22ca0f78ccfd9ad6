"""The query language, parsed into a small plain structure.

- words: every word must match (``双随机 抽查``); a run of Chinese without spaces
  is cut into words by jieba with the domain dictionary;
- ``"quoted"`` (also “…” ＂…＂ 「…」): one exact phrase, whitespace- and width-insensitive;
- ``A OR B`` (also ``|``): either;  ``-word`` / ``NOT word``: must not match;
- ``agency:阳江`` ``kind:公安`` ``level:县`` ``province:`` ``city:`` ``year:2022`` ``section:问题``: filters;
  ``year:2018-2022`` ``year:>=2021``: year ranges; ``-agency:阳江`` ``NOT year:2020`` exclude;
  ``copied:yes`` / ``copied:no``: passages with (without) a near-identical twin in another report.

Every term matches as a substring of the normalized passage text, so a word is
found inside longer words (``行政处罚`` in ``《行政处罚法》``) whatever jieba does.
Nothing here raises on odd input except a query too long to be a search, or one
with nothing to search for (``((((``, a bare ``OR``), which would otherwise
return every passage as if that were an answer: an unbalanced quote runs to
the end, a lone operator or ``*`` is dropped.

This module is the one definition of the query language: front ends that edit
a query (take a filter out, drop the quotes) call :func:`without_filter` and
:func:`without_quotes` instead of re-parsing it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analysis import normalize
from ..analysis.jieba_words import is_word, query_segmenter
from ..errors import SearchError

MAX_QUERY = 500           # characters
MAX_TERMS = 32
FIELDS = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section", "report", "copied")
FIELD_ALIASES = {"机关": "agency", "单位": "agency", "省": "province", "省份": "province",
                 "kind": "agency_kind", "类别": "agency_kind", "机关类别": "agency_kind",
                 "level": "agency_level", "层级": "agency_level", "级别": "agency_level",
                 "市": "city", "年": "year", "年份": "year", "章节": "section", "部分": "section",
                 "报告": "report", "抄录": "copied", "雷同": "copied"}
_QUOTES = {'"': '"', "“": "”", "”": "”", "＂": "＂", "「": "」", "『": "』"}
_ANY_QUOTE = re.compile("[" + re.escape("".join(sorted(set(_QUOTES) | set(_QUOTES.values())))) + "]")
_WORD_RUN = re.compile(r'[^\s"“”＂「『]+')
# Words too common to be worth requiring when a run of text is cut into words.
_SURROGATE = re.compile("[\ud800-\udfff]")
STOPWORDS = frozenset("的 了 和 与 及 在 是 对 等 把 被 将 并 或 之 其 为 以 也 就 都 而 及其 以及".split())


class QueryError(SearchError):
    """A query that cannot be read; the message says why, for the user (400)."""


@dataclass
class Term:
    text: str           # as typed
    norm: str           # normalized: what is matched
    quoted: bool = False


@dataclass
class Query:
    clauses: list[list[Term]] = field(default_factory=list)   # AND of ORs
    excluded: list[Term] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded_filters: dict[str, list[str]] = field(default_factory=dict)   # -agency:… NOT year:…
    phrases: list[str] = field(default_factory=list)   # normalized runs, for the proximity boost
    notes: list[str] = field(default_factory=list)     # what was dropped or reinterpreted

    @property
    def empty(self) -> bool:
        return not self.clauses

    def terms(self) -> list[str]:
        """Normalized terms to mark in snippets, longest first."""
        # dict, not set: equal lengths keep the query's order, whatever the hash seed
        found = dict.fromkeys(t.norm for clause in self.clauses for t in clause)
        return sorted(found, key=len, reverse=True)


def check_query(text: str) -> str:
    """``text``, when a search can take it; else :class:`QueryError` (too long)."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"查询过长（{len(text)} 个字符，最多 {MAX_QUERY} 个）：请缩短为关键词或短语。",
                         hint="只保留最关键的几个词语或一个短语。")
    if _SURROGATE.search(text):
        # Bytes that were not UTF-8 (Python keeps them as lone surrogates): no text to match.
        raise QueryError("查询含有无法识别的字节（不是 UTF-8 编码的文字）：请用 UTF-8 输入。")
    return text


def parse_query(text: str) -> Query:
    check_query(text)
    query = Query()
    pending_or = negate = False
    for kind, value, _, _ in _lex(text, query):
        if kind == "or":
            pending_or = bool(query.clauses)
            continue
        if kind == "not":
            negate = True
            continue
        if kind == "filter":
            name, val = value
            (query.excluded_filters if negate else query.filters).setdefault(name, []).append(val)
            negate = pending_or = False
            continue
        terms = _terms(value, quoted=(kind == "phrase"), query=query)
        if negate:
            query.excluded.extend(terms)
        elif pending_or and terms:
            query.clauses[-1].extend(terms[:1])
            query.clauses.extend([t] for t in terms[1:])
        else:
            query.clauses.extend([t] for t in terms)
        pending_or = negate = False
    if pending_or or negate:
        query.notes.append("末尾的运算符（OR / NOT / -）没有跟随词语，已忽略。")
    if text.strip() and not (query.clauses or query.excluded or query.filters or query.excluded_filters):
        raise QueryError(f"“{text.strip()[:40]}”中没有可检索的词语：请输入要找的字词、短语或筛选条件（如 agency:阳江）。")
    # The unquoted text as one run: passages holding it whole rank first.
    query.phrases = ["".join(query.phrases)] if len(query.clauses) > 1 and query.phrases else []
    if len(query.clauses) > MAX_TERMS:
        query.clauses = query.clauses[:MAX_TERMS]
        query.notes.append(f"词语过多，只用了前 {MAX_TERMS} 个。")
    return query


def without_filter(text: str, name: str, value: str) -> str:
    """``text`` without the filter tokens that set ``name`` (a field, any of its
    aliases typed) to ``value``, as :func:`parse_query` reads them; spaces collapsed."""
    cuts = [(start, end) for kind, found, start, end in _lex(text, Query())
            if kind == "filter" and found == (name, value)]
    for start, end in reversed(cuts):
        text = text[:start] + " " + text[end:]
    return " ".join(text.split())


def without_quotes(text: str) -> str:
    """``text`` with every quote mark of the language taken out: its phrases
    become words.  Spaces collapsed."""
    return " ".join(_ANY_QUOTE.sub(" ", text).split())


def _lex(text: str, query: Query):
    """(kind, value, start, end): word, phrase, or, not, filter, with the span of
    ``text`` each comes from."""
    at = 0
    while at < len(text):
        char = text[at]
        negate = char in "-－" and at + 1 < len(text) and not text[at + 1].isspace()
        opener = text[at + 1] if negate else char
        if opener in _QUOTES:
            start = at + (2 if negate else 1)
            end = text.find(_QUOTES[opener], start)
            if end < 0:
                end = len(text)
                query.notes.append("引号没有配对：把引号后的全部文字当作一个短语。")
            if negate:
                yield "not", None, at, end + 1
            yield "phrase", text[start:end], at, end + 1
            at = end + 1
            continue
        match = _WORD_RUN.match(text, at)
        if not match:
            at += 1
            continue
        at = match.end()
        for kind, value in _word(match.group(), query):
            yield kind, value, match.start(), match.end()


def _word(word: str, query: Query):
    if word in ("OR", "|", "||", "或者"):
        yield "or", None
        return
    if word in ("NOT", "AND", "&&"):
        if word == "NOT":
            yield "not", None
        return
    if word[0] in "-－" and len(word) > 1:
        yield "not", None
        word = word[1:]
    name, sep, value = word.replace("：", ":").partition(":")
    field_name = FIELD_ALIASES.get(name) or FIELD_ALIASES.get(name.lower(), name.lower())
    if sep and field_name in FIELDS:
        if value:
            yield "filter", (field_name, value)
        else:
            query.notes.append(f"“{word}”后面没有值，已忽略。")
        return
    yield "word", word


def _terms(value: str, quoted: bool, query: Query) -> list[Term]:
    """The terms of a phrase (one) or of a run of unquoted text (its words)."""
    norm = normalize(value)
    if quoted:
        return [Term(value, norm, True)] if norm else []
    stripped = norm.strip("*?？")
    if not any(c.isalnum() for c in stripped):
        if value.strip():
            query.notes.append(f"“{value}”不含可检索的文字，已忽略（通配符不受支持）。")
        return []
    words = _merge_single_characters(pieces(stripped)) or [stripped]
    query.phrases.append(stripped)
    return [Term(w, w, False) for w in dict.fromkeys(words)]


def pieces(norm_text: str) -> list[str]:
    """Jieba's cut of normalized text with its marks and spaces kept (``cut``
    drops them): they end a run of words a lone character may be glued to."""
    return list(query_segmenter().cut(norm_text, HMM=False))


def _merge_single_characters(words: list[str]) -> list[str]:
    """The words of jieba's ``pieces`` without stopwords and punctuation, a
    lone character glued to a word it touches: ``双|随机抽查`` is meant as
    ``双随机抽查``; required alone, ``双`` would match almost every passage.
    Never across a stopword or a mark: ``门|和|各级`` gives 门 and 各级, and
    ``程|,|及时`` 程 and 及时 (``门各级``, ``程及时`` are in no passage)."""
    merged: list[str] = []
    touching = False             # the last word kept is the one just before this one
    for word in words:
        if word in STOPWORDS or not is_word(word):
            touching = False
            continue
        if touching and (len(word) == 1 or len(merged[-1]) == 1):
            merged[-1] += word
        else:
            merged.append(word)
        touching = True
    return merged
