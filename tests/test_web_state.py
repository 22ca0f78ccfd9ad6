"""One search state everywhere (issue 22): the query, every filter, the year
range, sort, grouping and page size travel through every link of every page
kind, and every research tool applies the year range the search applies.

On the real reports of ../shared: the link walk follows every link of the
search page (both groupings), each tool, a passage page and a report page,
and checks each link keeps the state, changing at most the one thing it is
there to change (a facet value, the sort, a chip it removes, a year …)."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest_plugins = ["web_fixtures"]

Q = "营商环境"
YEARS = {"year_from": "2019", "year_to": "2022"}
FILTERS = {"agency_kind": "人民政府"}
STATE = {"q": Q, **FILTERS, **YEARS, "sort": "date", "per_page": "5"}
# The year filter and the year range are one thing, "years" (a trend point sets year=, a histogram bar the range).
FILTER_FIELDS = ("agency", "agency_kind", "agency_level", "province", "city", "section", "report", "copied")
TOOLS = ("/kwic", "/trend", "/compare", "/cards")
# Pages that are no search: the home page, the report list, files, the completion.
OUTSIDE = ("/static/", "/reports", "/suggest.json")
# A passage's or report's citation file (RIS) cites that item alone, whatever the search was.
CITATION_FILES = (".ris",)


@pytest.fixture
def client(shared_index, make_web_app):
    return make_web_app(shared_index).test_client()


def state_of(url: str) -> dict:
    """The search state a URL carries, as a comparable dict: on a tool page the
    search's sort and page size ride as search_sort / search_per_page; a tool's
    first query is the search's."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    tool = parts.path.rstrip(".jsoncv").rstrip(".") in TOOLS or any(parts.path.startswith(t) for t in TOOLS)
    names = {"search_sort": "sort", "search_per_page": "per_page"} if tool else {"sort": "sort", "per_page": "per_page"}
    state: dict = {"q": next((v for k, v in pairs if k == "q"), "")}
    for key in FILTER_FIELDS:
        state[key] = tuple(sorted(v for k, v in pairs if k == key))
    state["years"] = (dict(pairs).get("year_from"), dict(pairs).get("year_to"),
                      tuple(sorted(v for k, v in pairs if k == "year")))
    state["group"] = dict(pairs).get("group", "passage")
    for carried, name in names.items():
        state[name] = dict(pairs).get(carried, {"sort": "relevance", "per_page": None}[name])
    return state


