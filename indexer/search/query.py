"""The query language, parsed into a small plain structure.

- words: every word must match (``双随机 抽查``); a run of Chinese without spaces
  is cut into words by jieba with the domain dictionary;
- ``"quoted"`` (also “…” ＂…＂ 「…」): one exact phrase, whitespace- and width-insensitive;
- ``A OR B`` (also ``|``): either;  ``-word`` / ``NOT word``: must not match;
- ``agency:阳江`` ``kind:公安`` ``level:县`` ``province:`` ``city:`` ``year:2022`` ``section:问题``: filters;
  ``year:2018-2022`` ``year:>=2021``: year ranges; ``-agency:阳江`` ``NOT year:2020`` exclude;
  ``copied:yes`` / ``copied:no``: passages with (without) a near-identical twin in another report;
  ``-agency:*``: reports with no agency (the facets' 未注明), ``agency:*``: with one.
- ``同句(行政复议 纠错)`` (also ``"行政复议 纠错"~句``): every word of the group in one
  sentence of the passage; ``同段(…)`` (``"…"~段``): in one passage; ``-同句(…)`` excludes;
- ``title:营商环境`` / ``标题:营商环境`` (``title:"…"``): in the report's own title; ``-title:…`` excludes.

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
FIELDS = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section", "report", "copied", "doc_type")
FIELD_ALIASES = {"机关": "agency", "单位": "agency", "省": "province", "省份": "province",
                 "kind": "agency_kind", "类别": "agency_kind", "机关类别": "agency_kind",
                 "level": "agency_level", "层级": "agency_level", "级别": "agency_level",
                 "市": "city", "年": "year", "年份": "year", "章节": "section", "部分": "section",
                 "报告": "report", "抄录": "copied", "雷同": "copied",
                 "类型": "doc_type", "文档类型": "doc_type", "type": "doc_type"}
ANY_VALUE = "*"           # agency:* any value; -agency:* none (the 未注明 bucket)
_QUOTES = {'"': '"', "“": "”", "”": "”", "＂": "＂", "「": "」", "『": "』"}
_ANY_QUOTE = re.compile("[" + re.escape("".join(sorted(set(_QUOTES) | set(_QUOTES.values())))) + "]")
_WORD_RUN = re.compile(r'[^\s"“”＂「『]+')
# Words too common to be worth requiring when a run of text is cut into words.
_SURROGATE = re.compile("[\ud800-\udfff]")
STOPWORDS = frozenset("的 了 和 与 及 在 是 对 等 把 被 将 并 或 之 其 为 以 也 就 都 而 及其 以及".split())


# Proximity groups: 同句(…) one sentence, 同段(…) one passage.  "passage" is the
# scope of a plain word ORed with a group (``同句(A B) OR C``).
SENTENCE, PARAGRAPH, PASSAGE = "sentence", "paragraph", "passage"
SCOPES = {"同句": SENTENCE, "同段": PARAGRAPH}
SCOPE_NAMES = {SENTENCE: "同句", PARAGRAPH: "同段"}
_SCOPE_SUFFIX = {"~句": SENTENCE, "～句": SENTENCE, "~段": PARAGRAPH, "～段": PARAGRAPH}
_GROUP_OPEN = re.compile(r"([-－]?)(同句|同段)\s*[(（]")
_GROUP_CLOSE = ")）"
TITLE_NAMES = frozenset({"title", "标题", "题目"})
_TITLE_FIELD = re.compile(r"[-－]?(?i:title|标题|题目)[:：]")


class QueryError(SearchError):
    """A query that cannot be read; the message says why, for the user (400)."""


@dataclass
class Term:
    """One word or quoted phrase of a query, as typed and as matched."""

    text: str           # as typed
    norm: str           # normalized: what is matched
    quoted: bool = False
    units: str = ""     # a quantity word (次数): a regex of the units whose numbers it also matches


@dataclass
class Group:
    """Words that must stand together: each clause (an OR of terms) within one
    sentence (``同句``) or one passage (``同段``) of the passage."""
    scope: str
    clauses: list[list[Term]]


class MarkTerm(str):
    """A term to mark in snippets that also marks the numbers of a count query
    (``次数`` marks ``37次``): ``pattern`` is the compiled regex, or None."""
    pattern = None


# Quantity words: unquoted, each also matches a number with one of its units
# (``会前学法 次数`` finds ``会前学法37次``).  A word ending in one (学习次数) counts too.
QUANTITY_UNITS = {
    "次数": "次", "场次": "场次|场", "人次": "人次", "件数": "件", "户次": "户次|户", "人数": "人|名",
    "个数": "个", "家数": "家", "项数": "项", "条数": "条", "份数": "份", "起数": "起", "宗数": "宗",
    "天数": "天|个工作日|日", "数量": "万元|亿元|元|人次|万人|人|名|件次|件|起|次|场次|场|个|家|项|份|条|宗|户|所|批|篇|期",
    "频次": "次", "批次": "批次|批", "场数": "场", "期数": "期", "篇数": "篇",
    "金额": "万元|亿元|千元|元", "比例": "%|成", "比率": "%", "占比": "%", "率": "%",
}
QUANTITY_UNITS["总数"] = QUANTITY_UNITS["数量"]       # 案件总数: as 数量, any unit
# ``37``, ``1.2万``, and a round figure: ``20余`` (场), ``50余万`` (元), ``600多万`` (条).
NUMBER = r"(?<![\d.第])\d+(?:[.,]\d+)*(?:余|多)?(?:万|亿)?"


def quantity_units(word: str) -> str:
    """The units regex of a quantity word (``次数``, ``学习次数``, ``合格率``), or ''."""
    for name, units in QUANTITY_UNITS.items():
        if word == name or (word.endswith(name) and len(word) > len(name) and len(name) > 1):
            return units
    return QUANTITY_UNITS["率"] if word.endswith("率") and len(word) >= 3 else ""


def count_pattern(units: str) -> "re.Pattern":
    """A number followed by one of ``units`` (what a count word also matches)."""
    return re.compile(f"{NUMBER}(?:{units})")


@dataclass
class Query:
    """A parsed query: clauses (AND of ORs), exclusions, filters, groups, title terms and notes."""

    clauses: list[list[Term]] = field(default_factory=list)   # AND of ORs
    excluded: list[Term] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded_filters: dict[str, list[str]] = field(default_factory=dict)   # -agency:… NOT year:…
    phrases: list[str] = field(default_factory=list)   # normalized runs, for the proximity boost
    notes: list[str] = field(default_factory=list)     # what was dropped or reinterpreted
    # Each entry: the passage must satisfy one of its groups (their words are in clauses too).
    groups: list[list[Group]] = field(default_factory=list)
    excluded_groups: list[Group] = field(default_factory=list)
    titles: list[list[Term]] = field(default_factory=list)   # title:… (AND of ORs) on the report title
    excluded_titles: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the query has no clause of words (filters, exclusions or title terms alone)."""
        return not self.clauses

    def terms(self) -> list[str]:
        """Normalized terms to mark in snippets, longest first (a count word's as
        a :class:`MarkTerm` that marks its numbers too)."""
        # dict, not set: equal lengths keep the query's order, whatever the hash seed
        found = dict.fromkeys(_mark_term(t) for clause in self.clauses for t in clause)
        return sorted(found, key=len, reverse=True)


