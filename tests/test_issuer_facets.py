"""Issuer kind and level: read from the report, stored, counted as facets and
filtered on in the CLI, the query language and the web app's JSON."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.cli import main

BODY = "推进双随机抽查，规范执法行为，全面落实行政执法三项制度。"
REPORTS = {
    "police.txt": ("石柱土家族自治县公安局\n关于2025年法治政府建设工作情况的报告\n2025年，我局坚持依法行政，"
                   + BODY + "\n一、主要举措和成效\n（一）规范执法。" + BODY),
    "street.txt": "留下街道2022年度法治政府建设工作报告\n2022年，留下街道坚持依法行政，" + BODY,
    "province.txt": "河南省人民政府关于2020年法治政府建设情况的报告\n2020年，省政府坚持依法行政，" + BODY,
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    source = tmp_path_factory.mktemp("issuers")
    for name, text in REPORTS.items():
        (source / name).write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("issuers-index") / "index"
    result = CliRunner().invoke(main, ["build", str(source), "--index", str(path), "--quiet", "--no-words"])
    assert result.exit_code == 0, result.output
    return path


def _search(index_dir, *args) -> dict:
    result = CliRunner().invoke(main, ["search", *args, "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _agencies(data: dict) -> set[str]:
    return {hit["agency"] for hit in data["hits"]}


def test_inspect_json_has_kind_level_and_sources(tmp_path):
    path = tmp_path / "police.txt"
    path.write_text(REPORTS["police.txt"], encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", str(path), "--json"])
    data = json.loads(result.output)
    assert (data["agency"], data["agency_kind"], data["agency_level"]) == ("石柱土家族自治县公安局", "公安", "县")
    assert data["sources"]["agency"] == "title" and data["sources"]["title"].startswith("title paragraph")
    assert data["county"] == "石柱土家族自治县" and not data["title_made_up"]
    printed = CliRunner().invoke(main, ["inspect", str(path)]).output
    assert "kind: 公安" in printed and "← title" in printed


def test_facets_count_kinds_and_levels(index_dir):
    data = _search(index_dir, "双随机")
    kinds = {f["value"] for f in data["facets"]["agency_kind"]}
    levels = {f["value"] for f in data["facets"]["agency_level"]}
    assert kinds == {"公安", "街道/乡镇", "人民政府"} and levels == {"县", "乡镇街道", "省"}
    hit = data["hits"][0]
    assert {"agency_kind", "agency_level", "display_title", "title_made_up"} <= set(hit)


def test_cli_filters(index_dir):
    assert _agencies(_search(index_dir, "双随机", "--agency-kind", "公安")) == {"石柱土家族自治县公安局"}
    assert _agencies(_search(index_dir, "双随机", "--level", "乡镇街道")) == {"留下街道办事处"}


def test_query_language_filters(index_dir):
    assert _agencies(_search(index_dir, "双随机 level:省")) == {"河南省人民政府"}
    assert _agencies(_search(index_dir, "双随机 agency_kind:公安")) == {"石柱土家族自治县公安局"}


def test_web_json_filters_and_facets(index_dir):
    from search_web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": index_dir})
    try:
        data = app.test_client().get("/search.json?q=双随机&agency_level=乡镇街道").get_json()
        assert {h["agency"] for h in data["hits"]} == {"留下街道办事处"}
        assert {"agency_kind", "agency_level"} <= set(data["facets"])
        page = app.test_client().get("/search?q=双随机").get_data(as_text=True)
        assert "机构类别" in page and "层级" in page
    finally:
        app.extensions["fazhi_index"].close()


def test_inspect_marks_a_made_up_title(tmp_path):
    path = tmp_path / "untitled.txt"
    path.write_text("一、主要举措和成效\n2024年，云南省委、省政府坚持依法行政。" + BODY, encoding="utf-8")
    data = json.loads(CliRunner().invoke(main, ["inspect", str(path), "--json"]).output)
    assert data["title"] == "" and data["title_made_up"]
    assert data["display_title"] == "〔无标题〕中共云南省委、云南省人民政府2024年度法治政府建设报告"
    printed = CliRunner().invoke(main, ["inspect", str(path)]).output
    assert "〔无标题〕" in printed and "made up" in printed