def links_of(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"#]*)', html) if href.startswith("/")]


def changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def check_page(client, url: str, expected: dict, clear_all_seen: list) -> list[str]:
    """Every link of the page at ``url`` keeps ``expected`` but for one thing;
    returns the links to tool, passage and report pages (to walk on)."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    onward = []
    for link in links_of(html):
        path = urlsplit(link).path
        if path == "/" or any(path.startswith(p) for p in OUTSIDE) or path.endswith(CITATION_FILES):
            continue
        state = state_of(link)
        diff = changed(expected, state)
        if ">清除全部<" in html and diff and all(not state[k] for k in FILTER_FIELDS if k != "report") \
                and state["years"] == (None, None, ()) and diff <= set(FILTER_FIELDS) | {"years"}:
            clear_all_seen.append(link)          # 清除全部: filters and years gone, the rest kept
            continue
        if diff == {"group", "report"} and state["group"] == "passage":
            continue        # a listed report's "all its hits": its passages, the rest kept
        assert len(diff) <= 1, f"{url}\n  → {link}\n  changes {sorted(diff)}"
        if not diff and (path.startswith(("/p/", "/r/")) or path in TOOLS):
            onward.append(link)
    return onward


def test_every_link_of_every_page_kind_keeps_the_search_state(client):
    expected = state_of("/search?" + "&".join(f"{k}={v}" for k, v in STATE.items()))
    clear_all: list = []
    seen = set()
    queue = ["/search?" + "&".join(f"{k}={v}" for k, v in STATE.items())]
    queue.append(queue[0] + "&group=report")
    kinds = set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        kind = path if path in TOOLS or path == "/search" else path[:3]
        if kind in kinds and kind != "/search":
            continue          # one page of each kind (its links are built alike)
        kinds.add(kind)
        grouped = dict(expected, group=state_of(url)["group"])
        for link in check_page(client, url, grouped, clear_all):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert {"/search", *TOOLS, "/p/", "/r/"} <= kinds, kinds
    assert clear_all, "no 清除全部 link was found"


def test_json_links_keep_the_state(client):
    url = "/search.json?" + "&".join(f"{k}={v}" for k, v in STATE.items())
    page = client.get(url).get_json()
    expected = state_of(url)
    for name in ("self", "json", "first"):
        assert not changed(expected, state_of(page["links"][name])), name
    for fmt, link in page["links"]["export"].items():
        assert not changed(expected, state_of(link)), fmt
    for name, link in page["tools"].items():
        assert not changed(expected, state_of(link)), name
    for hit in page["hits"]:
        assert not changed(expected, state_of(hit["passage_url"]))
        assert not changed(expected, state_of(hit["report_url"]))


def test_the_year_form_gives_one_chip_and_clear_all_clears_it(client):
    html = client.get(f"/search?q={Q}&province=广东省&year_from=2019&year_to=2022").get_data(as_text=True)
    chips = html[html.index('class="active-filters"'):]
    chips = chips[:chips.index("</ul>")]
    assert "（见搜索词）" not in chips
    assert chips.count("年份：") == 1
    clear = unescape(re.search(r'<a href="([^"]+)">清除全部', chips).group(1))
    assert state_of(clear)["years"] == (None, None, ()) and not state_of(clear)["province"]
    assert state_of(clear)["q"] == Q


def test_each_tool_page_shows_the_filters_it_applied(client):
    query = f"q={Q}&province=广东省&year_from=2019&year_to=2022"
    for tool in TOOLS:
        html = client.get(f"{tool}?{query}").get_data(as_text=True)
        assert 'class="active-filters"' in html, tool
        assert "省份：</span>广东省" in html and "年份：</span>2019–2022" in html, tool


def test_the_year_range_on_every_tool_equals_the_search(client):
    query = f"q={Q}&year_from=2019&year_to=2022"
    search = client.get(f"/search.json?{query}").get_json()
    everything = client.get(f"/search.json?q={Q}").get_json()
    assert 0 < search["total"] < everything["total"], "the range must narrow the search to be a test"
    kwic = client.get(f"/kwic.json?{query}").get_json()
    assert kwic["passages"] == search["total"]
    trend = client.get(f"/trend.json?{query}").get_json()
    series = trend["series"][0]
    assert series["passages"] == search["total"] and series["reports"] == search["reports_total"]
    assert set(trend["years"]) <= set(range(2019, 2023))
    cards = client.get(f"/cards.json?{query}").get_json()
    # Cards judge 法治政府建设 annual reports only; the others are counted apart.
    assert cards["view"]["reports"] == len(cards["cards"])
    assert cards["view"]["reports"] + cards["view"]["other_kinds"] == search["reports_total"]
    for category in ("主要举措和成效", "存在的不足和原因"):
        compare = client.get(f"/compare.json?{query}&category={category}").get_json()
        reports = client.get(f"/search.json?{query}&section={category}&group=report").get_json()
        assert compare["total"] == reports["reports_total"]


def test_a_split_without_a_value_is_the_missing_bucket_and_its_links_filter_for_it(client):
    """Reports without a kind of issuer are 未注明 in a trend's split (never 不详), and
    a point's link lists exactly that point's reports (``agency_kind=`` empty)."""
    trend = client.get("/trend.json", query_string={"q": "法治", "split": "agency_kind", "top": 12}).get_json()
    groups = trend["series"][0]["groups"]
    blank = next(g for g in groups if g["value"] == "未注明")
    assert not any(g["value"] == "不详" for g in groups)
    point = next(p for p in blank["points"] if p["reports"])
    found = client.get(point["url"].replace("/search?", "/search.json?", 1)).get_json()
    assert found["reports_total"] == point["reports"]