def _mark_term(term: Term) -> str:
    if not term.units:
        return term.norm
    marked = MarkTerm(term.norm)
    marked.pattern = count_pattern(term.units)
    return marked


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
    """``text`` as a :class:`Query`, odd input read as best it can (``QueryError`` when too long)."""
    check_query(text)
    query = Query()
    pending_or = negate = last_title = False
    tail = None        # (groups entry, first clause) of the group whose clauses end query.clauses
    for kind, value, _, _ in _lex(text, query):
        if kind == "or":
            pending_or = bool(query.clauses) or last_title
            continue
        if kind == "not":
            negate = True
            continue
        if kind == "filter":
            name, val = value
            if val == ANY_VALUE:
                # agency:* has a value: excludes the "no value" bucket; -agency:* keeps only it.
                negate, val = not negate, ""
            (query.excluded_filters if negate else query.filters).setdefault(name, []).append(val)
            negate = pending_or = False
            continue
        if pending_or and last_title and kind != "title":
            query.notes.append("OR 只连接标题条件与标题条件：“title:… OR 词语”已按同时满足处理。")
            pending_or = False
        if kind == "title":
            _add_title(query, value, negate, pending_or and last_title)
        elif kind == "group":
            tail = _add_group(query, _group(*value, query), negate, pending_or, tail)
        else:
            tail = _add_terms(query, _terms(value, kind == "phrase", query), negate, pending_or, tail)
        last_title = kind == "title"
        pending_or = negate = False
    if pending_or or negate:
        query.notes.append("末尾的运算符（OR / NOT / -）没有跟随词语，已忽略。")
    if text.strip() and not _has_condition(query):
        raise QueryError(f"“{text.strip()[:40]}”中没有可检索的词语：请输入要找的字词、短语或筛选条件（如 agency:阳江）。")
    # The unquoted text as one run: passages holding it whole rank first.
    query.phrases = ["".join(query.phrases)] if len(query.clauses) > 1 and query.phrases else []
    if len(query.clauses) > MAX_TERMS:
        query.clauses = query.clauses[:MAX_TERMS]
        query.notes.append(f"词语过多，只用了前 {MAX_TERMS} 个。")
    return query


