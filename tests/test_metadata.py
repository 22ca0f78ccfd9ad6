"""Metadata, region and top-level structure of each bundled sample report."""
import pytest

from indexer.report.corpus import read_report
from indexer.model import (CATEGORY_DUTY, CATEGORY_MEASURES, CATEGORY_PLANS,
                           CATEGORY_PROBLEMS)

M, P, D, N = CATEGORY_MEASURES, CATEGORY_PROBLEMS, CATEGORY_DUTY, CATEGORY_PLANS

EXPECTED = {
    "000_f7229b1349f031b6.txt": dict(
        title="潮州市湘桥区卫生健康局2022年法治政府建设年度报告", agency="潮州市湘桥区卫生健康局",
        province="广东省", city="潮州市", county="湘桥区", year=2022, date=None,
        top=[("2022年主要工作情况", M), ("存在问题", P), ("下一步工作打算", N)]),
    "001_2bba1cb4cd6e5587.txt": dict(
        title="湟中区卫生健康局2024年法治政府建设情况报告", agency="西宁市湟中区卫生健康局",
        province="青海省", city="西宁市", county="湟中区", year=2024, date=None,
        top=[("一、主要举措和成效", M), ("二、法治政府建设推进情况", M),
             ("三、存在问题和薄弱环节", P), ("四、2025年度工作思路及重点任务", N)]),
    "002_fe0e8058e257553a.txt": dict(
        title="阳江市卫生健康局2022年法治政府建设年度报告", agency="阳江市卫生健康局",
        province="广东省", city="阳江市", county="", year=2022, date="2022-12-02",
        top=[("一、2022年度推进法治政府建设的主要举措和成效", M),
             ("二、推进法治政府工作存在的不足和问题", P),
             ("三、2023年度推进法治政府建设的工作安排", N)]),
    "003_c589ac335115484d.txt": dict(
        title="江门市江海区卫生健康局 2023 年 法治政府建设年度报告", agency="江门市江海区卫生健康局",
        province="广东省", city="江门市", county="江海区", year=2023, date="2024-01-29",
        top=[("一、2023 年推进法治政府建设的主要举措和成效", M),
             ("二、推进法治政府建设存在的不足", P),
             ("三、2024 年度推进法治政府建设的工作安排", N)]),
    "004_1c6251870824dc6a.txt": dict(
        title="湛江市坡头区卫生健康局 2022 年法治政府建设年度报告", agency="湛江市坡头区卫生健康局",
        province="广东省", city="湛江市", county="坡头区", year=2022, date="2022-11-22",
        top=[("一、2022 年法治政府建设主要情况", M), ("二、存在的问题", P), ("三、下一步工作计划", N)]),
}


@pytest.fixture(scope="module")
def reports(sample_dir):
    return {name: read_report(sample_dir / name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_of_sample(reports, name):
    report, expected = reports[name], EXPECTED[name]
    for key in ("title", "agency", "province", "city", "county", "year", "date"):
        assert getattr(report, key) == expected[key], key


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_top_level_headings_and_categories(reports, name):
    top = [(h.title, h.category) for h in reports[name].headings if h.level == 1]
    assert top == EXPECTED[name]["top"]


def test_report_year_differs_from_publication_year(reports):
    report = reports["003_c589ac335115484d.txt"]
    assert report.year == 2023 and report.date.startswith("2024")


def test_duty_subsection_gets_its_own_category(reports):
    headings = reports["002_fe0e8058e257553a.txt"].headings
    duty = [h for h in headings if "第一责任" in h.title]
    assert duty and all(h.category == D for h in duty)


def test_split_numbering_slip_is_read_as_a_sibling(reports):
    """001 numbers its second level （一）（2）（三）: （2） is level 2 like the others."""
    level_two = [h.title for h in reports["001_2bba1cb4cd6e5587.txt"].headings if h.level == 2]
    assert level_two[:4] == ["（一）加强组织领导，夯实依法行政基础", "（2） 强化队伍建设，提高依法行政能力",
                             "（三）加强制度建设，不断提升依法行政能力", "（四）坚持全员普法，将法治宣传教育融入卫生健康工作"]


def test_inline_heading_keeps_its_paragraph_whole(reports):
    report = reports["001_2bba1cb4cd6e5587.txt"]
    heading = next(h for h in report.headings if h.title.startswith("（一）加强组织领导"))
    passage = report.passages[heading.passage_ordinal - 1]
    assert passage.text.startswith("（一）加强组织领导，夯实依法行政基础。一是强化组织保障")
    assert not passage.heading
    assert passage.heading_path.endswith("（一）加强组织领导，夯实依法行政基础")


def test_manifest_supplies_and_overrides_metadata(tmp_path, sample_dir):
    source = (sample_dir / "000_f7229b1349f031b6.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(source, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,title,agency,year,source_url\na.txt,另一个标题,阳江市卫生健康局,2021,https://example.gov.cn/a.html\n",
        encoding="utf-8")
    from indexer.report.corpus import read_reports
    report = read_reports([tmp_path]).reports[0]
    assert (report.title, report.agency, report.year) == ("另一个标题", "阳江市卫生健康局", 2021)
    assert report.source_url == "https://example.gov.cn/a.html"
    assert report.city == "阳江市"


def test_markdown_headings_without_numbers_are_headings(tmp_path):
    raw = ("# 某某局2023年法治政府建设年度报告\n\n2023年，我局推进法治政府建设。\n\n"
           "## 工作亮点\n\n全面推行“双随机、一公开”监管。\n\n## 存在的不足\n\n执法力量薄弱。\n")
    path = tmp_path / "report.md"
    path.write_text(raw, encoding="utf-8")
    report = read_report(path)
    assert [(h.title, h.category) for h in report.headings] == [("工作亮点", "其他"), ("存在的不足", P)]
    assert report.passages[-1].heading_path == "存在的不足" and report.passages[-1].category == P


@pytest.mark.parametrize("agency,region", [
    ("南京市自然资源局", ("江苏省", "南京市", "")),            # not 资源县 (桂林市)
    ("洛阳市公安局", ("河南省", "洛阳市", "")),                # not 公安县 (荆州市)
    ("广州市人力资源和社会保障局", ("广东省", "广州市", "")),
    ("西宁市湟中区卫生健康局", ("青海省", "西宁市", "湟中区")),
    ("湟中区卫生健康局", ("青海省", "西宁市", "湟中区")),      # the city found from the county
    ("资源县人民政府", ("广西壮族自治区", "桂林市", "资源县")),  # the real 资源县
])
def test_region_of_an_agency(agency, region):
    from indexer.report.metadata import resolve_region

    assert resolve_region(agency, "") == region
