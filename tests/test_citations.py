"""Citations and exports that hold (issue 22 items 3-4, issue 24's Host rule):
a passage that starts like a formula exports as text; an untitled report is
cited by its made-up display title, never its id; RIS parses as a reference
manager reads it; ``--base-url`` makes every link absolute; a forged ``Host``
never reaches an exported row or a citation."""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.model import MADE_UP_MARK
from indexer.research.export import LABELS

pytest_plugins = ["web_fixtures"]

SAMPLES = Path(__file__).resolve().parents[1] / "indexer" / "samples"
SAMPLE = "000_f7229b1349f031b6.txt"
FORMULA = "=cmd|' /C calc'!A0"
MARKER = "双随机抽查全覆盖"          # a phrase only the injected passage holds
BASE = "https://fz.example/site"


@pytest.fixture(scope="module")
def formula_index(tmp_path_factory) -> Path:
    """A real sample report with one paragraph that starts like a spreadsheet formula."""
    from indexer.build import build_index

    source = tmp_path_factory.mktemp("formula-src")
    text = (SAMPLES / SAMPLE).read_text(encoding="utf-8").splitlines()
    text.insert(8, f"{FORMULA}，{MARKER}，全年开展检查120次。")
    (source / SAMPLE).write_text("\n".join(text) + "\n", encoding="utf-8")
    path = tmp_path_factory.mktemp("formula-index")
    build_index([source], path, words=False)
    return path


@pytest.fixture
def formula_client(formula_index, make_web_app):
    return make_web_app(formula_index).test_client()


