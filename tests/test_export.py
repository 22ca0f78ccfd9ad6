"""Export of a whole search (web and CLI): every row equals a hit of the search,
in result order; the CSV parses back, the XLSX opens with openpyxl.

Run on the index over ../shared, where ``经济`` has 2,500+ hits."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.research.export import COLUMNS, LABELS, safe_cell
from indexer.search import open_index

pytest_plugins = ["web_fixtures"]

Q = "经济"


@pytest.fixture(scope="module")
def index(opened_shared_index):
    return opened_shared_index


@pytest.fixture(scope="module")
def hits(index):
    """The search's hits in result order, by the library (not the export)."""
    every = list(index.iter_hits(Q))
    assert len(every) > 1000 and [h["passage_id"] for h in every] == index.all_ids(Q)
    return every


@pytest.fixture
def shared_client(shared_index, make_web_app):
    return make_web_app(shared_index).test_client()


def assert_rows_are_the_hits(rows: list[dict], hits: list[dict], spreadsheet: bool = False) -> None:
    """``spreadsheet``: a CSV, whose text cells that could start a formula carry a leading ``'``."""
    shown = safe_cell if spreadsheet else (lambda value: value or "")
    assert len(rows) == len(hits)
    for row, hit in zip(rows, hits):
        assert list(row) == list(COLUMNS)
        assert row["url"].endswith(f"/p/{hit['passage_id']}")
        for key in ("passage_id", "title", "agency", "province", "city", "county", "date", "section",
                    "category", "text"):
            assert (row[key] or "") == shown(hit.get(key) or ""), key
        assert str(row["year"] or "") == str(hit["year"] or "")
        assert "[EB/OL]" in row["citation"] and row["citation"].endswith(row["url"])


def test_csv_export_is_every_hit_with_a_bom(shared_client, hits):
    response = shared_client.get("/search.csv", query_string={"q": Q})
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert_rows_are_the_hits(rows, hits, spreadsheet=True)
    assert any(h["text"].startswith("-") for h in hits)      # the corpus holds cells to neutralise


def test_jsonl_export_is_every_hit(shared_client, hits):
    response = shared_client.get("/search.jsonl", query_string={"q": Q})
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert_rows_are_the_hits(rows, hits)


def test_xlsx_export_opens_with_openpyxl(shared_client, hits):
    from openpyxl import load_workbook

    response = shared_client.get("/search.xlsx", query_string={"q": Q})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == tuple(LABELS[name] for name in COLUMNS)
    assert_rows_are_the_hits([dict(zip(COLUMNS, r)) for r in table[1:]], hits)


def test_export_takes_the_search_parameters(shared_client, index):
    params = {"q": "执法", "agency": "阳江", "sort": "date", "year_from": "2020", "year_to": "2024"}
    rows = list(csv.DictReader(io.StringIO(
        shared_client.get("/search.csv", query_string=params).get_data().decode("utf-8-sig"))))
    expected = index.all_ids("执法", filters={"agency": ["阳江"], "year": ["2020-2024"]}, sort="date")
    assert 0 < len(rows) and [r["passage_id"] for r in rows] == expected
    page = shared_client.get("/search.json", query_string=params).get_json()
    assert page["links"]["export"]["csv"].startswith("/search.csv?") and "year_from=2020" in \
        page["links"]["export"]["csv"]


def test_a_bad_query_exports_nothing_but_a_400(shared_client):
    response = shared_client.get("/search.csv", query_string={"q": "(((("})
    assert response.status_code == 400


def test_cli_all_exports_the_same_rows(shared_index, hits, tmp_path):
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(main, ["search", Q, "--index", str(shared_index), "--all", "--format", "csv",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert_rows_are_the_hits(rows, hits, spreadsheet=True)
    result = CliRunner().invoke(main, ["search", Q, "--index", str(shared_index), "--all", "--format", "jsonl"])
    assert [json.loads(line)["passage_id"] for line in result.output.splitlines()] == [h["passage_id"] for h in hits]


def test_cli_group_report_and_city(shared_index, index):
    result = CliRunner().invoke(main, ["search", Q, "--index", str(shared_index), "--group", "report", "--json"])
    data = json.loads(result.output)
    assert data["group"] == "report" and len(data["groups"]) == 10
    assert data["reports_total"] == len({pid.rsplit("-", 1)[0] for pid in index.all_ids(Q)})
    city = next(r["city"] for r in index.generation.reports if r["city"])
    result = CliRunner().invoke(main, ["search", "法", "--index", str(shared_index), "--city", city, "--json"])
    assert {h["city"] for h in json.loads(result.output)["hits"]} == {city}


def test_cli_all_needs_a_row_format(shared_index):
    result = CliRunner().invoke(main, ["search", Q, "--index", str(shared_index), "--all"])
    assert result.exit_code != 0 and "--format csv" in result.output


def test_an_export_has_the_full_matches_the_total_counts(shared_client):
    total = shared_client.get("/search.json", query_string={"q": "执法 监督"}).get_json()
    rows = list(csv.DictReader(io.StringIO(
        shared_client.get("/search.csv", query_string={"q": "执法 监督"}).get_data().decode("utf-8-sig"))))
    assert total["near_total"] > 0 and len(rows) == total["total"] and {r["match"] for r in rows} == {"all"}
