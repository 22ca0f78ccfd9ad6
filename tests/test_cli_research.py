"""The research commands through click's CliRunner, on an index of the samples."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.cli import main


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli-research")
    build_index(None, path, procs=1)
    return str(path)


def run(*args) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_kwic_lists_every_occurrence_and_exports_csv(index_dir):
    text = run("kwic", "双随机", "--index", index_dir, "--width", "6")
    assert text.startswith("9 lines in 5 passages")
    assert text.count("[双随机]") == 9
    rows = list(csv.DictReader(io.StringIO(run("kwic", "执法", "--index", index_dir, "--all", "--limit", "40",
                                               "--format", "csv", "--base-url", "https://fz.example/s/")
                                           .removeprefix("\ufeff"))))
    total = json.loads(run("kwic", "执法", "--index", index_dir, "--format", "json"))["total"]
    assert len(rows) == total > 40 and all(r["url"] == f"https://fz.example/s/p/{r['passage_id']}" for r in rows)


def test_trend_prints_a_row_per_query_and_year(index_dir):
    lines = run("trend", "执法", "双随机", "--index", index_dir).strip().split("\n")
    assert lines[0].split("\t")[:3] == ["query", "year", "passages"]
    assert "双随机\t2024\t3\t1\t1\t1.0" in lines


def test_cards_and_suggest(index_dir):
    cards = json.loads(run("cards", "--index", index_dir, "--format", "json"))
    assert len(cards) == 5 and {c["status"] for c in cards} == {"on_time", "unknown"}
    assert run("suggest", "双随即", "--index", index_dir).startswith("did_you_mean\t双随机\t")


def test_a_user_error_is_one_line_with_a_hint(index_dir):
    result = CliRunner().invoke(main, ["trend", "a", "b", "c", "d", "e", "f", "--index", index_dir])
    assert result.exit_code == 1 and "最多比较 5 个检索词" in result.output and "Traceback" not in result.output


def test_compare_prints_each_report_under_the_category(index_dir):
    text = run("compare", "--category", "问题", "--index", index_dir)
    assert text.startswith("存在的不足和原因: 5 reports") and text.count("\n== ") == 5


def test_similar_of_an_unknown_passage_is_a_one_line_error(index_dir):
    result = CliRunner().invoke(main, ["similar", "r2022-0000000000-0001", "--index", index_dir])
    assert result.exit_code == 1 and "没有编号为" in result.output
    text = run("similar", "r2022-72de5c0895-0010", "--index", index_dir, "--related", "3")
    assert text.startswith("near-identical in 0 other reports") and text.count("related ") == 3


def test_trend_split_prints_the_split_table(index_dir):
    plain = run("trend", "执法", "--index", index_dir)
    split = run("trend", "执法", "--split", "province", "--top", "1", "--index", index_dir)
    assert split.startswith(plain.rstrip("\n"))
    table = split[len(plain):].strip().split("\n")
    assert table[0] == "执法: reports by province"
    header, *rows = [line.split("\t") for line in table[1:]]
    assert header[0] == "province" and header[-1] == "total"
    assert [row[0] for row in rows] == ["广东省", "其他"]
    total = json.loads(run("trend", "执法", "--index", index_dir, "--format", "json"))["series"][0]["reports"]
    assert sum(int(row[-1]) for row in rows) == total
    for row in rows:
        assert sum(map(int, row[1:-1])) == int(row[-1])
    rows = list(csv.DictReader(io.StringIO(run("trend", "执法", "--split", "province", "--top", "1",
                                               "--format", "csv", "--index", index_dir))))
    assert {r["group"] for r in rows} == {"", "广东省", "其他"}
