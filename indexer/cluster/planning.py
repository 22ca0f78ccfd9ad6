"""A cluster search's plan: the query as Groonga filters (matching, filters, near
misses), and what it needs counted before the shards rank: each clause's passages
(remembered per generation, a one-word query's counted in its first round), the
title and heading boosts that occur (``texts``) or the adjuster that
puts them in the first score (``boosts``), a compound's parts; the near misses'
count by inclusion-exclusion.  ``shards``: the client's ``per_shard`` (labelled
Groonga commands per shard) and ``each_shard`` (a call per shard).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SearchError
from ..search.checks import _merge_filters
from ..search.facets import FilterError, chosen_codes
from ..search.factors import compound_parts
from ..search.query import parse_query, with_counts_literal, without_groups
from . import EmbeddedOnly
from . import candidates
from . import groonga as g
from .boosts import LOOSE_SHARE, Adjust, adjust_for
from .facets import values_of
from .order import SCALE, Stats, idfs, rescale, term_weights, unit_df
from .texts import Texts, title_texts


def make_plan(shards, state, q: str, filters: dict | None) -> "Plan":
    """A search as Groonga filters, with the counts and boosts it needs (``shards``: the
    client's ``per_shard`` and ``each_shard``)."""
    query = parse_query(q or "")
    check_supported(query, q or "")
    merged = _merge_filters(query.filters, filters or {})
    excluded = _merge_filters(query.excluded_filters, {})
    vocab = {**state.facet_vocab, "report": state.report_ids}
    try:
        chosen, left_out = chosen_codes(vocab, merged), chosen_codes(vocab, excluded)
    except FilterError as exc:
        raise SearchError(str(exc))
    clauses = [[t.norm for t in clause] for clause in query.clauses]
    unfiltered = not (merged or excluded or query.excluded or query.titles or query.excluded_titles)
    pending = len(clauses) == 1 and ("df", tuple(clauses[0])) not in state.clause_stats
    dfs, full_any, union = ([unit_df(state.passages)], None, None) if pending else clause_stats(shards, state, clauses)
    plan = Plan(query, merged, excluded, chosen, dfs=dfs, df_pending=pending, unfiltered=unfiltered,
                expected=None if pending else full_any if full_any is not None else min(dfs),
                full_unknown=len(clauses) >= 2 and full_any is None)
    if clauses:
        plan.title_sets, plan.heading_path_sets = boost_sets(shards, state, clauses)
    if len(clauses) > 1:     # near matches score the parts of the compound they miss
        plan.part_dfs = part_dfs(shards, state, sorted({p for c in query.clauses for p in compound_parts(c)}))
    if len(clauses) > 1:
        plan.weights = term_weights(dfs, state.passages)
    if clauses:
        plan.adjust = adjust(state, clauses, dfs, plan.weights)
    exprs = [g.clause(c, w) for c, w in zip(clauses, plan.weights or [None] * len(clauses))]
    base = g.all_of(exprs)
    if len(clauses) >= 2 and full_any == 0:
        base, plan.partial = g.any_of(exprs), union > 0
    elif len(clauses) >= 2:
        plan.near_base = _excluding(f"({g.any_of([g.all_of(exprs[:i] + exprs[i + 1:]) for i in range(len(exprs))])})"
                                    f" &! {base}", query, state)
        plain = [g.clause(c) for c in clauses]          # counted only: no weights
        plan.near_parts = [_excluding(g.all_of(plain[:i] + plain[i + 1:]), query, state) for i in range(len(plain))]
        if len(clauses) == 2 and unfiltered and full_any is not None:
            plan.near_count = union - full_any      # one of two words, nothing else asked: counted already
        elif len(clauses) == 2 and unfiltered:
            plan.near_from_total = True             # the same, once the first round has counted the full matches
        elif len(clauses) == 3 and unfiltered and full_any is not None and union is not None:
            plan.near_count = sum(dfs) - union - 2 * full_any      # (``near_from_union``)
        elif len(clauses) == 3 and unfiltered:
            plan.near_from_union = g.any_of(plain)
    plan.base = _excluding(base, query, state)
    plan.chosen_values = {n: values_of(n, c, vocab) for n, c in chosen.items() if len(c)}
    plan.excluded_values = {n: values_of(n, c, vocab) for n, c in left_out.items()}
    plan.filter = g.filtered(plan.base, plan.chosen_values, plan.excluded_values)
    quoted = any(t.quoted for c in query.clauses for t in c)
    if len((q or "").split()) == 1 and len(query.phrases) == 1 and not quoted and len(clauses) >= 2:
        plan.whole_phrase = query.phrases[0]
    return plan


def clause_stats(shards, state, clauses: list[list[str]], full: int | None = None) -> tuple[list[int], int | None, int | None]:
    """(each clause's passages, passages holding every clause, holding any): summed over
    shards.  Each clause's count is remembered on its own (a word comes back in other
    queries).  The passages holding every clause are not counted here (None) unless
    ``full`` gives them: the first round counts them (``learn_full``), and a separate
    count of a common pair's intersection cost a shard 20–40 ms at 1 M passages.  The
    union is two counts less their intersection for two clauses, and counted only when
    no passage holds them all for more (None: not needed)."""
    if not clauses:
        return [], 0, 0
    key = tuple(map(tuple, clauses))
    found = state.clause_stats.get(key)
    if found is None:
        # Separate counts (Groonga 7's --slices miss index matches inside a result set).
        exprs = [g.clause(c) for c in clauses]
        dfs = [state.clause_stats.get(("df", tuple(c))) for c in clauses]
        found_counts = count_all(shards, {f"c{i}": e for i, e in enumerate(exprs) if dfs[i] is None})
        for i, clause in enumerate(clauses):
            if dfs[i] is None:
                dfs[i] = state.clause_stats["df", tuple(clause)] = found_counts[f"c{i}"]
        if len(exprs) == 1:
            found = (dfs, dfs[0], dfs[0])
        elif full is None:
            return dfs, None, None           # remembered once the full matches are counted
        elif len(exprs) == 2:
            found = (dfs, full, dfs[0] + dfs[1] - full)
        else:
            found = (dfs, full, None if full else count_all(shards, {"any": g.any_of(exprs)})["any"])
        state.clause_stats[key] = found
    return found


def learn_full(shards, state, plan: "Plan", total: int) -> bool:
    """After a first round whose plan did not know how many passages hold every clause:
    remember them (the round's ``total`` when nothing else narrowed it, else counted
    now), and whether none does, in which case the search is planned again, as a search
    of the passages holding some of the words (``make_plan``)."""
    clauses = [[t.norm for t in clause] for clause in plan.query.clauses]
    if not plan.unfiltered and total == 0:
        full = count_all(shards, {"all": g.all_of([g.clause(c) for c in clauses])})["all"]
    elif plan.unfiltered:
        full = total
    else:
        return False             # some pass the filters: some hold every clause
    clause_stats(shards, state, clauses, full)
    return full == 0


def count_all(shards, labelled: dict[str, str]) -> dict[str, int]:
    """Each Groonga filter's matches, summed over the shards."""
    summed = dict.fromkeys(labelled, 0)
    if labelled:
        for answers in shards.per_shard({label: g.select(expr) for label, expr in labelled.items()}):
            for label, answer in answers.items():
                summed[label] += answer["count"]
    return summed


def boost_sets(shards, state, clauses: list[list[str]]) -> tuple[list[tuple], list[tuple]]:
    """The sets of clauses the reports' titles hold, and the sets the heading paths
    hold (``texts.Texts.clause_sets``): which title and heading boosts occur at all."""
    key = ("boosts", tuple(map(tuple, clauses)))
    found = state.clause_stats.get(key)
    if found is None:
        found = (titles_of(state).clause_sets(clauses), heading_paths_of(shards, state).clause_sets(clauses))
        state.clause_stats[key] = found
    return found


def titles_of(state) -> Texts:
    """The generation's report titles, searched once per term (made on first use)."""
    if state.titles is None:
        state.titles = title_texts(state.title_norms, state.passages_of)
    return state.titles


def heading_paths_of(shards, state) -> Texts:
    """The heading paths the shards hold, with their passages (read on first use)."""
    if state.heading_paths is None:
        counts: dict[str, int] = {}
        for rows in shards.each_shard(lambda pool: pool.query(
                "SELECT section_norm, COUNT(*) FROM passages GROUP BY section_norm")):
            for path, n in rows:
                counts[path] = counts.get(path, 0) + n
        state.heading_paths = Texts(counts)
    return state.heading_paths


def adjust(state, clauses: list[list[str]], dfs: list[int], weights) -> "Adjust | None":
    """The adjuster putting the title and heading boosts in the first score (``boosts``)."""
    titles, paths = titles_of(state), state.heading_paths or Texts({})
    return adjust_for(clauses, idfs(Stats(state.passages, 1.0, dfs)), weights, state.max_length,
                      titles.most, paths.most, SCALE,
                      lambda term: titles.share(term, state.passages), lambda term: paths.share(term, state.passages),
                      LOOSE_SHARE)


def part_dfs(shards, state, parts: list[str]) -> dict[str, int]:
    """Passages holding each of ``parts``, summed over the shards (remembered per
    generation, as a one-word clause's count)."""
    wanted = [p for p in parts if ("df", (p,)) not in state.clause_stats]
    for p, n in count_all(shards, {p: g.term(p) for p in wanted}).items():
        state.clause_stats["df", (p,)] = n
    return {p: state.clause_stats["df", (p,)] for p in parts}


def learn_df(state, plan: "Plan", answers: list[dict], stood_in: Stats) -> Stats:
    """A one-word query's first round ran with a stand-in idf (``order.unit_df``): its
    passages, counted in that round, replace it; the candidates' first scores are
    rescaled (``order.rescale``) and the adjuster made again for any later round."""
    clause = [t.norm for t in plan.query.clauses[0]]
    df = sum(a[plan.df_label]["count"] for a in answers)
    state.clause_stats["df", tuple(clause)] = df
    state.clause_stats[(tuple(clause),)] = ([df], df, df)
    plan.dfs, plan.df_pending = [df], False
    stats = Stats(state.passages, state.average_length, plan.dfs, plan.part_dfs, plan.weights)
    factor = idfs(stats)[0] / idfs(stood_in)[0]
    for answer in answers:
        rescale(answer["main"]["rows"], factor)
    plan.adjust = adjust(state, [clause], plan.dfs, None)
    return stats


def near_total(plan: Plan, answers: list[dict], total: int) -> int:
    """The near misses (every clause but one held) by inclusion-exclusion: a passage holding
    every clause but one is in exactly one of ``plan.near_parts``, one holding them all (the
    ``total``) in each.  Each part is an intersection, counted without scores: cheaper than
    matching the union of the parts and taking the full matches out (a third of the time)."""
    labels = [f"near {i}" for i in range(len(plan.near_parts))]
    if not answers or labels[:1] and labels[0] not in answers[0]:
        return 0
    return sum(a[label]["count"] for a in answers for label in labels) - len(labels) * total


def near_from_union(state, plan: "Plan", answers: list[dict], total: int) -> int:
    """Three words, unfiltered: the near misses from the words' counts, the first round's
    count of the passages holding any (remembered with the words' counts) and the total."""
    union = sum(a["any"]["count"] for a in answers)
    key = tuple(tuple(t.norm for t in clause) for clause in plan.query.clauses)
    state.clause_stats[key] = (plan.dfs, total, union)
    return sum(plan.dfs) - union - 2 * total


@dataclass(eq=False)
class Plan:
    """A search as Groonga filters: ``base`` (matching), ``filter`` (and the filters),
    ``near_base`` (missing one clause), and what the answer reports back."""
    query: object
    merged: dict
    excluded: dict
    chosen: dict
    dfs: list[int]
    part_dfs: dict = field(default_factory=dict)
    weights: list | None = None        # several clauses: each occurrence's weight in Groonga's score
    partial: bool = False
    base: str = ""
    filter: str = ""
    near_base: str = ""
    near_parts: list = field(default_factory=list)     # per clause, the others all held (``_near_total``)
    chosen_values: dict = field(default_factory=dict)
    excluded_values: dict = field(default_factory=dict)
    title_sets: list = field(default_factory=lambda: [()])      # which clauses titles hold (each set once)
    heading_path_sets: list = field(default_factory=lambda: [()])    # which clauses heading paths hold

    adjust: Adjust | None = None      # the boosts in Groonga's first score (``boosts``)
    df_pending: bool = False          # one word, its passages counted in the first round (``_learn_df``)
    df_label: str = "main"            # ... by that round's answer so labelled (a facet's, or its own count)
    unfiltered: bool = False          # no filter, exclusion nor title: the matches are the words' own
    near_count: int | None = None     # the near misses, when the clauses' counts tell them
    expected: int | None = None       # the full matches before filters, or more (None: a new word's, not yet counted)
    full_unknown: bool = False        # several clauses, how many passages hold them all not yet counted (``learn_full``)
    near_from_total: bool = False     # two words, unfiltered: the near misses are their counts less twice the total
    # Three words, unfiltered: the passages holding any of them, counted in the first round;
    # the near misses (exactly two held) are the words' counts less that and twice the total
    # (Σ counts = n1 + 2·n2 + 3·n3, any = n1 + n2 + n3): one count of the union where three
    # intersections cost a shard twice as much (经济 建设 发展 at 1 M: 50 against 113 ms).
    near_from_union: str = ""
    whole_phrase: str = ""        # the run whose whole occurrences are counted (``Index._whole``)


def _excluding(base: str, query, state) -> str:
    """``base`` without the excluded words, and within the reports a ``title:`` admits."""
    for term in query.excluded:
        base = f"({base}) &! {g.term(term.norm)}"
    if query.titles or query.excluded_titles:
        titled = g.in_values('report', _titled(state, query))
        base = titled if base == g.ALL else f"({base}) && {titled}"      # (``groonga.filtered``)
    return base


def _titled(state, query) -> list[str]:
    """The reports whose own title holds every ``title:`` clause and no excluded title
    word (``scopes._title_mask``: substrings of the normalized title; untitled: none)."""
    def holds(title: str, terms) -> bool:
        return any(t.norm in title for t in terms)

    return [rid for rid, title in state.title_norms.items()
            if all(holds(title, clause) for clause in query.titles)
            and not (query.excluded_titles and holds(title, query.excluded_titles))]


def check_supported(query, q: str = "") -> None:
    """:class:`EmbeddedOnly` for what only the embedded index reads: the text of every
    match (同句/同段 groups) or the numbers a count word also matches (次数 → 37次).
    The hint gives ``q`` as the cluster answers it (``answerable``)."""
    if query.groups or query.excluded_groups:
        reason = "集群后端不支持 同句(…)/同段(…)（需要逐段读取全文）：请去掉该条件，或用内嵌索引检索"
    elif any(t.units for clause in query.clauses for t in clause):
        reason = "集群后端不支持数量词检索（如“次数”同时匹配“37次”）：请把该词加引号按原文检索，或用内嵌索引"
    else:
        return
    elsewhere = "对同一批报告用内嵌索引（--index）运行"
    changed = answerable(q) if q else q
    raise EmbeddedOnly(reason, hint=f"可改为：{changed}；或{elsewhere}" if changed != q else elsewhere)


def answerable(q: str) -> str:
    """``q`` as the cluster answers it: a 同句/同段 group's words anywhere in the passage,
    count words quoted (literal)."""
    return with_counts_literal(without_groups(q))