def _has_condition(query: Query) -> bool:
    return bool(query.clauses or query.excluded or query.filters or query.excluded_filters or query.groups
                or query.excluded_groups or query.titles or query.excluded_titles)


def _add_terms(query: Query, terms: list[Term], negate: bool, pending_or: bool, tail):
    """Add a run's terms (``-`` excludes, after ``OR`` the first joins the last
    clause); returns the new ``tail`` (see ``parse_query``)."""
    if negate:
        query.excluded.extend(terms)
        return tail
    if not terms:
        return tail
    if pending_or and query.clauses:
        if tail is not None:         # 同句(A B) OR C: the group, or C anywhere in the passage
            _or_into_group(query, tail, Group(PASSAGE, [terms[:1]]))
        else:
            query.clauses[-1].extend(terms[:1])
        query.clauses.extend([t] for t in terms[1:])
        return tail if len(terms) == 1 else None
    query.clauses.extend([t] for t in terms)
    return None


def _add_group(query: Query, group: Group, negate: bool, pending_or: bool, tail):
    """Add a group: its clauses are required like words (so they rank and are
    marked like words) and ``query.groups`` says they must stand together."""
    if negate:
        query.excluded_groups.append(group)
        return tail
    if pending_or and query.clauses:
        if tail is None:             # A OR 同句(B C): A anywhere, or the group
            query.groups.append([Group(PASSAGE, [list(query.clauses[-1])])])
            tail = (len(query.groups) - 1, len(query.clauses) - 1)
        _or_into_group(query, tail, group)
        return tail
    query.groups.append([group])
    query.clauses.extend(list(clause) for clause in group.clauses)
    return len(query.groups) - 1, len(query.clauses) - len(group.clauses)


def _or_into_group(query: Query, tail: tuple[int, int], group: Group) -> None:
    """One more alternative for the groups entry ``tail`` names: its clauses
    become one clause (any of the terms), the entry decides the rest."""
    entry, start = tail
    query.groups[entry].append(group)
    merged = [t for clause in query.clauses[start:] for t in clause]
    query.clauses[start:] = [merged + [t for clause in group.clauses for t in clause]]


def _group(scope: str, body: str, query: Query) -> Group:
    """The group of ``同句(body)``: words, quoted phrases and OR only."""
    name = SCOPE_NAMES[scope]
    if _GROUP_OPEN.search(body):
        raise QueryError(f"{name}(…) 里不能再套 同句(…)/同段(…)：请把各组并列写出。")
    clauses: list[list[Term]] = []
    pending_or = False
    for kind, value, _, _ in _lex(body, query):
        if kind == "or":
            pending_or = bool(clauses)
            continue
        if kind not in ("word", "phrase"):
            raise QueryError(f"{name}(…) 里只能写词语、引号短语和 OR：排除词、筛选条件和其他组请写在括号外。")
        terms = _terms(value, kind == "phrase", query)
        if pending_or and terms:
            clauses[-1].extend(terms[:1])
            terms = terms[1:]
        clauses.extend([t] for t in terms)
        pending_or = False
    if not clauses:
        raise QueryError(f"{name}(…) 里没有可检索的词语：请写作 {name}(行政复议 纠错)。")
    return Group(scope, clauses)


def _add_title(query: Query, value: str, negate: bool, or_last: bool) -> None:
    term = Term(value, normalize(value), True)
    if not term.norm:
        query.notes.append(f"标题条件“{value}”不含可检索的文字，已忽略。")
    elif negate:
        query.excluded_titles.append(term)
    elif or_last and query.titles:
        query.titles[-1].append(term)
    else:
        query.titles.append([term])


def without_filter(text: str, name: str, value: str) -> str:
    """``text`` without the filter tokens that set ``name`` (a field, any of its
    aliases typed) to ``value``, as :func:`parse_query` reads them; spaces collapsed."""
    wanted = {(name, value)} | ({(name, ANY_VALUE)} if value == "" else set())
    try:
        cuts = [(start, end) for kind, found, start, end in _lex(text, Query())
                if kind == "filter" and found in wanted]
    except QueryError:           # an unclosed 同句( : the search says so; nothing to take out
        cuts = []
    for start, end in reversed(cuts):
        text = text[:start] + " " + text[end:]
    return " ".join(text.split())