def test_a_formula_passage_exports_as_text(formula_client):
    from openpyxl import load_workbook

    response = formula_client.get("/search.xlsx", query_string={"q": MARKER})
    assert response.status_code == 200
    body = response.get_data()
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml")
    book = load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == [LABELS["passage_id"], LABELS["url"], LABELS["title"]] and sheet.freeze_panes == "A2"
    text = sheet.cell(row=2, column=header.index(LABELS["text"]) + 1)
    assert text.value.startswith(FORMULA) and text.data_type == "s"
    about = dict(book["查询"].iter_rows(values_only=True))
    assert about["查询"] == MARKER and about["导出行数"] == 1 and about["段落（段）"] == 1
    assert about["索引版本"] and about["导出时间"]

    rows = list(csv.DictReader(io.StringIO(
        formula_client.get("/search.csv", query_string={"q": MARKER}).get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["text"].startswith("'" + FORMULA)


def test_csv_provenance_is_a_sidecar_and_names_say_query_and_date(formula_client):
    response = formula_client.get("/search.csv", query_string={"q": MARKER})
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''fazhi-" in disposition and "%E5%8F%8C%E9%9A%8F%E6%9C%BA" in disposition
    link = response.headers["Link"]
    assert 'rel="describedby"' in link
    sidecar = formula_client.get(link[1:link.index(">")]).get_json()
    assert sidecar["notes"]["query"] == MARKER and sidecar["notes"]["counts"]["段落（段）"] == 1
    assert [c["name"] for c in sidecar["tableSchema"]["columns"]][:2] == ["passage_id", "url"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeffpassage_id,") and body.count("\r\n") >= 2   # one header line, CRLF


def test_every_tool_table_exports_formula_safe(formula_client):
    from openpyxl import load_workbook

    for path in ("/kwic", "/compare"):
        params = {"q": MARKER, "category": "主要举措和成效"} if path == "/compare" else {"q": "检查"}
        csv_body = formula_client.get(path + ".csv", query_string=params)
        assert csv_body.status_code == 200, path
        rows = list(csv.DictReader(io.StringIO(csv_body.get_data().decode("utf-8-sig"))))
        assert rows and all(r["url"].startswith("http://localhost/p/") for r in rows), path
        assert not any(str(v).startswith(("=", "+", "@")) for r in rows for v in r.values()), path
        book = load_workbook(io.BytesIO(formula_client.get(path + ".xlsx", query_string=params).get_data()))
        assert book.sheetnames == ["结果", "查询"], path
    compare = list(csv.DictReader(io.StringIO(formula_client.get(
        "/compare.csv", query_string={"q": MARKER, "category": "主要举措和成效"}).get_data().decode("utf-8-sig"))))
    assert any(r["text"].startswith("'" + FORMULA) for r in compare)


def test_a_forged_host_never_reaches_exports_or_citations(formula_client):
    evil = {"Host": "evil.example"}
    rows = list(csv.DictReader(io.StringIO(formula_client.get(
        "/search.csv", query_string={"q": MARKER}, headers=evil).get_data().decode("utf-8-sig"))))
    assert rows and all("evil.example" not in v for r in rows for v in r.values())
    assert rows[0]["url"] == f"/p/{rows[0]['passage_id']}"       # no server address known: the path alone
    passage = formula_client.get(f"/p/{rows[0]['passage_id']}.json", headers=evil).get_json()
    assert "evil.example" not in passage["citation"]
    assert "evil.example" not in formula_client.get(f"/p/{rows[0]['passage_id']}.ris", headers=evil).text
    reports = formula_client.get("/reports.csv", headers=evil).get_data().decode("utf-8-sig")
    assert "evil.example" not in reports


def test_base_url_makes_every_link_absolute(formula_index):
    from search_web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": formula_index, "BASE_URL": BASE + "/"})
    client = app.test_client()
    evil = {"Host": "evil.example"}
    page = client.get("/search.json", query_string={"q": MARKER}, headers=evil).get_json()
    pid = page["hits"][0]["passage_id"]
    assert page["hits"][0]["url"] == f"{BASE}/p/{pid}"
    passage = client.get(f"/p/{pid}.json", headers=evil).get_json()
    assert passage["permalink"] == f"{BASE}/p/{pid}" and passage["citation"].endswith(f"{BASE}/p/{pid}")
    for path in ("/search.csv", "/kwic.csv"):
        rows = list(csv.DictReader(io.StringIO(
            client.get(path, query_string={"q": MARKER}, headers=evil).get_data().decode("utf-8-sig"))))
        assert rows and all(r["url"].startswith(f"{BASE}/p/{r['passage_id']}") for r in rows), path
    reports = list(csv.DictReader(io.StringIO(client.get("/reports.csv").get_data().decode("utf-8-sig"))))
    assert reports and all(r["url"] == f"{BASE}/r/{r['id']}" for r in reports)
    assert rispy_load(client.get(f"/p/{pid}.ris").text)[0]["urls"][0] == f"{BASE}/p/{pid}"
    app.extensions["fazhi_index"].close()


def test_cli_base_url_absolute_and_ris(formula_index, tmp_path):
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(main, ["search", MARKER, "--index", str(formula_index), "--all", "--format", "csv",
                                       "-o", str(out), "--base-url", BASE])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["url"] == f"{BASE}/p/{rows[0]['passage_id']}" and rows[0]["citation"].endswith(rows[0]["url"])
    sidecar = json.loads(Path(f"{out}-metadata.json").read_text(encoding="utf-8"))
    assert sidecar["url"] == "hits.csv" and sidecar["notes"]["base_url"] == BASE
    text = CliRunner().invoke(main, ["search", MARKER, "--index", str(formula_index)], env={"FAZHI_BASE_URL": BASE})
    assert f"{BASE}/p/" in text.output
    ris = CliRunner().invoke(main, ["search", MARKER, "--index", str(formula_index), "--all", "--format", "ris",
                                    "--base-url", BASE])
    records = rispy_load(ris.output)
    assert len(records) == 1 and records[0]["urls"][0].startswith(f"{BASE}/r/")
    bad = CliRunner().invoke(main, ["search", MARKER, "--index", str(formula_index), "--base-url", "fz.example"])
    assert bad.exit_code == 2 and "base URL" in bad.output


def rispy_load(text: str) -> list[dict]:
    import rispy

    return rispy.loads(text.lstrip("\ufeff"))


# --- an untitled report, on the real corpus ---------------------------------

@pytest.fixture(scope="module")
def untitled(shared_index):
    from indexer.search import open_index

    index = open_index(shared_index)
    report = next((r for r in index.generation.reports if not r["title"] and r["agency"]), None)
    index.close()
    if report is None:
        pytest.skip("../shared holds no report without a title")
    return report


def test_an_untitled_report_is_cited_by_its_display_title(shared_index, untitled, make_web_app):
    client = make_web_app(shared_index).test_client()
    page = client.get(f"/r/{untitled['id']}.json").get_json()
    citation = page["report_citation"]
    assert untitled["id"] not in citation.split("[EB/OL]")[0]
    assert citation.startswith(f"{untitled['agency']}. {MADE_UP_MARK}{untitled['agency']}")
    passage_id = page["report"]["passages"][0]["id"]
    cited = client.get(f"/p/{passage_id}.json").get_json()["citation"]
    assert MADE_UP_MARK in cited and f"{untitled['id']}[EB/OL]" not in cited
    record = rispy_load(client.get(f"/p/{passage_id}.ris").text)[0]
    assert record["type_of_reference"] == "RPRT" and record["title"].startswith(MADE_UP_MARK)
    assert record["urls"][0] == f"http://localhost/p/{passage_id}" and record["year"] == str(untitled["year"] or "")
    csv_rows = list(csv.DictReader(io.StringIO(client.get(
        "/search.csv", query_string={"q": "", "report": untitled["id"]}).get_data().decode("utf-8-sig"))))
    assert csv_rows and all(MADE_UP_MARK in r["citation"] for r in csv_rows)


def test_source_urls_are_shown_decoded():
    from indexer.research.cite import gbt7714, shown_url

    assert shown_url("http://www.gov.cn/%E6%B3%95%E6%B2%BB/a.html?x=%2F") == "http://www.gov.cn/法治/a.html?x=%2F"
    assert shown_url("http://x.cn/?q=%C4%E3") == "http://x.cn/?q=%C4%E3"      # GBK bytes: kept as they are
    assert shown_url("javascript:alert(1)") == ""
    line = gbt7714({"agency": "某局", "title": "", "year": 2021, "source_url": "https://a.cn/%E6%8A%A5%E5%91%8A"},
                   {"ordinal": 2, "section": ""}, "https://fz.example/p/x", "2025-01-01")
    assert line == ("某局. 〔无标题〕某局2021年度法治政府建设报告[EB/OL]. (2021)[2025-01-01]. https://a.cn/报告. "
                    "引文见第2段：https://fz.example/p/x")


def test_web_main_refuses_a_bad_base_url():
    from search_web.__main__ import main as serve

    result = CliRunner().invoke(serve, ["--base-url", "ftp://x", "--port", "0"])
    assert result.exit_code == 2 and "base URL" in result.output


def test_a_site_under_a_prefix_exports_links_under_it(formula_client, formula_index):
    mounted = {"SCRIPT_NAME": "/fazhi"}
    rows = list(csv.DictReader(io.StringIO(formula_client.get(
        "/search.csv", query_string={"q": MARKER}, environ_overrides=mounted).get_data().decode("utf-8-sig"))))
    assert rows[0]["url"] == f"http://localhost/fazhi/p/{rows[0]['passage_id']}"
    passage = formula_client.get(f"/p/{rows[0]['passage_id']}.json", environ_overrides=mounted).get_json()
    assert passage["permalink"] == rows[0]["url"] and passage["links"]["ris"].startswith("/fazhi/p/")
    # A base URL stands for the whole root, prefix included: the prefix is not doubled.
    from search_web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": formula_index, "BASE_URL": BASE})
    kwic = list(csv.DictReader(io.StringIO(app.test_client().get(
        "/kwic.csv", query_string={"q": MARKER}, environ_overrides=mounted).get_data().decode("utf-8-sig"))))
    assert kwic and all(r["url"].startswith(f"{BASE}/p/{r['passage_id']}") for r in kwic)
    app.extensions["fazhi_index"].close()


@pytest.mark.parametrize("year", ["NaN", "2018--2022", "２０２２x"])
def test_a_bad_filter_of_an_export_is_a_400_before_the_body(formula_client, year):
    for path in ("/reports.csv", "/reports.xlsx", "/search.csv"):
        response = formula_client.get(path, query_string={"year": year, "q": "检查"})
        assert response.status_code == 400, (path, year, response.status_code)
