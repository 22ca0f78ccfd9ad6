"""Fixtures for the web tests, loaded with ``pytest_plugins = ["web_fixtures"]``.

Kept out of the shared conftest.py so the web tests own them.  Indexes are real
(built by ``indexer.build.build_index``) and built once per session in tmp dirs:
the bundled samples, and a small hostile corpus (a sample plus a report full of
markup, with a manifest giving source URLs) for the escaping tests.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "indexer" / "samples"
SAMPLE = "000_f7229b1349f031b6.txt"
XSS = "<script>alert(1)</script>"

HOSTILE_REPORT = f"""{XSS}卫生健康局2023年法治政府建设年度报告

一、主要工作情况
（一）加强执法监督{XSS}
全面推行“双随机、一公开”监管，检查结果<img src=x onerror=alert(2)>全部公开，"quoted" & 'single'。
二、存在问题
个别执法人员对{XSS}新法规掌握不够。
三、下一步工作打算
继续推进“双随机、一公开”监管全覆盖。
"""

MANIFEST = f"""file,title,agency,year,source_url
{SAMPLE},,,,https://www.example.gov.cn/xxgk/2022/report.html?a=1&b=2
hostile.txt,,<b onmouseover=alert(4)>某</b>卫生健康局,,javascript:alert(3)
"""


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    """An index of the bundled samples."""
    from indexer.build import build_index

    path = tmp_path_factory.mktemp("web-index")
    build_index(None, path)
    return path


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory) -> Path:
    """One sample plus a report with markup in its title and text."""
    from indexer.build import build_index

    source = tmp_path_factory.mktemp("hostile-src")
    shutil.copy(SAMPLES / SAMPLE, source / SAMPLE)
    (source / "hostile.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    (source / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    path = tmp_path_factory.mktemp("hostile-index")
    build_index([source], path)
    return path


def make_app(index_dir: Path):
    from search_web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": index_dir})


@pytest.fixture
def app(web_index):
    app = make_app(web_index)
    yield app
    app.extensions["fazhi_index"].close()


@pytest.fixture
def make_web_app():
    """``make_web_app(index_dir)`` → an app over that index, closed after the test."""
    apps = []

    def make(index_dir: Path):
        apps.append(make_app(index_dir))
        return apps[-1]
    yield make
    for app in apps:
        app.extensions["fazhi_index"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def hostile_client(hostile_index):
    app = make_app(hostile_index)
    yield app.test_client()
    app.extensions["fazhi_index"].close()


@pytest.fixture
def search_json(client):
    """``search_json(q="…", agency=[…], …)`` → the decoded /search.json answer (asserting 200)."""
    def get(**params):
        response = client.get("/search.json", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()
    return get
