"""The build and search commands, driven with click's CliRunner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from indexer.cli import main


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["build", str(SAMPLES), "--index", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "indexed 5 reports" in result.output
    return path


def test_search_json_has_the_documented_shape(index_dir):
    result = CliRunner().invoke(main, ["search", "双随机", "--index", str(index_dir), "--json", "--limit", "3"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["total"] == 5 and len(data["hits"]) == 3
    assert set(data["hits"][0]) >= {"passage_id", "report_id", "title", "agency", "year", "section",
                                    "text", "snippet", "url"}
    assert set(data["facets"]) == {"agency", "agency_kind", "agency_level", "province", "year", "section", "copied",
                                 "doc_type"}
    assert data["facets"]["agency"][0] == {"value": "西宁市湟中区卫生健康局", "count": 3}


def test_search_filters_as_options(index_dir):
    result = CliRunner().invoke(main, ["search", "执法", "--index", str(index_dir), "--json",
                                       "--agency", "阳江", "--year", "2022", "--section", "下一步"])
    data = json.loads(result.output)
    assert data["total"] > 0
    assert {h["agency"] for h in data["hits"]} == {"阳江市卫生健康局"}
    assert {h["section"].split(" › ")[0] for h in data["hits"]} == {"三、2023年度推进法治政府建设的工作安排"}


def test_search_text_output_marks_matches(index_dir):
    result = CliRunner().invoke(main, ["search", '"谁执法谁普法"', "--index", str(index_dir)])
    assert result.exit_code == 0
    assert "7 passages" in result.output and "[谁执法谁普法]" in result.output and "/p/r" in result.output


def test_search_errors_carry_a_hint(index_dir, tmp_path):
    missing = CliRunner().invoke(main, ["search", "法", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "Hint:" in missing.output and "build" in missing.output
    too_long = CliRunner().invoke(main, ["search", "法" * 600, "--index", str(index_dir)])
    assert too_long.exit_code == 1 and "过长" in too_long.output
    assert "Traceback" not in missing.output + too_long.output


def test_build_of_a_missing_folder_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "--index", str(tmp_path / "i")])
    assert result.exit_code == 1 and "no such file or folder" in result.output and "Hint:" in result.output


def test_search_text_says_which_page_of_how_many(index_dir):
    every = CliRunner().invoke(main, ["search", "执法", "--index", str(index_dir), "--json"]).output
    import json

    total = json.loads(every)["total"]
    first = CliRunner().invoke(main, ["search", "执法", "--index", str(index_dir), "--limit", "10"]).output
    pages = -(-total // 10)
    assert f"第 1/{pages} 页，第 1–10 段，共 {total} 段（下一页：--page 2）" in first
    last = CliRunner().invoke(main, ["search", "执法", "--index", str(index_dir), "--limit", "10",
                                     "--page", str(pages)]).output
    assert f"第 {pages}/{pages} 页，第 {(pages - 1) * 10 + 1}–{total} 段，共 {total} 段\n" in last


def test_building_an_empty_folder_is_an_error_that_leaves_the_index(index_dir, tmp_path):
    before = sorted(p.name for p in index_dir.iterdir())
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.xyz").write_text("not a report", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(empty), "--index", str(index_dir), "--quiet"])
    assert result.exit_code != 0
    assert "no report files" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in index_dir.iterdir()) == before


def test_search_and_research_commands_share_one_set_of_filter_options():
    # One definition (indexer.cli_options): the same flags, names and help on
    # search and every research command, and --level lists the reader's levels.
    from indexer.report.issuer import LEVELS

    def filters(name):
        return {p.opts[0]: (p.name, p.help) for p in main.commands[name].params if p.name in FILTER_NAMES}

    FILTER_NAMES = {"agency", "agency_kind", "agency_level", "province", "city", "year", "section", "copied"}
    search = filters("search")
    assert set(search) == {"--agency", "--agency-kind", "--level", "--province", "--city", "--year", "--section",
                           "--copied"}
    for name in ("kwic", "trend", "cards", "compare"):
        assert filters(name) == search, name
    shown = CliRunner().invoke(main, ["kwic", "--help"], terminal_width=200).output
    assert ", ".join(LEVELS) in shown and "{levels}" not in shown