def with_counts_literal(text: str) -> str:
    """``text`` with each word that asks for a quantity (``次数``, ``学习次数``, ``合格率``)
    quoted, so that it is the literal word and no longer matches numbers (``37次``);
    the rest as typed.  ``text`` itself when it has none (or cannot be read)."""
    try:
        tokens = [(start, end, value) for kind, value, start, end in _lex(text, Query()) if kind == "word"]
    except QueryError:
        return text
    for start, end, value in reversed(tokens):
        terms = _terms(value, False, Query())
        if any(t.units for t in terms):
            text = text[:start] + " ".join(f'"{t.text}"' if t.units else t.text for t in terms) + text[end:]
    return text


def without_groups(text: str) -> str:
    """``text`` with each ``同句(…)`` / ``同段(…)`` (or ``"…"~句``) group's words asked
    anywhere in a passage (its brackets taken off), a negated group taken out; the rest
    as typed.  ``text`` itself when it has none (or cannot be read)."""
    try:
        tokens = list(_lex(text, Query()))
    except QueryError:
        return text
    if not any(kind == "group" for kind, *_ in tokens):
        return text
    negated = {(start, end) for kind, _value, start, end in tokens if kind == "not"}
    for kind, value, start, end in reversed(tokens):
        if kind == "group":
            text = text[:start] + ("" if (start, end) in negated else f" {value[1]} ") + text[end:]
    return " ".join(text.split())


def without_quotes(text: str) -> str:
    """``text`` with every quote mark of the language taken out: its phrases
    become words.  Spaces collapsed."""
    return " ".join(_ANY_QUOTE.sub(" ", text).split())


def _lex(text: str, query: Query):
    """(kind, value, start, end): word, phrase, or, not, filter, title, group
    (value: scope and body), with the span of ``text`` each comes from."""
    at = 0
    while at < len(text):
        group = _group_at(text, at)
        if group:
            negate, scope, body, end = group
            if negate:
                yield "not", None, at, end
            yield "group", (scope, body), at, end
            at = end
            continue
        char = text[at]
        negate = char in "-－" and at + 1 < len(text) and not text[at + 1].isspace()
        opener = text[at + 1] if negate else char
        if opener in _QUOTES:
            start = at + (2 if negate else 1)
            end = _closing(text, start, opener, query)
            if negate:
                yield "not", None, at, end + 1
            scope = _SCOPE_SUFFIX.get(text[end + 1:end + 3])
            if scope:                 # "行政复议 纠错"~句: the words as a group
                yield "group", (scope, text[start:end]), at, end + 3
                at = end + 3
                continue
            yield "phrase", text[start:end], at, end + 1
            at = end + 1
            continue
        match = _WORD_RUN.match(text, at)
        if not match:
            at += 1
            continue
        at = match.end()
        if _TITLE_FIELD.fullmatch(match.group()) and at < len(text) and text[at] in _QUOTES:
            end = _closing(text, at + 1, text[at], query)          # title:"营商 环境"
            if match.group()[0] in "-－":
                yield "not", None, match.start(), end + 1
            yield "title", text[at + 1:end], match.start(), end + 1
            at = end + 1
            continue
        for kind, value in _word(match.group(), query):
            yield kind, value, match.start(), match.end()


def _closing(text: str, start: int, opener: str, query: Query) -> int:
    """Where the quote opened by ``opener`` before ``start`` closes (the end of
    ``text`` when it does not, with a note)."""
    end = text.find(_QUOTES[opener], start)
    if end < 0:
        query.notes.append("引号没有配对：把引号后的全部文字当作一个短语。")
        return len(text)
    return end


def _group_at(text: str, at: int):
    """(negated, scope, body, end) of a ``同句(…)`` / ``同段(…)`` starting at ``at``,
    or None; an unclosed one is a :class:`QueryError`.  Quotes inside may hold
    brackets: ``同句("(一)" 纠错)``."""
    found = _GROUP_OPEN.match(text, at)
    if not found:
        return None
    at = found.end()
    while at < len(text) and text[at] not in _GROUP_CLOSE:
        if text[at] in _QUOTES:
            close = text.find(_QUOTES[text[at]], at + 1)
            at = len(text) if close < 0 else close
        at += 1
    if at >= len(text):
        name = found.group(2)
        raise QueryError(f"“{name}(”缺少右括号：请写作 {name}(行政复议 纠错)。")
    return bool(found.group(1)), SCOPES[found.group(2)], text[found.end():at], at + 1


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
    if sep and field_name in TITLE_NAMES:
        if value:
            yield "title", value
        else:
            query.notes.append(f"“{word}”后面没有值，已忽略。")
        return
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
    return [Term(w, w, False, quantity_units(w)) for w in dict.fromkeys(words)]


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


def query_terms(q: str) -> list[str]:
    """The terms of ``q`` to mark in a text (none when ``q`` cannot be parsed)."""
    try:
        return parse_query(q or "").terms()
    except QueryError:
        return []
